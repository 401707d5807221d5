// The `sazanami` command line: dispatches to subcommands and turns every failure into one stderr line.

import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_INTERNAL_ERROR, EXIT_OK, EXIT_USAGE_ERROR, UsageError, type CliCommand, type CliContext } from './command.js';
import { demoCommand } from './demo-command.js';
import { processCommand } from './process-command.js';
import { videoCommand } from './video-command.js';
import { concealCommand } from './conceal-command.js';
import { traceCommand } from './trace-command.js';

/** Subcommands by name. */
const COMMANDS: ReadonlyMap<string, CliCommand> = new Map([processCommand, concealCommand, traceCommand, videoCommand, demoCommand].map((command) => [command.name, command]));

const ERROR_PREFIX = 'sazanami: error: ';

function mainHelp(): string {
  const width = Math.max(...[...COMMANDS.keys()].map((name) => name.length));
  const list = [...COMMANDS.values()].map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `Usage: sazanami <command> [options]

WebAssembly media processing for WebRTC, offline on files.

Commands:
${list}

Options:
  -h, --help     show this help (or 'sazanami <command> --help' for one command)
  -V, --version  print the version

Exit status: 0 success, 2 bad arguments or input, 1 internal error.
`;
}

/** Runs the CLI with `argv` (without node and script) and resolves to the process exit code. */
export async function main(argv: readonly string[], context: CliContext = defaultContext()): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined) throw new UsageError(`missing command; accepted: ${commandNames()} (see 'sazanami --help')`);
    if (first === '-h' || first === '--help') {
      context.stdout.write(mainHelp());
      return EXIT_OK;
    }
    if (first === '-V' || first === '--version') {
      context.stdout.write(`${context.version}\n`);
      return EXIT_OK;
    }
    if (first === 'help') return await main(rest.length > 0 ? [rest[0], '--help'] : ['--help'], context);
    if (first.startsWith('-')) throw new UsageError(`unknown option '${first}'; accepted: -h/--help, -V/--version, or a command (${commandNames()})`);
    const command = COMMANDS.get(first);
    if (command === undefined) throw new UsageError(`unknown command '${first}'; accepted: ${commandNames()}`);
    return await command.run(rest, context);
  } catch (error) {
    return reportError(error, context);
  }
}

function reportError(error: unknown, context: CliContext): number {
  if (error instanceof UsageError) {
    context.stderr.write(`${ERROR_PREFIX}${oneLine(error.message)}\n`);
    return EXIT_USAGE_ERROR;
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  context.stderr.write(`${ERROR_PREFIX}internal error: ${oneLine(message)} (set SAZANAMI_DEBUG=1 for details)\n`);
  // The stack is for bug reports; users see one line unless they ask.
  if (process.env.SAZANAMI_DEBUG && error instanceof Error && error.stack) context.stderr.write(`${error.stack}\n`);
  return EXIT_INTERNAL_ERROR;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function commandNames(): string {
  return [...COMMANDS.keys()].join(', ');
}

function defaultContext(): CliContext {
  return { stdout: process.stdout, stderr: process.stderr, version: packageVersion() };
}

/** Finds sazanami's package.json above this file; the same code runs from src/ (tsx) and dist/src/. */
function packageVersion(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'sazanami' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // No readable package.json here; keep walking up.
    }
    const parent = dirname(directory);
    if (parent === directory) return 'unknown';
    directory = parent;
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

// Run directly (e.g. `tsx src/cli/main.ts`); bin/sazanami.js imports main() instead.
if (isEntryPoint()) {
  process.exitCode = await main(process.argv.slice(2));
}

// What every CLI subcommand provides, the streams it writes to, and the errors that map to exit codes.

/** Exit codes: 0 success, 1 an internal failure (a bug), 2 a problem with the user's input or arguments. */
export const EXIT_OK = 0;
export const EXIT_INTERNAL_ERROR = 1;
export const EXIT_USAGE_ERROR = 2;

/** The streams a command talks to; injected so the CLI can be driven in-process. */
export interface CliContext {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  version: string;
}

export interface CliCommand {
  name: string;
  /** One line for the command list in `sazanami --help`. */
  summary: string;
  /** Full text for `sazanami <command> --help`. */
  help: string;
  /** Runs with the arguments after the command name and returns the exit code. */
  run(args: readonly string[], context: CliContext): Promise<number>;
}

/** A problem the user can fix (arguments, input file, output path): one line on stderr, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

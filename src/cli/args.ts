// A small strict option parser: GNU-style long options, single-letter short options, `--` ends options.

import { UsageError } from './command.js';

export interface OptionSpec {
  /** Long name without dashes, e.g. `output` for `--output`. */
  name: string;
  short?: string;
  /** Placeholder shown in errors when the option takes a value, e.g. `off|light|balanced|strong`. */
  value?: string;
}

export interface ParsedArgs {
  /** Value per long name; `true` for flags. Absent options are absent keys. */
  options: Map<string, string | true>;
  positionals: string[];
}

/** Parses `args` against `specs`; every mistake is a UsageError naming the accepted options. */
export function parseArgs(args: readonly string[], specs: readonly OptionSpec[], commandName: string): ParsedArgs {
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  const accepted = specs.map(describe).join(', ');
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    // A lone '-' is an ordinary argument (conventionally stdin/stdout).
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const written = equals >= 0 ? arg.slice(0, equals) : arg;
    const spec = written.startsWith('--')
      ? specs.find((s) => `--${s.name}` === written)
      : specs.find((s) => s.short !== undefined && `-${s.short}` === written);
    if (spec === undefined) {
      throw new UsageError(`unknown option '${written}' for '${commandName}'; accepted: ${accepted}`);
    }
    if (options.has(spec.name)) throw new UsageError(`option '${written}' given more than once`);
    if (spec.value === undefined) {
      if (equals >= 0) throw new UsageError(`option '${written}' takes no value`);
      options.set(spec.name, true);
      continue;
    }
    let value: string | undefined;
    if (equals >= 0) {
      value = arg.slice(equals + 1);
    } else if (i + 1 < args.length && !looksLikeOption(args[i + 1])) {
      value = args[++i];
    }
    // Refusing an option-looking value stops `-o --ns strong` from writing a file named '--ns'.
    if (value === undefined || value === '') {
      throw new UsageError(`option '${written}' needs a value (${spec.value})`);
    }
    options.set(spec.name, value);
  }
  return { options, positionals };
}

function looksLikeOption(arg: string): boolean {
  return arg.startsWith('-') && arg !== '-';
}

function describe(spec: OptionSpec): string {
  const names = spec.short === undefined ? `--${spec.name}` : `-${spec.short}/--${spec.name}`;
  return spec.value === undefined ? names : `${names} <${spec.value}>`;
}

// `sazanami trace`: writes a packet trace (trace.csv for `sazanami conceal`) for a named network
// profile and seed: Gilbert–Elliott loss and G.1050/TIA-921-style delay, jitter, spikes, reordering, drift.

import { resolve } from 'node:path';
import { formatTrace, generateTrace, NETWORK_PROFILE_NAMES, NETWORK_PROFILES, DEFAULT_PACKET_MS } from '../core/receive/network-trace.js';
import { packetCountFor } from '../core/receive/simulate.js';
import { readWav, WavError } from '../core/wav.js';
import { readFile } from 'node:fs/promises';
import { parseArgs, type OptionSpec } from './args.js';
import { assertWritable, writeFilesAtomically } from './atomic-write.js';
import { EXIT_OK, UsageError, type CliCommand } from './command.js';
import { toFileUsageError } from './file-errors.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'profile', value: NETWORK_PROFILE_NAMES.join('|') },
  { name: 'seed', value: 'N' },
  { name: 'duration', value: 'seconds' },
  { name: 'for', value: 'in.wav' },
  { name: 'output', short: 'o', value: 'trace.csv' },
  { name: 'quiet', short: 'q' },
  { name: 'help', short: 'h' },
];

const USAGE = 'sazanami trace --profile <name> (--duration <s> | --for <in.wav>) -o <trace.csv> [--seed N] [--quiet]';

const HELP = `Usage: ${USAGE}

Writes a packet trace ('seq,send_ms,arrival_ms', empty arrival = lost) of ${DEFAULT_PACKET_MS} ms packets through a
simulated network, reproducible from the profile and seed.

Profiles:
${NETWORK_PROFILE_NAMES.map((name) => `  ${name.padEnd(10)} ${NETWORK_PROFILES[name].description}`).join('\n')}

Options:
      --profile <name>     network profile (required)
      --duration <s>       length of the call in seconds (0.02-86400), or
      --for <in.wav>       exactly one row per 20 ms packet of this WAV file
      --seed <N>           random seed, an integer 0-4294967295 (default 1)
  -o, --output <file>      where to write the trace (required)
  -q, --quiet              print nothing on success
  -h, --help               show this help

Exit status: 0 success, 2 bad arguments or input, 1 internal error.
`;

export const traceCommand: CliCommand = {
  name: 'trace',
  summary: 'write a packet trace (loss, delay, jitter) for a named network profile and seed',
  help: HELP,
  async run(args, context) {
    const { options, positionals } = parseArgs(args, OPTIONS, 'trace');
    if (options.has('help')) {
      context.stdout.write(HELP);
      return EXIT_OK;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'; usage: ${USAGE}`);
    const profileName = options.get('profile');
    if (typeof profileName !== 'string') throw new UsageError(`missing --profile; accepted: ${NETWORK_PROFILE_NAMES.join(', ')}`);
    const profile = NETWORK_PROFILES[profileName];
    if (profile === undefined) throw new UsageError(`unknown profile '${profileName}'; accepted: ${NETWORK_PROFILE_NAMES.join(', ')}`);
    const outputPath = options.get('output');
    if (typeof outputPath !== 'string') throw new UsageError(`missing output file (-o <trace.csv>); usage: ${USAGE}`);
    const seedText = options.get('seed') ?? '1';
    const seed = Number(seedText);
    if (typeof seedText !== 'string' || !/^\d+$/.test(seedText) || seed > 0xffffffff) {
      throw new UsageError(`invalid --seed '${String(seedText)}'; accepted: an integer from 0 to 4294967295`);
    }
    const duration = options.get('duration');
    const forPath = options.get('for');
    if ((duration === undefined) === (forPath === undefined)) throw new UsageError(`give exactly one of --duration <s> or --for <in.wav>; usage: ${USAGE}`);
    let packets: number;
    if (typeof duration === 'string') {
      const seconds = Number(duration);
      if (!/^\d+(\.\d+)?$/.test(duration) || !(seconds >= 0.02 && seconds <= 86400)) {
        throw new UsageError(`invalid --duration '${duration}'; accepted: seconds from 0.02 to 86400`);
      }
      packets = Math.ceil((seconds * 1000) / DEFAULT_PACKET_MS - 1e-9);
    } else {
      const path = forPath as string;
      let bytes: Uint8Array;
      try {
        bytes = await readFile(path);
      } catch (error) {
        throw toFileUsageError(error, 'read input', path);
      }
      try {
        const wav = readWav(bytes);
        packets = packetCountFor(wav.channels[0].length, wav.sampleRate);
      } catch (error) {
        if (error instanceof WavError) throw new UsageError(`${path}: ${error.message}`);
        throw error;
      }
      if (packets === 0) throw new UsageError(`${path}: the file has no samples`);
    }
    if (resolve(outputPath) === resolve(typeof forPath === 'string' ? forPath : '\0')) throw new UsageError('-o names the input file; accepted: a different path');
    await assertWritable(outputPath, 'trace');
    const rows = generateTrace(profile, packets, seed);
    await writeFilesAtomically([{ path: outputPath, bytes: formatTrace(rows) }]);
    if (!options.has('quiet')) {
      const lost = rows.filter((r) => r.arrivalMs === null).length;
      context.stderr.write(`sazanami: wrote ${outputPath} (${profileName}, seed ${seed}, ${packets} packets, ${lost} lost)\n`);
    }
    return EXIT_OK;
  },
};

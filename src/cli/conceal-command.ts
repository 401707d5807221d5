// `sazanami conceal`: plays a WAV file's 20 ms packets through the receive path (adaptive jitter
// buffer, WSOLA time stretching, packet-loss concealment) as a receiver would, with the arrival
// times and losses of a trace.csv (`seq,send_ms,arrival_ms`, empty arrival = lost).

import { resolve } from 'node:path';
import { ResamplerKernel } from '../core/kernels.js';
import { DEFAULT_PACKET_MS, parseTrace, TraceError, type TraceRow } from '../core/receive/network-trace.js';
import { hasReceiveExports } from '../core/receive/receive-exports.js';
import { packetCountFor, simulateReceive } from '../core/receive/simulate.js';
import { loadWasm } from '../core/wasm-loader.js';
import { writeWav, type WavAudio, type WavWritableFormat } from '../core/wav.js';
import type { SazanamiExports } from '../core/wasm-exports.js';
import { parseArgs, type OptionSpec } from './args.js';
import { assertWritable, writeFilesAtomically, type PendingFile } from './atomic-write.js';
import { EXIT_OK, UsageError, type CliCommand } from './command.js';
import { downmixToMono, readInputFile, readWavInput } from './input-files.js';
import { createProgressBar } from './progress.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'trace', value: 'trace.csv' },
  { name: 'output', short: 'o', value: 'out.wav' },
  { name: 'json', value: 'stats.json' },
  { name: 'quiet', short: 'q' },
  { name: 'help', short: 'h' },
];

const USAGE = 'sazanami conceal <in.wav> --trace <trace.csv> -o <out.wav> [--json stats.json] [--quiet]';

const HELP = `Usage: ${USAGE}

Simulates receiving <in.wav> over a network: the file is cut into ${DEFAULT_PACKET_MS} ms packets (seq 0, 1, …),
each packet reaches the receiver at its arrival time in the trace (or never, if lost), and the
receive path plays 10 ms every 10 ms: adaptive jitter buffer, time stretching (accelerate /
decelerate without pitch change) and packet-loss concealment.

trace.csv: one row per packet, 'seq,send_ms,arrival_ms' (header optional, rows in any order);
an empty arrival_ms marks a lost packet. 'sazanami trace' writes traces for named network profiles.

Output: a WAV of the input's rate, length, channel count and sample format, starting where the
first played packet was sent (the initial buffering delay removed); later delay changes remain and
are reported. Multichannel input is down-mixed (one stream, as a mono Opus call carries) and the
result written to every channel. Rates that are not a multiple of 100 Hz are resampled to 48 kHz
and back.

Options:
      --trace <trace.csv>  packet arrival times and losses (required)
  -o, --output <out.wav>   where to write the received audio (required)
      --json <stats.json>  also write receive statistics as JSON (late loss, delays, concealment)
  -q, --quiet              print nothing on success
  -h, --help               show this help

Exit status: 0 success, 2 bad arguments or input, 1 internal error.
`;

const OUTPUT_FORMAT: Record<WavAudio['format'], WavWritableFormat> = {
  pcm8: 'pcm16', pcm16: 'pcm16', pcm24: 'pcm24', pcm32: 'pcm32', float32: 'float32', float64: 'float32',
};
const SIMULATION_RATE_HZ = 48000;

export const concealCommand: CliCommand = {
  name: 'conceal',
  summary: 'play a WAV through a packet trace (jitter buffer, time stretching, loss concealment)',
  help: HELP,
  async run(args, context) {
    const { options, positionals } = parseArgs(args, OPTIONS, 'conceal');
    if (options.has('help')) {
      context.stdout.write(HELP);
      return EXIT_OK;
    }
    if (positionals.length === 0) throw new UsageError(`missing input file; usage: ${USAGE}`);
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'; 'conceal' takes one input file (usage: ${USAGE})`);
    const inputPath = positionals[0];
    const tracePath = options.get('trace');
    const outputPath = options.get('output');
    const jsonOption = options.get('json');
    const jsonPath = typeof jsonOption === 'string' ? jsonOption : undefined;
    const quiet = options.has('quiet');
    if (typeof tracePath !== 'string') throw new UsageError(`missing trace (--trace <trace.csv>); usage: ${USAGE}`);
    if (typeof outputPath !== 'string') throw new UsageError(`missing output file (-o <out.wav>); usage: ${USAGE}`);
    if (jsonPath !== undefined && resolve(jsonPath) === resolve(outputPath)) {
      throw new UsageError(`--json and -o name the same file '${outputPath}'; accepted: two different paths`);
    }
    if (resolve(inputPath) === resolve(outputPath)) throw new UsageError(`-o names the input file '${inputPath}'; accepted: a different path`);

    const input = await readWavInput(inputPath);
    const rate = input.sampleRate;
    const length = input.channels[0].length;
    if (length === 0) throw new UsageError(`${inputPath}: the file has no samples`);
    const packets = packetCountFor(length, rate);
    const trace = await readTrace(tracePath, packets);
    await assertWritable(outputPath, 'output');
    if (jsonPath !== undefined) await assertWritable(jsonPath, 'stats file');

    const wasm = await loadWasm();
    if (!hasReceiveExports(wasm.exports)) throw new Error('the Wasm build has no receive kernels (run `npm run asbuild`)');
    const mono = downmixToMono(input.channels);
    const direct = rate % 100 === 0 && rate >= 8000 && rate <= 96000;
    const simulationRate = direct ? rate : SIMULATION_RATE_HZ;
    const progress = createProgressBar(context.stderr, `receiving ${inputPath}`, length / rate, quiet);
    const started = performance.now();
    const signal = direct ? mono : resample(wasm.exports, mono, rate, simulationRate, Math.round((length * simulationRate) / rate));
    // The packet grid is the input's: a packet of the input is a packet of the simulation.
    const result = simulateReceive(wasm.exports, signal, simulationRate, trace);
    const received = direct ? result.output : resample(wasm.exports, result.output, simulationRate, rate, length);
    progress.done();
    const elapsedSec = (performance.now() - started) / 1000;
    if (result.stats.error !== null) throw new Error(`receive kernel failed: ${result.stats.error}`);

    const outputFormat = OUTPUT_FORMAT[input.format];
    const files: PendingFile[] = [{ path: outputPath, bytes: writeWav(input.channels.map(() => received), rate, outputFormat) }];
    const s = result.stats;
    if (jsonPath !== undefined) {
      const played = result.delayMsPerFrame;
      const sorted = [...played].sort((a, b) => a - b);
      const report = {
        tool: 'sazanami',
        version: context.version,
        command: 'conceal',
        input: { path: inputPath, sampleRate: rate, channels: input.channels.length, format: input.format, packets, packetMs: DEFAULT_PACKET_MS },
        trace: { path: tracePath, lost: trace.filter((r) => r.arrivalMs === null).length },
        output: { path: outputPath, format: outputFormat, downmixed: input.channels.length > 1, simulationRate },
        wasm: wasm.flavor,
        playoutStartMs: result.playoutStartMs,
        delayMs: { mean: mean(played), median: sorted[sorted.length >> 1] ?? 0, max: sorted[sorted.length - 1] ?? 0 },
        stats: s,
        frames: countStatuses(result.frameStatuses),
      };
      files.push({ path: jsonPath, bytes: `${JSON.stringify(report, null, 2)}\n` });
    }
    await writeFilesAtomically(files);
    if (!quiet) {
      context.stderr.write(`sazanami: ${inputPath} -> ${outputPath} (${packets} packets, ${s.packetsMissing} lost, ${s.packetsLate} late `
        + `(${(100 * s.lateLossRate).toFixed(2)} %), ${s.concealedMs.toFixed(0)} ms concealed, mean added delay ${s.meanAddedDelayMs.toFixed(1)} ms, `
        + `${s.accelerateCount} accelerate / ${s.decelerateCount} decelerate; took ${elapsedSec.toFixed(2)} s)\n`);
    }
    return EXIT_OK;
  },
};

function mean(values: number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

function countStatuses(statuses: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}


function resample(exports: SazanamiExports, signal: Float32Array, inRate: number, outRate: number, outLength: number): Float32Array {
  const block = 4096;
  const kernel = new ResamplerKernel(exports, inRate, outRate, block);
  const out = new Float32Array(outLength);
  let written = 0;
  try {
    // Zero tail pushes the filter's last outputs through.
    const padded = new Float32Array(signal.length + block);
    padded.set(signal);
    for (let start = 0; start < padded.length && written < outLength; start += block) {
      const produced = kernel.process(padded.subarray(start, Math.min(padded.length, start + block)));
      const take = Math.min(produced.length, outLength - written);
      out.set(produced.subarray(0, take), written);
      written += take;
    }
  } finally {
    kernel.destroy();
  }
  return out;
}


async function readTrace(path: string, packets: number): Promise<TraceRow[]> {
  const text = await readInputFile(path, 'trace', 'utf8');
  try {
    return parseTrace(text, packets);
  } catch (error) {
    if (error instanceof TraceError) throw new UsageError(`${path}: ${error.message}`);
    throw error;
  }
}

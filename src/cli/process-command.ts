// `sazanami process`: runs a WAV file through the capture chain (noise suppression, ...) offline.

import { resolve } from 'node:path';
import { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE } from '../core/capture-processor.js';
import { loadEngineCore, processOffline } from '../core/offline.js';
import { NOISE_SUPPRESSION_LEVELS, CAPTURE_DEFAULTS, type NoiseSuppressionLevel } from '../core/options.js';
import { writeWav, type WavAudio, type WavSampleFormat, type WavWritableFormat } from '../core/wav.js';
import { parseArgs, type OptionSpec } from './args.js';
import { assertWritable, writeFilesAtomically, type PendingFile } from './atomic-write.js';
import { EXIT_OK, UsageError, type CliCommand, type CliContext } from './command.js';
import { downmixToMono, readWavInput } from './input-files.js';
import { createProgressBar } from './progress.js';

const NS_LEVELS = NOISE_SUPPRESSION_LEVELS.join('|');

const OPTIONS: readonly OptionSpec[] = [
  { name: 'output', short: 'o', value: 'out.wav' },
  { name: 'ns', value: NS_LEVELS },
  { name: 'json', value: 'stats.json' },
  { name: 'aec', value: 'far.wav' },
  { name: 'agc' },
  { name: 'quiet', short: 'q' },
  { name: 'help', short: 'h' },
];

const USAGE = `sazanami process <in.wav> -o <out.wav> [--ns ${NS_LEVELS}] [--aec far.wav] [--agc] [--json stats.json] [--quiet]`;

const HELP = `Usage: ${USAGE}

Runs a recording through sazanami's capture chain and writes a time-aligned result of the same
sample rate, channel count, length and sample format (8-bit input is written as 16-bit PCM,
64-bit float as 32-bit float).

Input: WAV (RIFF WAVE) with 8/16/24/32-bit integer PCM or 32/64-bit float, any number of
channels, 8000-384000 Hz.

Options:
  -o, --output <out.wav>   where to write the processed audio (required)
      --ns <level>         noise suppression: ${NOISE_SUPPRESSION_LEVELS.join(', ')} (default ${CAPTURE_DEFAULTS.noiseSuppression})
      --aec <far.wav>      cancel the echo of this far-end (loudspeaker) recording: same sample rate
                           as the input, started at the same instant; multichannel is down-mixed,
                           a shorter one is padded with silence, a longer one is cut
      --agc                automatic gain control to a -18 dBFS speech level, with a -1 dBFS limiter
      --json <stats.json>  also write processing statistics as JSON
  -q, --quiet              print nothing on success
  -h, --help               show this help

Exit status: 0 success, 2 bad arguments or input, 1 internal error.
`;

/** Formats the writer cannot produce are widened to the nearest one that loses nothing. */
const OUTPUT_FORMAT: Readonly<Record<WavSampleFormat, WavWritableFormat>> = {
  pcm8: 'pcm16', pcm16: 'pcm16', pcm24: 'pcm24', pcm32: 'pcm32', float32: 'float32', float64: 'float32',
};

interface ProcessArgs {
  inputPath: string;
  outputPath: string;
  jsonPath?: string;
  noiseSuppression: NoiseSuppressionLevel;
  farEndPath?: string;
  gainControl: boolean;
  quiet: boolean;
}

export const processCommand: CliCommand = {
  name: 'process',
  summary: 'clean up a WAV recording offline (noise suppression)',
  help: HELP,
  async run(args, context) {
    const parsed = parseProcessArgs(args);
    if (parsed === 'help') {
      context.stdout.write(HELP);
      return EXIT_OK;
    }
    await runProcess(parsed, context);
    return EXIT_OK;
  },
};

function parseProcessArgs(args: readonly string[]): ProcessArgs | 'help' {
  const { options, positionals } = parseArgs(args, OPTIONS, 'process');
  if (options.has('help')) return 'help';
  if (positionals.length === 0) throw new UsageError(`missing input file; usage: ${USAGE}`);
  if (positionals.length > 1) {
    throw new UsageError(`unexpected argument '${positionals[1]}'; 'process' takes one input file (usage: ${USAGE})`);
  }
  const outputPath = options.get('output');
  if (typeof outputPath !== 'string') throw new UsageError(`missing output file (-o <out.wav>); usage: ${USAGE}`);
  const ns = options.get('ns') ?? CAPTURE_DEFAULTS.noiseSuppression;
  if (!NOISE_SUPPRESSION_LEVELS.includes(ns as NoiseSuppressionLevel)) {
    throw new UsageError(`invalid --ns value '${String(ns)}'; accepted: ${NOISE_SUPPRESSION_LEVELS.join(', ')}`);
  }
  const jsonPath = options.get('json');
  const farEndPath = options.get('aec');
  return {
    farEndPath: typeof farEndPath === 'string' ? farEndPath : undefined,
    gainControl: options.has('agc'),
    inputPath: positionals[0],
    outputPath,
    jsonPath: typeof jsonPath === 'string' ? jsonPath : undefined,
    noiseSuppression: ns as NoiseSuppressionLevel,
    quiet: options.has('quiet'),
  };
}

async function runProcess(args: ProcessArgs, context: CliContext): Promise<void> {
  const { inputPath, outputPath, jsonPath } = args;
  if (jsonPath !== undefined && resolve(jsonPath) === resolve(outputPath)) {
    throw new UsageError(`--json and -o name the same file '${outputPath}'; accepted: two different paths`);
  }
  const input = await readInput(inputPath);
  let farEnd: Float32Array | undefined;
  if (args.farEndPath !== undefined) {
    const far = await readInput(args.farEndPath);
    if (far.sampleRate !== input.sampleRate) {
      throw new UsageError(`${args.farEndPath}: far-end rate ${far.sampleRate} Hz differs from the input's ${input.sampleRate} Hz; accepted: the same rate (resample it first)`);
    }
    farEnd = downmixToMono(far.channels);
  }
  // Output paths are checked before processing so a typo does not cost a long run.
  await assertWritable(outputPath, 'output');
  if (jsonPath !== undefined) await assertWritable(jsonPath, 'stats file');

  const durationSec = input.channels[0].length / input.sampleRate;
  const core = await loadEngineCore();
  const progress = createProgressBar(context.stderr, `processing ${inputPath}`, durationSec, args.quiet);
  const startMs = performance.now();
  const { channels, stats } = processOffline(core, input.channels, input.sampleRate,
    { noiseSuppression: args.noiseSuppression, echoCancellation: farEnd !== undefined ? 'balanced' : 'off', gainControl: args.gainControl },
    (fraction) => progress.update(fraction), farEnd !== undefined ? { samples: farEnd } : undefined);
  const elapsedSec = (performance.now() - startMs) / 1000;
  progress.done();

  const outputFormat = OUTPUT_FORMAT[input.format];
  const files: PendingFile[] = [{ path: outputPath, bytes: writeWav(channels, input.sampleRate, outputFormat) }];
  if (jsonPath !== undefined) {
    const report = {
      tool: 'sazanami',
      version: context.version,
      command: 'process',
      input: { path: inputPath, format: input.format },
      output: { path: outputPath, format: outputFormat },
      options: { noiseSuppression: args.noiseSuppression, echoCancellation: farEnd !== undefined ? 'balanced' : 'off', gainControl: args.gainControl },
      ...(args.farEndPath !== undefined ? { farEnd: { path: args.farEndPath } } : {}),
      stats,
    };
    files.push({ path: jsonPath, bytes: `${JSON.stringify(report, null, 2)}\n` });
  }
  await writeFilesAtomically(files);

  if (!args.quiet) {
    const speed = elapsedSec > 0 ? `, ${(durationSec / elapsedSec).toFixed(0)}x real time` : '';
    context.stderr.write(`sazanami: ${inputPath} -> ${outputPath} (${input.channels.length} ch, ${input.sampleRate} Hz, `
      + `${outputFormat}, ${durationSec.toFixed(2)} s, ns ${args.noiseSuppression}; took ${elapsedSec.toFixed(2)} s${speed})\n`);
  }
}

async function readInput(path: string): Promise<WavAudio> {
  const audio = await readWavInput(path);
  // WAV allows rates the capture chain does not process; say so before any work is done.
  if (audio.sampleRate < MIN_SAMPLE_RATE || audio.sampleRate > MAX_SAMPLE_RATE) {
    throw new UsageError(`${path}: sample rate ${audio.sampleRate} Hz is not supported; accepted: ${MIN_SAMPLE_RATE}–${MAX_SAMPLE_RATE} Hz`);
  }
  return audio;
}


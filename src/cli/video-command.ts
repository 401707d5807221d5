// `sazanami video`: runs a Y4M file (8-bit 4:2:0) through the video correction chain offline
// (exposure, white balance, temporal denoise, sharpening) and writes a Y4M of the same size and rate.

import { resolve } from 'node:path';
import { loadWasm } from '../core/wasm-loader.js';
import { VideoCorrector } from '../core/video/video-corrector.js';
import { hasVideoExports } from '../core/video/video-exports.js';
import { MAX_DENOISE_STRENGTH, MAX_SHARPEN_STRENGTH, type VideoCorrectionOptions, validateFrameSize } from '../core/video/video-options.js';
import { readY4m, writeY4m, Y4mError, Y4M_ACCEPTED_COLOUR_SPACES, type Y4mVideo } from '../core/video/y4m.js';
import { parseArgs, type OptionSpec } from './args.js';
import { assertWritable, writeFilesAtomically, type PendingFile } from './atomic-write.js';
import { EXIT_OK, UsageError, type CliCommand } from './command.js';
import { readInputFile } from './input-files.js';
import { createProgressBar } from './progress.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'output', short: 'o', value: 'out.y4m' },
  { name: 'exposure' },
  { name: 'white-balance' },
  { name: 'denoise', value: `0-${MAX_DENOISE_STRENGTH}` },
  { name: 'sharpen', value: `0-${MAX_SHARPEN_STRENGTH}` },
  { name: 'json', value: 'stats.json' },
  { name: 'quiet', short: 'q' },
  { name: 'help', short: 'h' },
];

const USAGE = 'sazanami video <in.y4m> -o <out.y4m> [--exposure] [--white-balance] [--denoise N] [--sharpen N] [--json stats.json] [--quiet]';

const HELP = `Usage: ${USAGE}

Corrects a video file with sazanami's camera chain and writes a Y4M of the same size, frame rate
and frame count. At least one correction must be chosen.

Input: YUV4MPEG2 (.y4m), 8-bit 4:2:0 (${Y4M_ACCEPTED_COLOUR_SPACES.map((c) => `C${c}`).join(', ')}), progressive, even width
and height up to 4096 (at most 4096 × 2160 pixels).

Options:
  -o, --output <out.y4m>   where to write the corrected video (required)
      --exposure           low-light / exposure correction (adaptive gamma, smoothed over time)
      --white-balance      automatic white balance (grey-world / grey-edge / white-patch blend)
      --denoise <N>        motion-adaptive temporal denoise, strength 0-${MAX_DENOISE_STRENGTH} (3 moderate, 6 strong)
      --sharpen <N>        unsharp mask on luma with a noise threshold, strength 0-${MAX_SHARPEN_STRENGTH} (2 subtle)
      --json <stats.json>  also write processing statistics as JSON
  -q, --quiet              print nothing on success
  -h, --help               show this help

Exit status: 0 success, 2 bad arguments or input, 1 internal error.
`;

interface VideoArgs {
  inputPath: string;
  outputPath: string;
  jsonPath?: string;
  options: Required<VideoCorrectionOptions>;
  quiet: boolean;
}

export const videoCommand: CliCommand = {
  name: 'video',
  summary: 'correct a Y4M video offline (exposure, white balance, denoise, sharpen)',
  help: HELP,
  async run(args, context) {
    const parsed = parseVideoArgs(args);
    if (parsed === 'help') {
      context.stdout.write(HELP);
      return EXIT_OK;
    }
    const { inputPath, outputPath, jsonPath, options } = parsed;
    if (jsonPath !== undefined && resolve(jsonPath) === resolve(outputPath)) {
      throw new UsageError(`--json and -o name the same file '${outputPath}'; accepted: two different paths`);
    }
    if (resolve(inputPath) === resolve(outputPath)) throw new UsageError(`-o names the input file '${inputPath}'; accepted: a different path`);
    const video = await readInput(inputPath);
    const { width, height } = video.header;
    try {
      validateFrameSize(width, height);
    } catch (error) {
      throw new UsageError(`${inputPath}: ${(error as Error).message}`);
    }
    await assertWritable(outputPath, 'output');
    if (jsonPath !== undefined) await assertWritable(jsonPath, 'stats file');

    const wasm = await loadWasm();
    if (!hasVideoExports(wasm.exports)) throw new Error('the Wasm build has no video kernel (run `npm run asbuild`)');
    const corrector = new VideoCorrector(wasm.exports, { width, height, format: 'I420', options });
    const progress = createProgressBar(context.stderr, `correcting ${inputPath}`,
      (video.frames.length * video.header.frameRateDenominator) / video.header.frameRateNumerator, parsed.quiet);
    const outputs: Uint8Array[] = [];
    const frameMs: number[] = [];
    const started = performance.now();
    for (const [i, frame] of video.frames.entries()) {
      const t = performance.now();
      outputs.push(corrector.processFrame(frame).slice());
      frameMs.push(performance.now() - t);
      progress.update((i + 1) / video.frames.length);
    }
    const elapsedSec = (performance.now() - started) / 1000;
    progress.done();
    const kernelStats = corrector.stats();
    corrector.destroy();
    if (kernelStats.error !== null) throw new Error(`video kernel failed: ${kernelStats.error}`);

    const files: PendingFile[] = [{ path: outputPath, bytes: writeY4m(video.header, outputs) }];
    if (jsonPath !== undefined) {
      const sorted = [...frameMs].sort((a, b) => a - b);
      const report = {
        tool: 'sazanami',
        version: context.version,
        command: 'video',
        input: { path: inputPath, width, height, frames: video.frames.length,
          frameRate: `${video.header.frameRateNumerator}/${video.header.frameRateDenominator}` },
        output: { path: outputPath },
        options,
        wasm: wasm.flavor,
        msPerFrameMean: frameMs.length ? frameMs.reduce((a, b) => a + b, 0) / frameMs.length : 0,
        msPerFrameMedian: sorted.length ? sorted[sorted.length >> 1] : 0,
        msPerFrameMax: sorted.length ? sorted[sorted.length - 1] : 0,
        final: { meanLuma: kernelStats.meanLuma, midGamma: kernelStats.midGamma, gains: kernelStats.gains, noiseSigma: kernelStats.noiseSigma },
      };
      files.push({ path: jsonPath, bytes: `${JSON.stringify(report, null, 2)}\n` });
    }
    await writeFilesAtomically(files);
    if (!parsed.quiet) {
      const fps = elapsedSec > 0 ? `, ${(video.frames.length / elapsedSec).toFixed(0)} frames/s` : '';
      context.stderr.write(`sazanami: ${inputPath} -> ${outputPath} (${width}×${height}, ${video.frames.length} frames, `
        + `${describe(options)}; took ${elapsedSec.toFixed(2)} s${fps})\n`);
    }
    return EXIT_OK;
  },
};

function parseVideoArgs(args: readonly string[]): VideoArgs | 'help' {
  const { options, positionals } = parseArgs(args, OPTIONS, 'video');
  if (options.has('help')) return 'help';
  if (positionals.length === 0) throw new UsageError(`missing input file; usage: ${USAGE}`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'; 'video' takes one input file (usage: ${USAGE})`);
  const outputPath = options.get('output');
  if (typeof outputPath !== 'string') throw new UsageError(`missing output file (-o <out.y4m>); usage: ${USAGE}`);
  const correction: Required<VideoCorrectionOptions> = {
    exposure: options.has('exposure'),
    whiteBalance: options.has('white-balance'),
    denoise: strength(options.get('denoise'), 'denoise', MAX_DENOISE_STRENGTH),
    sharpen: strength(options.get('sharpen'), 'sharpen', MAX_SHARPEN_STRENGTH),
  };
  if (!correction.exposure && !correction.whiteBalance && correction.denoise === 0 && correction.sharpen === 0) {
    throw new UsageError('nothing to do; choose at least one of --exposure, --white-balance, --denoise N, --sharpen N');
  }
  const jsonPath = options.get('json');
  return { inputPath: positionals[0], outputPath, jsonPath: typeof jsonPath === 'string' ? jsonPath : undefined, options: correction, quiet: options.has('quiet') };
}

function strength(value: string | true | undefined, name: string, limit: number): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+(\.\d+)?$/.test(value) || !(n >= 0 && n <= limit)) {
    throw new UsageError(`invalid --${name} value '${String(value)}'; accepted: a number from 0 to ${limit}`);
  }
  return n;
}

function describe(o: Required<VideoCorrectionOptions>): string {
  const parts: string[] = [];
  if (o.exposure) parts.push('exposure');
  if (o.whiteBalance) parts.push('white balance');
  if (o.denoise > 0) parts.push(`denoise ${o.denoise}`);
  if (o.sharpen > 0) parts.push(`sharpen ${o.sharpen}`);
  return parts.join(', ');
}

async function readInput(path: string): Promise<Y4mVideo> {
  const bytes = await readInputFile(path, 'input');
  try {
    const video = readY4m(bytes);
    if (video.frames.length === 0) throw new Y4mError('the file has no frames');
    return video;
  } catch (error) {
    if (error instanceof Y4mError) throw new UsageError(`${path}: ${error.message}`);
    throw error;
  }
}

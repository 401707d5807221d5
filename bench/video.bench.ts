// Video correction per frame at 720p and 1080p: each stage alone and the full chain, in the SIMD
// build, its scalar twins and the scalar build, against ffmpeg's single-threaded C filters on the
// same frames (hqdn3d, unsharp, eq, grayworld, and the hqdn3d+eq+unsharp chain — the baseline).
// Input: generated frames (eval/video/sequences.ts: dark, warm cast, σ = 10 noise), cycled.
import { loadWasm } from '../src/core/wasm-loader.js';
import { VideoCorrector } from '../src/core/video/video-corrector.js';
import type { VideoExports } from '../src/core/video/video-exports.js';
import type { VideoCorrectionOptions } from '../src/core/video/video-options.js';
import { ffmpegAvailable, ffmpegHasFilter, timeFfmpegFilter } from '../eval/video/ffmpeg-peers.js';
import { addNoise, generateSequence } from '../eval/video/sequences.js';
import { type BenchCase, type BenchDefinition, errorRow, finishTable, type ResultRow, runIfMain, runTable, type TableResult } from './harness.js';

const FRAME_SEC = 1 / 30;
const DISTINCT_FRAMES = 4;
/** Frames piped through ffmpeg per timing run (the distinct frames, cycled). */
const FFMPEG_FRAMES = 48;
const FULL_CHAIN: VideoCorrectionOptions = { exposure: true, whiteBalance: true, denoise: 3, sharpen: 2 };
const STAGES: [string, VideoCorrectionOptions][] = [
  ['denoise 3', { denoise: 3 }],
  ['exposure', { exposure: true }],
  ['white balance', { whiteBalance: true }],
  ['sharpen 2', { sharpen: 2 }],
  ['full chain', FULL_CHAIN],
];
const FFMPEG_CHAIN = 'hqdn3d,eq=gamma=1.3,unsharp=5:5:0.8';
const FFMPEG_CASES: [string, string][] = [
  ['ffmpeg hqdn3d', 'hqdn3d'],
  ['ffmpeg eq=gamma=1.3', 'eq=gamma=1.3'],
  ['ffmpeg grayworld', 'grayworld'],
  ['ffmpeg unsharp=5:5:0.8', 'unsharp=5:5:0.8'],
  [`ffmpeg chain ${FFMPEG_CHAIN}`, FFMPEG_CHAIN],
  ['ffmpeg chain + grayworld', `${FFMPEG_CHAIN},grayworld`],
];
const BASELINE = `ffmpeg chain ${FFMPEG_CHAIN}`;

function correctorCase(name: string, corrector: VideoCorrector, frames: Uint8Array[]): BenchCase {
  let i = 0;
  return {
    name,
    fn: () => {
      corrector.input.set(frames[i++ % frames.length]);
      corrector.process();
    },
  };
}

function ffmpegRows(frames: Uint8Array[], width: number, height: number): { rows: ResultRow[]; notes: string[] } {
  if (!ffmpegAvailable()) return { rows: [], notes: ['ffmpeg is not installed: no C peers in this table'] };
  const input = Array.from({ length: FFMPEG_FRAMES }, (_, i) => frames[i % frames.length]);
  const rows: ResultRow[] = [];
  for (const [name, filter] of FFMPEG_CASES) {
    const missing = filter.split(',').map((f) => f.split('=')[0]).find((f) => !ffmpegHasFilter(f));
    if (missing !== undefined) { rows.push(errorRow(name, `this ffmpeg has no ${missing} filter`)); continue; }
    try {
      const ms = timeFfmpegFilter(input, width, height, filter, 3);
      process.stderr.write(`  [ffmpeg] ${name}: ${ms.toFixed(2)} ms/frame\n`);
      rows.push({ case: name, microsecondsPerUnit: ms * 1000, rmePercent: null, samples: 3,
        realTimeFactor: (FRAME_SEC * 1000) / ms, speedVsBaseline: null });
    } catch (error) {
      rows.push(errorRow(name, error));
    }
  }
  return { rows, notes: [`ffmpeg: best of 3 runs of ${FFMPEG_FRAMES} frames with -threads 1 -filter_threads 1, minus a null-filter run (pipe and Y4M parsing)`] };
}

export const bench: BenchDefinition = {
  name: 'video',
  description: 'video correction per frame at 720p and 1080p (stages, full chain, SIMD/scalar, ffmpeg C filters)',
  async run() {
    const [simd, scalar] = await Promise.all([loadWasm({}, 'simd'), loadWasm({}, 'scalar')]);
    const tables: TableResult[] = [];
    for (const [label, width, height] of [['720p', 1280, 720], ['1080p', 1920, 1080]] as const) {
      process.stderr.write(`  generating ${DISTINCT_FRAMES} ${label} frames ...\n`);
      const frames = addNoise(generateSequence({ width, height, frames: DISTINCT_FRAMES, exposure: 0.35, cast: [1.2, 1, 0.8] }), 10, 1).frames;
      const correctors: VideoCorrector[] = [];
      const make = (exports: unknown, options: VideoCorrectionOptions, simdPath = true) => {
        const c = new VideoCorrector(exports as VideoExports, { width, height, options });
        c.setSimd(simdPath);
        correctors.push(c);
        return c;
      };
      const cases: BenchCase[] = [];
      for (const [stage, options] of STAGES) cases.push(correctorCase(`sazanami ${stage}, SIMD`, make(simd.exports, options), frames));
      cases.push(correctorCase('sazanami full chain, SIMD build scalar path', make(simd.exports, FULL_CHAIN, false), frames));
      for (const [stage, options] of STAGES) cases.push(correctorCase(`sazanami ${stage}, scalar build`, make(scalar.exports, options), frames));
      const notes = [
        `input: ${DISTINCT_FRAMES} generated ${width}×${height} I420 frames (2 stops under, warm cast, σ = 10), cycled; each call copies the frame into the kernel's buffer`,
        `full chain = exposure + white balance + denoise 3 + sharpen 2; real-time × = 33.3 ms (30 frames/s) / time per frame`,
        'speed = baseline time / case time (above 1 is faster)',
      ];
      const sazanami = runTable({ name: `video-${label}`, title: '', unit: 'frame', audioSecondsPerUnit: FRAME_SEC, baseline: BASELINE, cases });
      const peers = ffmpegRows(frames, width, height);
      for (const c of correctors) c.destroy();
      tables.push(finishTable({
        name: `video-${label}`,
        title: `Video correction ${label} (${width}×${height}) per frame, single thread (baseline: ffmpeg ${FFMPEG_CHAIN})`,
        unit: 'frame',
        audioSecondsPerUnit: FRAME_SEC,
        baseline: peers.rows.some((r) => r.case === BASELINE && r.microsecondsPerUnit !== null) ? BASELINE : 'sazanami full chain, scalar build',
        baselineLabel: 'baseline',
        notes: [...notes, ...peers.notes],
      }, [...sazanami.rows, ...peers.rows]));
    }
    return tables;
  },
};

await runIfMain(bench, import.meta.url);

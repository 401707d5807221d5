// `npm run eval:video`: the objective video-correction table. Generated sequences (eval/video/
// sequences.ts: panning textured background, moving shapes, text, gradients, skin tone, grey card)
// with noise σ = 10 and 20, a warm colour cast, and two-stops under-exposure; sazanami's stages
// against ffmpeg's C filters (hqdn3d, grayworld, eq, normalize) where ffmpeg is installed. Prints
// one table and writes eval/results/video.json. `--quick` uses 320×180 and fewer frames.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadWasm } from '../../src/core/wasm-loader.js';
import { VideoCorrector } from '../../src/core/video/video-corrector.js';
import type { VideoExports } from '../../src/core/video/video-exports.js';
import type { VideoCorrectionOptions } from '../../src/core/video/video-options.js';
import { FFMPEG_PEERS, ffmpegAvailable, ffmpegHasFilter, runFfmpegFilter } from './ffmpeg-peers.js';
import { exposureStats, flicker, mean, neutralColourError, psnrLuma, ssimLuma } from './metrics.js';
import { addNoise, generateSequence, type Sequence } from './sequences.js';

const quick = process.argv.includes('--quick');
const WIDTH = quick ? 320 : 640, HEIGHT = quick ? 180 : 360, FRAMES = quick ? 24 : 48;
/** Frames skipped before scoring so recursive filters (ours and hqdn3d) have settled. */
const SETTLE_FRAMES = 8;
/** Stated floor for exposure flicker: output |Δ mean luma| per frame beyond the input's own, × the brightening gain. */
const FLICKER_FLOOR_LEVELS = 0.5;

interface Row {
  case: string;
  system: string;
  psnrDb?: number;
  ssim?: number;
  neutralError?: number;
  meanLuma?: number;
  contrast?: number;
  entropyBits?: number;
  flicker?: number;
  msPerFrame?: number;
  note?: string;
}

const wasm = await loadWasm();
const exports = wasm.exports as unknown as VideoExports;
const haveFfmpeg = ffmpegAvailable();
const rows: Row[] = [];

interface Output { frames: Uint8Array[]; msPerFrame: number }

function sazanami(sequence: Sequence, options: VideoCorrectionOptions): Output {
  const corrector = new VideoCorrector(exports, { width: sequence.width, height: sequence.height, options });
  const frames: Uint8Array[] = [];
  const started = performance.now();
  for (const frame of sequence.frames) frames.push(corrector.processFrame(frame).slice());
  const msPerFrame = (performance.now() - started) / sequence.frames.length;
  corrector.destroy();
  return { frames, msPerFrame };
}

function ffmpeg(sequence: Sequence, filter: string): Output | null {
  if (!haveFfmpeg) return null;
  const name = filter.split(/[=,]/)[0];
  if (!ffmpegHasFilter(name)) return null;
  const run = runFfmpegFilter(sequence.frames, sequence.width, sequence.height, filter);
  const base = runFfmpegFilter(sequence.frames, sequence.width, sequence.height, 'null');
  return { frames: run.frames, msPerFrame: Math.max(0, run.elapsedMs - base.elapsedMs) / sequence.frames.length };
}

const scored = (frames: Uint8Array[]) => frames.slice(SETTLE_FRAMES);

function fidelity(caseName: string, system: string, clean: Sequence, out: Output | null, note?: string): void {
  if (out === null) { rows.push({ case: caseName, system, note: 'ffmpeg not installed (or lacks the filter)' }); return; }
  const ref = scored(clean.frames), got = scored(out.frames);
  rows.push({
    case: caseName, system,
    psnrDb: mean(got.map((f, i) => psnrLuma(f, ref[i], WIDTH, HEIGHT))),
    ssim: mean(got.map((f, i) => ssimLuma(f, ref[i], WIDTH, HEIGHT))),
    msPerFrame: out.msPerFrame || undefined,
    note,
  });
}

function colour(caseName: string, system: string, sequence: Sequence, out: Output | null): void {
  if (out === null) { rows.push({ case: caseName, system, note: 'ffmpeg not installed (or lacks the filter)' }); return; }
  rows.push({
    case: caseName, system,
    neutralError: mean(scored(out.frames).map((f) => neutralColourError(f, WIDTH, HEIGHT, sequence.neutralRects))),
    msPerFrame: out.msPerFrame || undefined,
  });
}

function exposure(caseName: string, system: string, out: Output | null, note?: string): void {
  if (out === null) { rows.push({ case: caseName, system, note: 'ffmpeg not installed (or lacks the filter)' }); return; }
  const stats = scored(out.frames).map((f) => exposureStats(f, WIDTH, HEIGHT));
  rows.push({
    case: caseName, system,
    meanLuma: mean(stats.map((s) => s.meanLuma)), contrast: mean(stats.map((s) => s.contrast)), entropyBits: mean(stats.map((s) => s.entropyBits)),
    flicker: flicker(scored(out.frames), WIDTH, HEIGHT),
    msPerFrame: out.msPerFrame || undefined, note,
  });
}

const none = (sequence: Sequence): Output => ({ frames: sequence.frames, msPerFrame: 0 });

console.error(`generating ${WIDTH}×${HEIGHT} sequences of ${FRAMES} frames ...`);
const clean = generateSequence({ width: WIDTH, height: HEIGHT, frames: FRAMES });

// Denoise: PSNR/SSIM against the clean sequence.
for (const sigma of [10, 20]) {
  const noisy = addNoise(clean, sigma, sigma);
  const name = `denoise σ=${sigma}`;
  fidelity(name, 'noisy input', clean, none(noisy));
  fidelity(name, 'sazanami denoise 3', clean, sazanami(noisy, { denoise: 3 }));
  fidelity(name, 'sazanami denoise 6', clean, sazanami(noisy, { denoise: 6 }));
  fidelity(name, 'ffmpeg hqdn3d (defaults)', clean, ffmpeg(noisy, FFMPEG_PEERS.denoise));
  fidelity(name, 'ffmpeg hqdn3d=8:6:12:9', clean, ffmpeg(noisy, 'hqdn3d=8:6:12:9'));
}

// White balance: chroma distance from grey on the grey card.
const cast = generateSequence({ width: WIDTH, height: HEIGHT, frames: FRAMES, cast: [1.25, 1, 0.75] });
colour('warm cast R×1.25 B×0.75', 'cast input', cast, none(cast));
colour('warm cast R×1.25 B×0.75', 'sazanami white balance', cast, sazanami(cast, { whiteBalance: true }));
colour('warm cast R×1.25 B×0.75', 'ffmpeg grayworld', cast, ffmpeg(cast, FFMPEG_PEERS.whiteBalance));
const coolCast = generateSequence({ width: WIDTH, height: HEIGHT, frames: FRAMES, cast: [0.8, 1, 1.2] });
colour('cool cast R×0.8 B×1.2', 'cast input', coolCast, none(coolCast));
colour('cool cast R×0.8 B×1.2', 'sazanami white balance', coolCast, sazanami(coolCast, { whiteBalance: true }));
colour('cool cast R×0.8 B×1.2', 'ffmpeg grayworld', coolCast, ffmpeg(coolCast, FFMPEG_PEERS.whiteBalance));
colour('no cast', 'clean input', clean, none(clean));
colour('no cast', 'sazanami white balance', clean, sazanami(clean, { whiteBalance: true }));
colour('no cast', 'ffmpeg grayworld', clean, ffmpeg(clean, FFMPEG_PEERS.whiteBalance));

// Exposure: two stops under with σ = 5 sensor noise.
const dark = addNoise(generateSequence({ width: WIDTH, height: HEIGHT, frames: FRAMES, exposure: 0.25 }), 5, 99);
const darkName = 'under-exposed 2 stops, σ=5';
exposure(darkName, 'clean (reference)', none(clean));
exposure(darkName, 'dark input', none(dark));
const corrected = sazanami(dark, { exposure: true });
exposure(darkName, 'sazanami exposure', corrected);
exposure(darkName, 'sazanami exposure + denoise 3', sazanami(dark, { exposure: true, denoise: 3 }));
exposure(darkName, `ffmpeg ${FFMPEG_PEERS.exposure}`, ffmpeg(dark, FFMPEG_PEERS.exposure), 'fixed gamma, no analysis');
exposure(darkName, 'ffmpeg normalize', ffmpeg(dark, FFMPEG_PEERS.exposureAdaptive), 'normalize=smoothing=30');

// Full chain on everything at once (dark + cast + σ = 10).
const worst = addNoise(generateSequence({ width: WIDTH, height: HEIGHT, frames: FRAMES, exposure: 0.35, cast: [1.2, 1, 0.8] }), 10, 5);
const chain = sazanami(worst, { exposure: true, whiteBalance: true, denoise: 4, sharpen: 2 });
exposure('dark + cast + σ=10, full chain', 'input', none(worst));
exposure('dark + cast + σ=10, full chain', 'sazanami full chain', chain);
exposure('dark + cast + σ=10, full chain', `ffmpeg ${FFMPEG_PEERS.chain}`, ffmpeg(worst, FFMPEG_PEERS.chain));

// ---- print ----
const fmt = (v: number | undefined, d: number) => (v === undefined || !Number.isFinite(v) ? '' : v.toFixed(d));
const header = ['case', 'system', 'PSNR dB', 'SSIM', 'neutral ΔC', 'mean Y', 'contrast', 'entropy b', 'flicker', 'ms/frame'];
const body = rows.map((r) => [r.case, r.system, fmt(r.psnrDb, 2), fmt(r.ssim, 4), fmt(r.neutralError, 2), fmt(r.meanLuma, 1),
  fmt(r.contrast, 1), fmt(r.entropyBits, 2), fmt(r.flicker, 3), fmt(r.msPerFrame, 2)]);
const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
const out: string[] = [`Video correction, ${WIDTH}×${HEIGHT}, ${FRAMES} frames (first ${SETTLE_FRAMES} not scored), ${wasm.flavor} Wasm, ffmpeg ${haveFfmpeg ? 'single-thread' : 'not installed'}`,
  line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
let last = '';
for (const [i, b] of body.entries()) {
  if (rows[i].case !== last && last !== '') out.push('');
  last = rows[i].case;
  out.push(line(b) + (rows[i].note ? `   (${rows[i].note})` : ''));
}
const darkIn = rows.find((r) => r.case === darkName && r.system === 'dark input');
const darkOut = rows.find((r) => r.case === darkName && r.system === 'sazanami exposure');
let flickerVerdict = '';
if (darkIn?.flicker !== undefined && darkOut?.flicker !== undefined && darkIn.meanLuma && darkOut.meanLuma) {
  const allowed = (darkOut.meanLuma / darkIn.meanLuma) * darkIn.flicker + FLICKER_FLOOR_LEVELS;
  flickerVerdict = `exposure flicker ${darkOut.flicker.toFixed(3)} levels/frame vs floor ${allowed.toFixed(3)} `
    + `(input flicker × brightening gain + ${FLICKER_FLOOR_LEVELS}): ${darkOut.flicker <= allowed ? 'below the floor' : 'ABOVE the floor'}`;
}
out.push('', 'PSNR/SSIM: luma vs the clean sequence (SSIM on 8×8 windows, stride 4). neutral ΔC: mean |(U,V) − grey| on the grey card, 8-bit levels.',
  'flicker: mean |Δ mean luma| between consecutive frames, levels/frame. ms/frame: sazanami in-process (Wasm, 1 thread); ffmpeg: run minus a null-filter run, -threads 1.');
if (flickerVerdict) out.push(flickerVerdict);
console.log(out.join('\n'));

mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
writeFileSync(new URL('../results/video.json', import.meta.url), `${JSON.stringify({
  date: new Date().toISOString(), width: WIDTH, height: HEIGHT, frames: FRAMES, settleFrames: SETTLE_FRAMES, flavor: wasm.flavor, ffmpeg: haveFfmpeg, rows, flickerVerdict,
}, null, 2)}\n`);

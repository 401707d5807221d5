// The video correction kernel: SIMD/scalar twins bit-exact (I420 and NV12, widths with SIMD tails),
// what each stage does to generated sequences (denoise gain without ghosting, exposure brightening
// without flicker, white balance removing a cast, sharpening edges but not noise), no allocation
// while processing, and clear errors for bad sizes, formats and options.
import { beforeAll, describe, expect, it } from 'vitest';
import { VideoCorrector } from '../src/core/video/video-corrector.js';
import type { VideoExports } from '../src/core/video/video-exports.js';
import type { VideoCorrectionOptions } from '../src/core/video/video-options.js';
import { addNoise, generateSequence, type Sequence } from '../eval/video/sequences.js';
import { exposureStats, flicker, neutralColourError, psnrLuma, ssimLuma, mean } from '../eval/video/metrics.js';
import { allocationCursor, type BothBuilds, loadBothBuilds } from './helpers/wasm.js';

let builds: BothBuilds;
let simd: VideoExports;
let scalar: VideoExports;
beforeAll(async () => {
  builds = await loadBothBuilds();
  simd = builds.simd.exports as unknown as VideoExports;
  scalar = builds.scalar.exports as unknown as VideoExports;
});

const ALL_STAGES: VideoCorrectionOptions = { exposure: true, whiteBalance: true, denoise: 4, sharpen: 3 };

function run(exports: VideoExports, sequence: Sequence, options: VideoCorrectionOptions, config: { simd?: boolean; format?: 'I420' | 'NV12' } = {}): Uint8Array[] {
  const corrector = new VideoCorrector(exports, { width: sequence.width, height: sequence.height, format: config.format ?? 'I420', options });
  if (config.simd === false) corrector.setSimd(false);
  const out = sequence.frames.map((frame) => corrector.processFrame(frame).slice());
  expect(corrector.stats().error).toBeNull();
  corrector.destroy();
  return out;
}

/** I420 → NV12 (same Y, interleaved UV), for feeding the NV12 path the same pictures. */
function toNv12(frame: Uint8Array, width: number, height: number): Uint8Array {
  const lumaSize = width * height, chroma = (width >> 1) * (height >> 1);
  const out = new Uint8Array(frame.length);
  out.set(frame.subarray(0, lumaSize));
  for (let i = 0; i < chroma; i++) {
    out[lumaSize + 2 * i] = frame[lumaSize + i];
    out[lumaSize + 2 * i + 1] = frame[lumaSize + chroma + i];
  }
  return out;
}

function countDifferences(a: Uint8Array[], b: Uint8Array[]): number {
  let n = 0;
  for (let f = 0; f < a.length; f++) for (let i = 0; i < a[f].length; i++) if (a[f][i] !== b[f][i]) n++;
  return n;
}

describe('SIMD and scalar twins', () => {
  // Every stage is integer arithmetic in both twins (i16 lanes, Q7/Q15 fixed point, the same
  // 32-segment curve), and the per-frame parameters are computed once in scalar code, so the
  // twins must agree bit for bit: the tolerance is zero differing bytes.
  const stageSets: [string, VideoCorrectionOptions][] = [
    ['all stages', ALL_STAGES], ['denoise 8', { denoise: 8 }], ['exposure', { exposure: true }],
    ['white balance', { whiteBalance: 0.7 }], ['sharpen 10', { sharpen: 10 }], ['exposure + sharpen', { exposure: 0.5, sharpen: 2 }],
  ];
  for (const [width, height] of [[66, 50], [320, 240]] as const) {
    const sequence = addNoise(generateSequence({ width, height, frames: 8, exposure: 0.3, cast: [1.2, 1, 0.8] }), 15, width);
    it.each(stageSets)(`${width}×${height} %s: SIMD path, scalar path and scalar build give identical I420 frames`, (_, options) => {
      const reference = run(simd, sequence, options);
      expect(countDifferences(run(simd, sequence, options, { simd: false }), reference)).toBe(0);
      expect(countDifferences(run(scalar, sequence, options), reference)).toBe(0);
    });
  }

  it('NV12 frames get exactly the I420 result, interleaved, in both twins (66×50, all stages)', () => {
    const { width, height } = { width: 66, height: 50 };
    const sequence = addNoise(generateSequence({ width, height, frames: 6, exposure: 0.4, cast: [0.8, 1, 1.2] }), 12, 9);
    const i420 = run(simd, sequence, ALL_STAGES).map((f) => toNv12(f, width, height));
    const nv12Input = { ...sequence, frames: sequence.frames.map((f) => toNv12(f, width, height)) };
    expect(countDifferences(run(simd, nv12Input, ALL_STAGES, { format: 'NV12' }), i420)).toBe(0);
    expect(countDifferences(run(simd, nv12Input, ALL_STAGES, { format: 'NV12', simd: false }), i420)).toBe(0);
  });
});

describe('temporal denoise', () => {
  const width = 160, height = 120;
  const still = generateSequence({ width, height, frames: 20, panPixelsPerFrame: 0 });
  const panning = generateSequence({ width, height, frames: 20, panPixelsPerFrame: 2 });

  it('raises luma PSNR by ≥ 5 dB at σ = 20 on a still camera once the recursion has settled (frames 10–19)', () => {
    const noisy = addNoise(still, 20, 1);
    const out = run(simd, noisy, { denoise: 5 });
    const gain = mean(out.slice(10).map((f, i) => psnrLuma(f, still.frames[i + 10], width, height)))
      - mean(noisy.frames.slice(10).map((f, i) => psnrLuma(f, still.frames[i + 10], width, height)));
    expect(gain).toBeGreaterThan(5);
  });

  it('raises SSIM by ≥ 0.15 at σ = 20 on a panning camera (motion falls back to the spatial estimate)', () => {
    const noisy = addNoise(panning, 20, 2);
    const out = run(simd, noisy, { denoise: 3 });
    const gain = mean(out.slice(5).map((f, i) => ssimLuma(f, panning.frames[i + 5], width, height)))
      - mean(noisy.frames.slice(5).map((f, i) => ssimLuma(f, panning.frames[i + 5], width, height)));
    expect(gain).toBeGreaterThan(0.15);
  });

  it('leaves no ghost: a white square moving 6 px/frame over grey leaves < 3 levels of trail at strength 10', () => {
    const frames: Uint8Array[] = [];
    const size = width * height * 1.5;
    for (let t = 0; t < 12; t++) {
      const f = new Uint8Array(size).fill(128);
      f.fill(60, 0, width * height);
      for (let y = 40; y < 80; y++) for (let x = 10 + 6 * t; x < 40 + 6 * t; x++) f[y * width + x] = 230;
      frames.push(f);
    }
    const clean: Sequence = { width, height, frames, neutralRects: [] };
    const out = run(simd, addNoise(clean, 4, 3), { denoise: 10 });
    // The region the square left during the last two frames.
    let trail = 0, n = 0;
    for (let y = 44; y < 76; y++) for (let x = 10 + 6 * 9; x < 10 + 6 * 11 - 2; x++) { trail += Math.abs(out[11][y * width + x] - 60); n++; }
    expect(trail / n).toBeLessThan(3);
  });
});

describe('exposure', () => {
  const width = 160, height = 120;
  it('brightens a two-stops-under sequence by ≥ 25 levels of mean luma and raises its RMS contrast', () => {
    const dark = generateSequence({ width, height, frames: 10, exposure: 0.25 });
    const out = run(simd, dark, { exposure: true });
    const before = exposureStats(dark.frames[9], width, height), after = exposureStats(out[9], width, height);
    expect(after.meanLuma - before.meanLuma).toBeGreaterThan(25);
    // (A point mapping of 8-bit levels cannot raise histogram entropy, so contrast is the check.)
    expect(after.contrast).toBeGreaterThan(before.contrast);
  });

  it('leaves a well-exposed sequence within 1 level of mean luma', () => {
    const normal = generateSequence({ width, height, frames: 6, exposure: 1.4 });
    const out = run(simd, normal, { exposure: true });
    expect(exposureStats(normal.frames[5], width, height).meanLuma).toBeGreaterThan(118);
    expect(Math.abs(exposureStats(out[5], width, height).meanLuma - exposureStats(normal.frames[5], width, height).meanLuma)).toBeLessThan(1);
  });

  it('adds no flicker: on a still dark noisy sequence the mean luma moves < 0.5 level per frame', () => {
    const dark = addNoise(generateSequence({ width, height, frames: 20, exposure: 0.25, panPixelsPerFrame: 0 }), 10, 4);
    const out = run(simd, dark, { exposure: true });
    expect(flicker(out.slice(2), width, height)).toBeLessThan(0.5);
  });
});

describe('white balance', () => {
  const width = 160, height = 120;
  it('halves the colour error of the grey card under a warm cast (R ×1.25, B ×0.75) within 30 frames', () => {
    const cast = generateSequence({ width, height, frames: 30, cast: [1.25, 1, 0.75] });
    const out = run(simd, cast, { whiteBalance: true });
    const before = neutralColourError(cast.frames[29], width, height, cast.neutralRects);
    const after = neutralColourError(out[29], width, height, cast.neutralRects);
    expect(before).toBeGreaterThan(10);
    expect(after).toBeLessThan(before / 2);
  });

  it('keeps a neutral sequence within 4 levels of grey on the card', () => {
    const neutral = generateSequence({ width, height, frames: 10 });
    const out = run(simd, neutral, { whiteBalance: true });
    expect(neutralColourError(out[9], width, height, neutral.neutralRects)).toBeLessThan(4);
  });
});

describe('sharpening', () => {
  const width = 64, height = 48;
  it('steepens an edge but leaves σ = 2 noise on a flat field unamplified (coring threshold)', () => {
    const edge = new Uint8Array(width * height * 1.5).fill(128);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) edge[y * width + x] = x < 32 ? 80 : 170;
    const flat = addNoise({ width, height, frames: [new Uint8Array(width * height * 1.5).fill(128)], neutralRects: [] }, 2, 5);
    const sharpened = run(simd, { width, height, frames: [edge], neutralRects: [] }, { sharpen: 5 })[0];
    expect(sharpened[20 * width + 31]).toBeLessThan(80);   // undershoot before the edge
    expect(sharpened[20 * width + 32]).toBeGreaterThan(170); // overshoot after it
    const noisyOut = run(simd, flat, { sharpen: 5 })[0];
    const std = (f: Uint8Array) => exposureStats(f, width, height).contrast;
    expect(std(noisyOut)).toBeLessThan(std(flat.frames[0]) * 1.05);
  });
});

describe('memory and validation', () => {
  it.each(['simd', 'scalar'] as const)('%s build: process() allocates nothing over 200 frames of the full chain', (flavor) => {
    const exports = builds[flavor].exports;
    const video = exports as unknown as VideoExports;
    const sequence = addNoise(generateSequence({ width: 64, height: 48, frames: 4 }), 10, 6);
    const corrector = new VideoCorrector(video, { width: 64, height: 48, options: ALL_STAGES });
    allocationCursor(exports);
    const first = allocationCursor(exports), second = allocationCursor(exports);
    const bytesBefore = exports.memory.buffer.byteLength;
    for (let i = 0; i < 200; i++) { corrector.input.set(sequence.frames[i % 4]); corrector.process(); }
    const after = allocationCursor(exports);
    expect(after - second - (second - first)).toBe(0);
    expect(exports.memory.buffer.byteLength).toBe(bytesBefore);
    corrector.destroy();
  });

  it('rejects odd, oversized and non-integer frame sizes with a RangeError/TypeError naming what is accepted', () => {
    expect(() => new VideoCorrector(simd, { width: 65, height: 48 })).toThrow(/even width and height/);
    expect(() => new VideoCorrector(simd, { width: 64, height: 47 })).toThrow(RangeError);
    expect(() => new VideoCorrector(simd, { width: 4098, height: 64 })).toThrow(/up to|to 4096/);
    expect(() => new VideoCorrector(simd, { width: 4096, height: 4096 })).toThrow(/4K/);
    expect(() => new VideoCorrector(simd, { width: 0, height: 64 })).toThrow(RangeError);
    expect(() => new VideoCorrector(simd, { width: 64.5, height: 64 })).toThrow(TypeError);
    expect(simd.videoCreate(65, 48, 0)).toBe(-1);
  });

  it('accepts 4K UHD (3840×2160) at creation', () => {
    const corrector = new VideoCorrector(simd, { width: 3840, height: 2160, options: { denoise: 1 } });
    expect(corrector.frameBytes).toBe(3840 * 2160 * 1.5);
    corrector.destroy();
  });

  it('rejects unknown formats, bad options and wrong-sized frames with clear errors', () => {
    expect(() => new VideoCorrector(simd, { width: 64, height: 48, format: 'RGBA' as 'I420' })).toThrow(/accepted: I420, NV12/);
    expect(() => new VideoCorrector(simd, { width: 64, height: 48, options: { denoise: 11 } })).toThrow(/0 \(off\) to 10/);
    expect(() => new VideoCorrector(simd, { width: 64, height: 48, options: { exposure: 2 } })).toThrow(RangeError);
    expect(() => new VideoCorrector(simd, { width: 64, height: 48, options: { brightness: 1 } as VideoCorrectionOptions })).toThrow(/unknown video option 'brightness'/);
    const corrector = new VideoCorrector(simd, { width: 64, height: 48 });
    expect(() => corrector.processFrame(new Uint8Array(100))).toThrow(/4608/);
    expect(() => corrector.update({ sharpen: Number.NaN })).toThrow(RangeError);
    corrector.update({ sharpen: 2 });
    expect(corrector.stats().settings.sharpenStrength).toBe(2);
    corrector.destroy();
  });
});

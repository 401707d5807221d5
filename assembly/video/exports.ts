// Numeric exports of the video correction kernel (re-exported by assembly/index.ts): a handle table
// of VideoCorrectors; JS writes a frame into the kernel's input buffer and reads the output buffer
// through views of the pointers returned here. No export copies arrays.
import { ptr, SIMD_BUILD } from '../common';
import { isValidFormat, isValidSize } from './video-common';
import { VideoCorrector } from './video-corrector';

const correctors = new Array<VideoCorrector | null>();

/** Returns a handle ≥ 0, or −1 for an unsupported size or format (validated again in JS). */
export function videoCreate(width: i32, height: i32, format: i32): i32 {
  if (!isValidSize(width, height) || !isValidFormat(format)) return -1;
  const item = new VideoCorrector(width, height, format);
  for (let i = 0; i < correctors.length; i++) {
    if (unchecked(correctors[i]) === null) { unchecked(correctors[i] = item); return i; }
  }
  correctors.push(item);
  return correctors.length - 1;
}
export function videoDestroy(h: i32): void { if (h >= 0 && h < correctors.length) unchecked(correctors[h] = null); }
export function videoInputPtr(h: i32): usize { const c = corrector(h); return c ? ptr(c.input) : 0; }
export function videoOutputPtr(h: i32): usize { const c = corrector(h); return c ? ptr(c.output) : 0; }
export function videoFrameBytes(h: i32): i32 { const c = corrector(h); return c ? c.frameBytes : 0; }
/** Corrects the frame in the input buffer into the output buffer; false on a bad handle. */
export function videoProcess(h: i32): bool { const c = corrector(h); if (!c) return false; c.process(); return true; }
/** Strengths: exposure and white balance 0–1, denoise and sharpen 0–10; 0 turns a stage off. */
export function videoSetExposure(h: i32, strength: f32): void { const c = corrector(h); if (c) c.exposureStrength = clampStrength(strength, 1); }
export function videoSetWhiteBalance(h: i32, strength: f32): void { const c = corrector(h); if (c) c.whiteBalanceStrength = clampStrength(strength, 1); }
export function videoSetDenoise(h: i32, strength: f32): void { const c = corrector(h); if (c) c.denoiseStrength = clampStrength(strength, 10); }
export function videoSetSharpen(h: i32, strength: f32): void { const c = corrector(h); if (c) c.sharpenStrength = clampStrength(strength, 10); }
export function videoSetSimd(h: i32, on: bool): void { const c = corrector(h); if (c) c.useSimd = on && SIMD_BUILD; }
export function videoReset(h: i32): void { const c = corrector(h); if (c) c.reset(); }
export function videoFrameCount(h: i32): i32 { const c = corrector(h); return c ? c.frames : 0; }
export function videoMeanLuma(h: i32): f32 { const c = corrector(h); return c ? c.exposure.meanLuma : 0; }
export function videoMidGamma(h: i32): f32 { const c = corrector(h); return c ? c.exposure.midGamma : 1; }
export function videoGainRed(h: i32): f32 { const c = corrector(h); return c ? <f32>c.whiteBalance.gainRed : 1; }
export function videoGainGreen(h: i32): f32 { const c = corrector(h); return c ? <f32>c.whiteBalance.gainGreen : 1; }
export function videoGainBlue(h: i32): f32 { const c = corrector(h); return c ? <f32>c.whiteBalance.gainBlue : 1; }
/** Luma noise σ (8-bit levels) the denoiser measured, or the sharpener's estimate without denoising. */
export function videoNoiseSigma(h: i32): f32 {
  const c = corrector(h);
  if (!c) return 0;
  return c.denoiseStrength > 0 ? c.denoiseY.noise.sigma : c.lumaNoise.sigma;
}

function clampStrength(x: f32, limit: f32): f32 {
  return x > 0 ? (x < limit ? x : limit) : 0;  // NaN → 0
}

function corrector(h: i32): VideoCorrector | null { return h >= 0 && h < correctors.length ? unchecked(correctors[h]) : null; }

// Objective video metrics on I420 frames: PSNR and SSIM of luma (SSIM on 8 × 8 windows every 4
// pixels, constants of Wang et al. 2004, as libvpx/x264 compute it), colour error of neutral areas
// (mean chroma distance from grey, 8-bit levels), and exposure statistics: mean luma, RMS contrast,
// luma entropy (bits) and flicker (mean |Δ mean luma| between consecutive frames).
import type { Rect } from './sequences.js';

export function psnrLuma(a: Uint8Array, b: Uint8Array, width: number, height: number): number {
  let sum = 0;
  const n = width * height;
  for (let i = 0; i < n; i++) { const d = a[i] - b[i]; sum += d * d; }
  const mse = sum / n;
  return mse === 0 ? 99 : 10 * Math.log10((255 * 255) / mse);
}

const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

export function ssimLuma(a: Uint8Array, b: Uint8Array, width: number, height: number): number {
  let total = 0, windows = 0;
  for (let y = 0; y + 8 <= height; y += 4) {
    for (let x = 0; x + 8 <= width; x += 4) {
      let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
      for (let j = 0; j < 8; j++) {
        const row = (y + j) * width + x;
        for (let i = 0; i < 8; i++) {
          const p = a[row + i], q = b[row + i];
          sa += p; sb += q; saa += p * p; sbb += q * q; sab += p * q;
        }
      }
      const ma = sa / 64, mb = sb / 64;
      const va = saa / 64 - ma * ma, vb = sbb / 64 - mb * mb, cov = sab / 64 - ma * mb;
      total += ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
      windows++;
    }
  }
  return windows ? total / windows : 1;
}

/** Mean distance of chroma from neutral (U = V = 128) inside `rects` (luma coordinates), 8-bit levels. */
export function neutralColourError(frame: Uint8Array, width: number, height: number, rects: Rect[]): number {
  const cw = width >> 1, ch = height >> 1, lumaSize = width * height;
  let sum = 0, n = 0;
  for (const r of rects) {
    for (let cy = Math.ceil(r.y / 2); cy < Math.floor((r.y + r.height) / 2); cy++) {
      for (let cx = Math.ceil(r.x / 2); cx < Math.floor((r.x + r.width) / 2); cx++) {
        const u = frame[lumaSize + cy * cw + cx] - 128, v = frame[lumaSize + cw * ch + cy * cw + cx] - 128;
        sum += Math.hypot(u, v);
        n++;
      }
    }
  }
  return n ? sum / n : 0;
}

export interface ExposureStats {
  meanLuma: number;
  /** RMS contrast: standard deviation of luma. */
  contrast: number;
  /** Shannon entropy of the luma histogram, bits. */
  entropyBits: number;
}

export function exposureStats(frame: Uint8Array, width: number, height: number): ExposureStats {
  const n = width * height;
  const hist = new Float64Array(256);
  let sum = 0, sumSq = 0;
  for (let i = 0; i < n; i++) { const v = frame[i]; hist[v]++; sum += v; sumSq += v * v; }
  const mean = sum / n;
  let entropy = 0;
  for (const c of hist) if (c > 0) { const p = c / n; entropy -= p * Math.log2(p); }
  return { meanLuma: mean, contrast: Math.sqrt(Math.max(0, sumSq / n - mean * mean)), entropyBits: entropy };
}

/** Mean |Δ mean luma| between consecutive frames (8-bit levels per frame). */
export function flicker(frames: Uint8Array[], width: number, height: number): number {
  const n = width * height;
  const means = frames.map((f) => { let s = 0; for (let i = 0; i < n; i++) s += f[i]; return s / n; });
  let total = 0;
  for (let i = 1; i < means.length; i++) total += Math.abs(means[i] - means[i - 1]);
  return means.length > 1 ? total / (means.length - 1) : 0;
}

export function mean(values: number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

// Exposure / low-light correction: adaptive gamma correction with weighting distribution (AGCWD,
// S.-C. Huang, F.-C. Cheng, Y.-S. Chiu, "Efficient contrast enhancement using adaptive gamma
// correction with weighting distribution", IEEE TIP 2013) on the luma histogram:
//   pdf_w(l) = pdf_max · ((pdf(l) − pdf_min) / (pdf_max − pdf_min))^α,  cdf_w = normalised Σ pdf_w
//   T(l) = 255 · (l / 255)^(1 − cdf_w(l))
// applied in proportion to how dark the frame is (AGCWD alone also brightens well-exposed frames),
// times the user's strength. The curve's knots are smoothed over frames so brightness does not
// flicker. The curve is applied as 32 linear segments (knots every 8 levels) so that a SIMD lane
// can look it up with two 16-entry swizzles; the scalar twin evaluates the same segments.
import { SIMD_BUILD } from '../common';
import { clampI32 } from './video-common';

export const EXPOSURE_SEGMENTS: i32 = 32;
const KNOTS: i32 = EXPOSURE_SEGMENTS + 1;
/** AGCWD's weighting exponent α (the paper's choice for dimmed images). */
const WEIGHTING_ALPHA: f64 = 0.5;
/** Frames at or above this mean luma are left alone; darker frames get more of the curve. */
const TARGET_MEAN_LUMA: f64 = 118;
/** Mean luma at which the full strength applies. */
const DARK_MEAN_LUMA: f64 = 60;
/** Per-frame smoothing of the curve knots (≈ 0.5 s time constant at 30 frames/s). */
const CURVE_SMOOTHING: f64 = 0.06;

export class ExposureCurve {
  useSimd: bool = SIMD_BUILD;
  /** Mean luma of the last analysed frame and the gamma the curve applies at mid-grey (diagnostics). */
  meanLuma: f32 = 0;
  midGamma: f32 = 1;
  private readonly histogram: StaticArray<i32> = new StaticArray<i32>(256);
  private readonly knots: StaticArray<f64> = new StaticArray<f64>(KNOTS);
  // Segment tables: 16-byte halves for i8x16.swizzle (segments 0–15, 16–31).
  readonly base: StaticArray<u8> = new StaticArray<u8>(EXPOSURE_SEGMENTS);
  readonly slope: StaticArray<u8> = new StaticArray<u8>(EXPOSURE_SEGMENTS);
  private primed: bool = false;

  constructor() { this.identity(); }

  reset(): void { this.primed = false; this.identity(); }

  /** Histogram of every 2nd column of every 4th row; returns the sample count. */
  analyse(luma: usize, width: i32, height: i32): i32 {
    const hist = changetype<usize>(this.histogram);
    memory.fill(hist, 0, 256 << 2);
    let count = 0;
    for (let y = 1; y < height; y += 4) {
      const row = luma + <usize>(y * width);
      for (let x = 0; x < width; x += 2) {
        const at = hist + (<usize>load<u8>(row + <usize>x) << 2);
        store<i32>(at, load<i32>(at) + 1);
        count++;
      }
    }
    return count;
  }

  /** Luma level below which `fraction` of the analysed samples lie (white-patch selection). */
  percentile(fraction: f64): i32 {
    let total: i64 = 0;
    for (let l = 0; l < 256; l++) total += unchecked(this.histogram[l]);
    const limit = <i64>(fraction * <f64>total);
    let cumulative: i64 = 0;
    for (let l = 0; l < 256; l++) {
      cumulative += unchecked(this.histogram[l]);
      if (cumulative >= limit) return l;
    }
    return 255;
  }

  /** Builds this frame's curve from the histogram of analyse() and `strength` (0–1). */
  update(strength: f32): void {
    let total: f64 = 0, sum: f64 = 0, pdfMax: f64 = 0, pdfMin: f64 = 1e30;
    for (let l = 0; l < 256; l++) {
      const n = <f64>unchecked(this.histogram[l]);
      total += n;
      sum += n * <f64>l;
    }
    if (total <= 0) return;
    for (let l = 0; l < 256; l++) {
      const p = <f64>unchecked(this.histogram[l]) / total;
      if (p > pdfMax) pdfMax = p;
      if (p < pdfMin) pdfMin = p;
    }
    const mean = sum / total;
    this.meanLuma = <f32>mean;
    const darkness = Math.min(Math.max((TARGET_MEAN_LUMA - mean) / (TARGET_MEAN_LUMA - DARK_MEAN_LUMA), 0), 1);
    const amount = darkness * <f64>strength;
    const spread = pdfMax - pdfMin;
    // cdf_w at each knot level: accumulate the weighted pdf over all levels once.
    let weightedTotal: f64 = 0;
    for (let l = 0; l < 256; l++) {
      const p = <f64>unchecked(this.histogram[l]) / total;
      weightedTotal += spread > 0 ? pdfMax * Math.pow((p - pdfMin) / spread, WEIGHTING_ALPHA) : 1;
    }
    let cumulative: f64 = 0;
    let level = 0;
    for (let k = 0; k < KNOTS; k++) {
      const knotLevel = k < EXPOSURE_SEGMENTS ? k * 8 : 255;
      while (level <= knotLevel) {
        const p = <f64>unchecked(this.histogram[level]) / total;
        cumulative += spread > 0 ? pdfMax * Math.pow((p - pdfMin) / spread, WEIGHTING_ALPHA) : 1;
        level++;
      }
      const gamma = 1.0 - cumulative / weightedTotal;
      const mapped = knotLevel == 0 ? 0.0 : 255.0 * Math.pow(<f64>knotLevel / 255.0, gamma);
      const target = <f64>knotLevel + amount * (mapped - <f64>knotLevel);
      const previous = unchecked(this.knots[k]);
      unchecked(this.knots[k] = this.primed ? previous + CURVE_SMOOTHING * (target - previous) : target);
    }
    this.primed = true;
    const mid = unchecked(this.knots[16]);
    this.midGamma = mid > 0 && mid < 255 ? <f32>(Math.log(mid / 255.0) / Math.log(128.0 / 255.0)) : 1;
    this.buildTables();
  }

  /** Applies the curve to `n` pixels. */
  apply(input: usize, output: usize, n: i32): void {
    let x = 0;
    if (SIMD_BUILD && this.useSimd) x = this.applySimd(input, output, n);
    const base = changetype<usize>(this.base), slope = changetype<usize>(this.slope);
    for (; x < n; x++) store<u8>(output + <usize>x, <u8>mapScalar(<i32>load<u8>(input + <usize>x), base, slope));
  }

  private applySimd(input: usize, output: usize, n: i32): i32 {
    const base = changetype<usize>(this.base), slope = changetype<usize>(this.slope);
    const baseLo = v128.load(base), baseHi = v128.load(base + 16);
    const slopeLo = v128.load(slope), slopeHi = v128.load(slope + 16);
    const sixteen = i8x16.splat(16), seven = i16x8.splat(7), four = i16x8.splat(4);
    const count = n & ~15;
    for (let x = 0; x < count; x += 16) {
      const v = v128.load(input + <usize>x);
      const segment = i8x16.shr_u(v, 3);
      const high = i8x16.sub(segment, sixteen);  // < 16 only for segments 16–31; wraps to ≥ 240 otherwise
      const b = v128.or(i8x16.swizzle(baseLo, segment), i8x16.swizzle(baseHi, high));
      const s = v128.or(i8x16.swizzle(slopeLo, segment), i8x16.swizzle(slopeHi, high));
      const lo = i16x8.add(i16x8.extend_low_i8x16_u(b), i16x8.shr_u(i16x8.add(i16x8.mul(i16x8.extend_low_i8x16_u(s), v128.and(i16x8.extend_low_i8x16_u(v), seven)), four), 3));
      const hi = i16x8.add(i16x8.extend_high_i8x16_u(b), i16x8.shr_u(i16x8.add(i16x8.mul(i16x8.extend_high_i8x16_u(s), v128.and(i16x8.extend_high_i8x16_u(v), seven)), four), 3));
      v128.store(output + <usize>x, i8x16.narrow_i16x8_u(lo, hi));
    }
    return count;
  }

  private identity(): void {
    for (let k = 0; k < KNOTS; k++) unchecked(this.knots[k] = k < EXPOSURE_SEGMENTS ? <f64>(k * 8) : 255);
    this.meanLuma = 0;
    this.midGamma = 1;
    this.buildTables();
  }

  /** Monotone integer segments: base = curve at 8k, slope = rise over the segment (× 8 / 7 for the last, 7 levels wide). */
  private buildTables(): void {
    let previous = 0;
    for (let k = 0; k < EXPOSURE_SEGMENTS; k++) {
      const start = clampI32(<i32>Math.round(unchecked(this.knots[k])), previous, 255);
      const end = clampI32(<i32>Math.round(unchecked(this.knots[k + 1])), start, 255);
      const rise = k < EXPOSURE_SEGMENTS - 1 ? end - start : <i32>Math.round(<f64>((end - start) * 8) / 7.0);
      unchecked(this.base[k] = <u8>start);
      unchecked(this.slope[k] = <u8>clampI32(rise, 0, 255));
      previous = start;
    }
  }
}

/** The scalar twin of the SIMD segment lookup (same integer formula). */
// @ts-ignore: decorator
@inline export function mapScalar(v: i32, base: usize, slope: usize): i32 {
  const k = <usize>(v >> 3);
  return min(<i32>load<u8>(base + k) + ((<i32>load<u8>(slope + k) * (v & 7) + 4) >> 3), 255);
}

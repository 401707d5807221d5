// Motion-adaptive recursive (spatio-temporal) denoiser for one u8 plane, in the spirit of hqdn3d
// (a recursive temporal low-pass whose weight falls with the frame difference) but built for SIMD:
//   spatial estimate  sp = cur + clip(binomial3x3(cur) − cur, ±clipLevel)          (edges survive)
//   motion            m  = ramp(|binomial3x3(cur − prev)|; motionFloor, motionFloor + motionRange)
//   blend weight      k  = kStatic + (1 − kStatic)·m                                 (Q7)
//   output            out = prev + k·(sp − prev)        (prev = the previous output: recursive)
// The difference is smoothed before the motion test, so noise (σ/2.7 after the 3 × 3 binomial)
// rarely reads as motion while a moving edge does: moving areas take the spatial estimate alone
// (no ghosting), static areas average over ≈ 2/kStatic frames. Thresholds scale with the plane's
// measured noise (NoiseEstimator). All arithmetic is i16 in both twins, so they agree bit for bit.
import { SIMD_BUILD } from '../common';
import { clampI32, PLANE_PADDING_BYTES, Q7_ONE, storeU8x8 } from './video-common';
import { NoiseEstimator } from './noise-estimator';

export class TemporalDenoiser {
  readonly width: i32;
  readonly height: i32;
  useSimd: bool = SIMD_BUILD;
  readonly noise: NoiseEstimator = new NoiseEstimator();
  /** Output of the previous frame, and this frame's output (swapped by endFrame()). */
  previous: StaticArray<u8>;
  current: StaticArray<u8>;
  // Column sums of the 3-row binomial, with one replicated column each side (index 0 is x = −1).
  private readonly columnSumCurrent: StaticArray<i16>;
  private readonly columnSumDifference: StaticArray<i16>;
  // Per-frame parameters (integers, so both twins see identical values).
  private staticWeightQ7: i32 = Q7_ONE;
  private motionFloor: i32 = 0;
  private motionRange: i32 = 2;
  private motionSlopeQ7: i32 = 8192;
  private clipLevel: i32 = 0;
  private primed: bool = false;

  constructor(width: i32, height: i32) {
    this.width = width;
    this.height = height;
    const bytes = width * height + PLANE_PADDING_BYTES;
    this.previous = new StaticArray<u8>(bytes);
    this.current = new StaticArray<u8>(bytes);
    this.columnSumCurrent = new StaticArray<i16>(width + 2 + PLANE_PADDING_BYTES);
    this.columnSumDifference = new StaticArray<i16>(width + 2 + PLANE_PADDING_BYTES);
  }

  reset(): void {
    this.primed = false;
    this.noise.reset();
  }

  /**
   * Sets this frame's parameters from the strength (0–10) and the noise measured on `plane`.
   * strength 0 is never passed (the chain skips the stage).
   */
  beginFrame(plane: usize, strength: f32): void {
    this.noise.update(plane, this.width, this.height);
    const sigma = max<f32>(this.noise.sigma, 0.5);
    // The motion statistic |binomial(cur − prev)| of pure noise has σ ≈ 0.42 σ_plane (0.375 from the
    // binomial, √(1 + residual²) from the two frames).
    const differenceSigma: f32 = <f32>0.42 * sigma;
    this.staticWeightQ7 = this.primed ? clampI32(<i32>Mathf.round(<f32>Q7_ONE / (<f32>1.0 + <f32>0.6 * strength)), 8, Q7_ONE) : Q7_ONE;
    this.motionFloor = clampI32(<i32>Mathf.round(differenceSigma * (<f32>0.8 + <f32>0.05 * strength)), 0, 255);
    this.motionRange = clampI32(<i32>Mathf.round(differenceSigma * <f32>1.75), 2, 255);
    this.motionSlopeQ7 = (Q7_ONE * Q7_ONE) / this.motionRange;
    this.clipLevel = clampI32(<i32>Mathf.round(sigma * (<f32>0.6 + <f32>0.12 * strength)), 0, 255);
  }

  /** Filters row `y` of `input` into row `y` of `current` (rows may be requested in any order). */
  processRow(input: usize, y: i32): void {
    const w = this.width;
    const above = input + <usize>(max(y - 1, 0) * w);
    const row = input + <usize>(y * w);
    const below = input + <usize>(min(y + 1, this.height - 1) * w);
    const prev = changetype<usize>(this.previous);
    const prevAbove = prev + <usize>(max(y - 1, 0) * w);
    const prevRow = prev + <usize>(y * w);
    const prevBelow = prev + <usize>(min(y + 1, this.height - 1) * w);
    const sumCur = changetype<usize>(this.columnSumCurrent);
    const sumDiff = changetype<usize>(this.columnSumDifference);
    let x = 0;
    if (SIMD_BUILD && this.useSimd) x = columnSumsSimd(above, row, below, prevAbove, prevRow, prevBelow, sumCur, sumDiff, w);
    columnSumsScalar(above, row, below, prevAbove, prevRow, prevBelow, sumCur, sumDiff, x, w);
    // Replicate the edge columns.
    store<i16>(sumCur, load<i16>(sumCur + 2)); store<i16>(sumCur + (<usize>(w + 1) << 1), load<i16>(sumCur + (<usize>w << 1)));
    store<i16>(sumDiff, load<i16>(sumDiff + 2)); store<i16>(sumDiff + (<usize>(w + 1) << 1), load<i16>(sumDiff + (<usize>w << 1)));
    const out = changetype<usize>(this.current) + <usize>(y * w);
    x = 0;
    if (SIMD_BUILD && this.useSimd) x = this.blendSimd(row, prevRow, out, w);
    this.blendScalar(row, prevRow, out, x, w);
  }

  /** Makes this frame's output the reference for the next frame. */
  endFrame(): void {
    const t = this.previous;
    this.previous = this.current;
    this.current = t;
    this.primed = true;
  }

  private blendSimd(row: usize, prevRow: usize, out: usize, w: i32): i32 {
    const sumCur = changetype<usize>(this.columnSumCurrent);
    const sumDiff = changetype<usize>(this.columnSumDifference);
    const eight = i16x8.splat(8), sixtyFour = i16x8.splat(64), zero = i16x8.splat(0), one = i16x8.splat(<i16>Q7_ONE);
    const clipHi = i16x8.splat(<i16>this.clipLevel), clipLo = i16x8.splat(<i16>-this.clipLevel);
    const floor = i16x8.splat(<i16>this.motionFloor), range = i16x8.splat(<i16>this.motionRange);
    const slope = i16x8.splat(<i16>this.motionSlopeQ7);
    const kStatic = i16x8.splat(<i16>this.staticWeightQ7), kMoving = i16x8.splat(<i16>(Q7_ONE - this.staticWeightQ7));
    const n = w & ~7;
    for (let x = 0; x < n; x += 8) {
      const o = <usize>x << 1;
      const c0 = v128.load(sumCur + o), c1 = v128.load(sumCur + o + 2), c2 = v128.load(sumCur + o + 4);
      const smooth = i16x8.shr_s(i16x8.add(i16x8.add(i16x8.add(c0, c2), i16x8.shl(c1, 1)), eight), 4);
      const d0 = v128.load(sumDiff + o), d1 = v128.load(sumDiff + o + 2), d2 = v128.load(sumDiff + o + 4);
      const diff = i16x8.shr_s(i16x8.add(i16x8.abs(i16x8.add(i16x8.add(d0, d2), i16x8.shl(d1, 1))), eight), 4);
      const cur = v128.load8x8_u(row + <usize>x), prev = v128.load8x8_u(prevRow + <usize>x);
      const spatial = i16x8.add(cur, i16x8.min_s(i16x8.max_s(i16x8.sub(smooth, cur), clipLo), clipHi));
      const excess = i16x8.min_s(i16x8.max_s(i16x8.sub(diff, floor), zero), range);
      const motion = i16x8.min_s(i16x8.shr_s(i16x8.mul(excess, slope), 7), one);
      const k = i16x8.add(kStatic, i16x8.shr_s(i16x8.mul(kMoving, motion), 7));
      const result = i16x8.add(prev, i16x8.shr_s(i16x8.add(i16x8.mul(k, i16x8.sub(spatial, prev)), sixtyFour), 7));
      storeU8x8(out + <usize>x, result);
    }
    return n;
  }

  private blendScalar(row: usize, prevRow: usize, out: usize, from: i32, w: i32): void {
    const sumCur = changetype<usize>(this.columnSumCurrent);
    const sumDiff = changetype<usize>(this.columnSumDifference);
    const clip = this.clipLevel, floor = this.motionFloor, range = this.motionRange, slope = this.motionSlopeQ7;
    const kStatic = this.staticWeightQ7, kMoving = Q7_ONE - kStatic;
    for (let x = from; x < w; x++) {
      const o = <usize>x << 1;
      const smooth = (<i32>load<i16>(sumCur + o) + 2 * <i32>load<i16>(sumCur + o + 2) + <i32>load<i16>(sumCur + o + 4) + 8) >> 4;
      const diff = (abs(<i32>load<i16>(sumDiff + o) + 2 * <i32>load<i16>(sumDiff + o + 2) + <i32>load<i16>(sumDiff + o + 4)) + 8) >> 4;
      const cur = <i32>load<u8>(row + <usize>x), prev = <i32>load<u8>(prevRow + <usize>x);
      const spatial = cur + clampI32(smooth - cur, -clip, clip);
      const excess = clampI32(diff - floor, 0, range);
      const motion = min((excess * slope) >> 7, Q7_ONE);
      const k = kStatic + ((kMoving * motion) >> 7);
      const result = prev + ((k * (spatial - prev) + 64) >> 7);
      store<u8>(out + <usize>x, <u8>clampI32(result, 0, 255));
    }
  }
}

/** Vertical binomial sums (1, 2, 1) of the current rows and of the current − previous difference. */
function columnSumsSimd(a: usize, r: usize, b: usize, pa: usize, pr: usize, pb: usize, sumCur: usize, sumDiff: usize, w: i32): i32 {
  const n = w & ~7;
  for (let x = 0; x < n; x += 8) {
    const xs = <usize>x;
    const c = i16x8.add(i16x8.add(v128.load8x8_u(a + xs), v128.load8x8_u(b + xs)), i16x8.shl(v128.load8x8_u(r + xs), 1));
    const p = i16x8.add(i16x8.add(v128.load8x8_u(pa + xs), v128.load8x8_u(pb + xs)), i16x8.shl(v128.load8x8_u(pr + xs), 1));
    v128.store(sumCur + ((xs + 1) << 1), c);
    v128.store(sumDiff + ((xs + 1) << 1), i16x8.sub(c, p));
  }
  return n;
}

function columnSumsScalar(a: usize, r: usize, b: usize, pa: usize, pr: usize, pb: usize, sumCur: usize, sumDiff: usize, from: i32, w: i32): void {
  for (let x = from; x < w; x++) {
    const xs = <usize>x;
    const c = <i32>load<u8>(a + xs) + 2 * <i32>load<u8>(r + xs) + <i32>load<u8>(b + xs);
    const p = <i32>load<u8>(pa + xs) + 2 * <i32>load<u8>(pr + xs) + <i32>load<u8>(pb + xs);
    store<i16>(sumCur + ((xs + 1) << 1), <i16>c);
    store<i16>(sumDiff + ((xs + 1) << 1), <i16>(c - p));
  }
}

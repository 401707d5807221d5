// Unsharp mask on luma with a noise threshold (coring): detail = L − binomial3x3(L); the part of the
// detail within ±threshold is dropped (soft threshold), the rest is added back `amount` times:
//   out = L + amount · (detail − clip(detail, ±threshold))
// so film grain and residual sensor noise (|detail| ≲ 2σ) are not amplified while edges are.
// (Unsharp masking as in GIMP/ffmpeg `unsharp`; coring as in broadcast "detail enhancers".)
// i16 arithmetic in both twins: bit-exact.
import { SIMD_BUILD } from '../common';
import { clampI32, PLANE_PADDING_BYTES, storeU8x8 } from './video-common';

export class Sharpener {
  readonly width: i32;
  useSimd: bool = SIMD_BUILD;
  /** Gain on the cored detail, Q4 (16 = 1.0). */
  amountQ4: i32 = 0;
  threshold: i32 = 0;
  private readonly columnSum: StaticArray<i16>;

  constructor(width: i32) {
    this.width = width;
    this.columnSum = new StaticArray<i16>(width + 2 + PLANE_PADDING_BYTES);
  }

  /** strength 0–10 → up to 3.5× detail; the threshold follows the noise left after denoising. */
  configure(strength: f32, residualNoiseSigma: f32): void {
    this.amountQ4 = clampI32(<i32>Mathf.round(strength * 0.35 * 16.0), 0, 127);
    this.threshold = clampI32(<i32>Mathf.round(2.0 * residualNoiseSigma) + 1, 1, 64);
  }

  /** Sharpens the row `row` (neighbours `above`, `below`) into `out`. */
  processRow(above: usize, row: usize, below: usize, out: usize): void {
    const w = this.width;
    const sums = changetype<usize>(this.columnSum);
    let x = 0;
    if (SIMD_BUILD && this.useSimd) {
      const n = w & ~7;
      for (; x < n; x += 8) {
        const xs = <usize>x;
        v128.store(sums + ((xs + 1) << 1), i16x8.add(i16x8.add(v128.load8x8_u(above + xs), v128.load8x8_u(below + xs)), i16x8.shl(v128.load8x8_u(row + xs), 1)));
      }
    }
    for (; x < w; x++) {
      const xs = <usize>x;
      store<i16>(sums + ((xs + 1) << 1), <i16>(<i32>load<u8>(above + xs) + 2 * <i32>load<u8>(row + xs) + <i32>load<u8>(below + xs)));
    }
    store<i16>(sums, load<i16>(sums + 2));
    store<i16>(sums + (<usize>(w + 1) << 1), load<i16>(sums + (<usize>w << 1)));

    x = 0;
    const amount = this.amountQ4, threshold = this.threshold;
    if (SIMD_BUILD && this.useSimd) {
      const eight = i16x8.splat(8), hi = i16x8.splat(<i16>threshold), lo = i16x8.splat(<i16>-threshold), gain = i16x8.splat(<i16>amount);
      const n = w & ~7;
      for (; x < n; x += 8) {
        const o = <usize>x << 1;
        const blur = i16x8.shr_s(i16x8.add(i16x8.add(i16x8.add(v128.load(sums + o), v128.load(sums + o + 4)), i16x8.shl(v128.load(sums + o + 2), 1)), eight), 4);
        const centre = v128.load8x8_u(row + <usize>x);
        const detail = i16x8.sub(centre, blur);
        const cored = i16x8.sub(detail, i16x8.min_s(i16x8.max_s(detail, lo), hi));
        storeU8x8(out + <usize>x, i16x8.add(centre, i16x8.shr_s(i16x8.add(i16x8.mul(cored, gain), eight), 4)));
      }
    }
    for (; x < w; x++) {
      const o = <usize>x << 1;
      const blur = (<i32>load<i16>(sums + o) + 2 * <i32>load<i16>(sums + o + 2) + <i32>load<i16>(sums + o + 4) + 8) >> 4;
      const centre = <i32>load<u8>(row + <usize>x);
      const detail = centre - blur;
      const cored = detail - clampI32(detail, -threshold, threshold);
      store<u8>(out + <usize>x, <u8>clampI32(centre + ((cored * amount + 8) >> 4), 0, 255));
    }
  }
}

// Noise level of a plane: Immerkær's Laplacian-difference operator (J. Immerkær, "Fast noise variance
// estimation", CVIU 1996), made robust to edges by taking the median of |response| instead of the
// mean, and smoothed over frames. Runs on a sparse subsample (≈ 64 rows, every other column), so it
// is scalar: its cost is a few percent of one SIMD pass over the plane.

const BINS: i32 = 1024;
const SAMPLE_ROWS: i32 = 64;
/** The operator's gain for white noise is 6 (sqrt of the sum of squared taps); median |N(0,1)| = 0.6745. */
const MEDIAN_TO_SIGMA: f32 = 1.0 / (6.0 * 0.6745);
/** Per-frame smoothing weight of the estimate (≈ 0.3 s time constant at 30 frames/s). */
const SMOOTHING: f32 = 0.1;

export class NoiseEstimator {
  /** Smoothed noise standard deviation, in 8-bit levels. */
  sigma: f32 = 0;
  private readonly histogram: StaticArray<i32> = new StaticArray<i32>(BINS);
  private primed: bool = false;

  reset(): void { this.primed = false; this.sigma = 0; }

  /** Estimates the noise of a `width` × `height` u8 plane and folds it into `sigma`. */
  update(plane: usize, width: i32, height: i32): void {
    const raw = this.measure(plane, width, height);
    if (!this.primed) { this.sigma = raw; this.primed = true; }
    else this.sigma += SMOOTHING * (raw - this.sigma);
  }

  private measure(plane: usize, width: i32, height: i32): f32 {
    if (width < 3 || height < 3) return 0;
    const hist = changetype<usize>(this.histogram);
    memory.fill(hist, 0, <usize>BINS << 2);
    const rowStep = max(1, (height - 2) / SAMPLE_ROWS);
    let count = 0;
    for (let y = 1; y < height - 1; y += rowStep) {
      const above = plane + <usize>((y - 1) * width), row = plane + <usize>(y * width), below = plane + <usize>((y + 1) * width);
      for (let x = 1; x < width - 1; x += 2) {
        const xa = <usize>x;
        const l = <i32>load<u8>(above + xa - 1) - 2 * <i32>load<u8>(above + xa) + <i32>load<u8>(above + xa + 1)
          - 2 * <i32>load<u8>(row + xa - 1) + 4 * <i32>load<u8>(row + xa) - 2 * <i32>load<u8>(row + xa + 1)
          + <i32>load<u8>(below + xa - 1) - 2 * <i32>load<u8>(below + xa) + <i32>load<u8>(below + xa + 1);
        const bin = min(abs(l), BINS - 1);
        const at = hist + (<usize>bin << 2);
        store<i32>(at, load<i32>(at) + 1);
        count++;
      }
    }
    if (count == 0) return 0;
    // The median with linear interpolation inside its bin (resolution finer than one level).
    const half = <f32>count * 0.5;
    let cumulative = 0;
    for (let b = 0; b < BINS; b++) {
      const n = load<i32>(hist + (<usize>b << 2));
      if (<f32>(cumulative + n) >= half) {
        const within = n > 0 ? (half - <f32>cumulative) / <f32>n : 0;
        return (<f32>b + within) * MEDIAN_TO_SIGMA;
      }
      cumulative += n;
    }
    return <f32>(BINS - 1) * MEDIAN_TO_SIGMA;
  }
}

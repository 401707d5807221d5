// Linear prediction for comfort-noise shaping: autocorrelation of a Hann-windowed segment and the
// Levinson–Durbin recursion (Makhoul, "Linear prediction: a tutorial review", Proc. IEEE 1975).
// All buffers are sized at construction; analyse() and synthesise() allocate nothing.

export const LPC_ORDER: i32 = 12;

export class LinearPredictor {
  /** a[1..order] of A(z) = 1 + Σ a[k] z^-k (a[0] = 1). */
  readonly coefficients: StaticArray<f64> = new StaticArray<f64>(LPC_ORDER + 1);
  /** Prediction error energy over signal energy (1 for white noise, small for strongly coloured sound). */
  residualRatio: f64 = 1;
  private readonly autocorrelation: StaticArray<f64> = new StaticArray<f64>(LPC_ORDER + 1);
  private readonly scratch: StaticArray<f64> = new StaticArray<f64>(LPC_ORDER + 1);
  private readonly windowed: StaticArray<f32>;
  private readonly filterState: StaticArray<f64> = new StaticArray<f64>(LPC_ORDER);

  constructor(readonly maxSegment: i32) {
    this.windowed = new StaticArray<f32>(maxSegment);
    this.reset();
  }

  reset(): void {
    for (let k = 0; k <= LPC_ORDER; k++) unchecked(this.coefficients[k] = k == 0 ? 1 : 0);
    for (let k = 0; k < LPC_ORDER; k++) unchecked(this.filterState[k] = 0);
    this.residualRatio = 1;
  }

  /** Fits A(z) to `length` (≤ maxSegment) samples at `p`. Silent input leaves a flat predictor. */
  analyse(p: usize, length: i32): void {
    const n = length < this.maxSegment ? length : this.maxSegment;
    for (let i = 0; i < n; i++) {
      const w = <f32>(0.5 - 0.5 * Mathf.cos(2 * Mathf.PI * (<f32>i + 0.5) / <f32>n));
      unchecked(this.windowed[i] = load<f32>(p + (<usize>i << 2)) * w);
    }
    for (let k = 0; k <= LPC_ORDER; k++) {
      let s: f64 = 0;
      for (let i = k; i < n; i++) s += <f64>unchecked(this.windowed[i]) * <f64>unchecked(this.windowed[i - k]);
      // A slight lag window (Gaussian, ~60 Hz at 8 kHz scale) keeps the recursion well conditioned.
      unchecked(this.autocorrelation[k] = s * Math.exp(-0.5 * (0.01 * <f64>k) * (0.01 * <f64>k)));
    }
    const r0 = unchecked(this.autocorrelation[0]) * 1.0001 + 1e-12;
    const a = this.coefficients, tmp = this.scratch;
    for (let k = 0; k <= LPC_ORDER; k++) unchecked(a[k] = k == 0 ? 1 : 0);
    let error = r0;
    for (let i = 1; i <= LPC_ORDER; i++) {
      let acc = unchecked(this.autocorrelation[i]);
      for (let j = 1; j < i; j++) acc += unchecked(a[j]) * unchecked(this.autocorrelation[i - j]);
      const reflection = -acc / error;
      if (!(Math.abs(reflection) < 0.9999)) break;  // unstable or NaN: keep the lower order
      for (let j = 1; j < i; j++) unchecked(tmp[j] = a[j] + reflection * a[i - j]);
      for (let j = 1; j < i; j++) unchecked(a[j] = tmp[j]);
      unchecked(a[i] = reflection);
      error *= 1 - reflection * reflection;
    }
    this.residualRatio = error / r0;
  }

  /** Filters `excitation` through 1/A(z) in place (`length` samples at `p`), keeping the filter state. */
  synthesise(p: usize, length: i32): void {
    const a = this.coefficients, state = this.filterState;
    for (let i = 0; i < length; i++) {
      let y = <f64>load<f32>(p + (<usize>i << 2));
      for (let k = 1; k <= LPC_ORDER; k++) y -= unchecked(a[k]) * unchecked(state[k - 1]);
      for (let k = LPC_ORDER - 1; k > 0; k--) unchecked(state[k] = state[k - 1]);
      unchecked(state[0] = y);
      store<f32>(p + (<usize>i << 2), <f32>y);
    }
  }
}

// Second-order IIR section (RBJ audio-EQ cookbook, Butterworth Q), transposed direct form II.
// Shared by the capture high-pass, the delay estimator's low-pass and the VAD's band filter.

export class Biquad {
  b0: f32 = 1; b1: f32 = 0; b2: f32 = 0; a1: f32 = 0; a2: f32 = 0;
  z1: f32 = 0; z2: f32 = 0;

  constructor(sampleRate: i32, cutoffHz: f64, highPass: bool) {
    const w = 2 * Math.PI * min<f64>(cutoffHz, 0.45 * <f64>sampleRate) / <f64>sampleRate;
    const alpha = Math.sin(w) / (2 * Math.SQRT1_2);
    const c = Math.cos(w), a0 = 1 + alpha;
    if (highPass) {
      this.b0 = <f32>((1 + c) / 2 / a0); this.b1 = <f32>(-(1 + c) / a0);
    } else {
      this.b0 = <f32>((1 - c) / 2 / a0); this.b1 = <f32>((1 - c) / a0);
    }
    this.b2 = this.b0;
    this.a1 = <f32>(-2 * c / a0); this.a2 = <f32>((1 - alpha) / a0);
  }

  // @ts-ignore: decorator
  @inline step(x: f32): f32 {
    const y = this.b0 * x + this.z1;
    this.z1 = this.b1 * x - this.a1 * y + this.z2;
    this.z2 = this.b2 * x - this.a2 * y;
    return y;
  }

  /** Filters `n` samples at `p` in place. */
  processInPlace(p: usize, n: i32): void {
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(p + o, this.step(load<f32>(p + o)));
    }
  }

  reset(): void { this.z1 = 0; this.z2 = 0; }
}

// First-order DC blocker y[n] = x[n] − x[n−1] + r·y[n−1] (a zero at DC, a pole just inside it),
// ahead of the echo canceller when no gain control asks for the 80 Hz rumble filter: it removes
// microphone DC offsets without the low-frequency phase shift of a steeper high-pass, so near-end
// speech passes the canceller undistorted. Numerically safe in f32 at any rate (unlike a biquad
// with a corner this low).

export class DcBlocker {
  private r: f32;
  private x1: f32 = 0;
  private y1: f32 = 0;

  constructor(sampleRate: i32, cornerHz: f64) {
    this.r = <f32>(1 - 2 * Math.PI * cornerHz / <f64>sampleRate);
  }

  /** Filters `n` samples at `p` in place. */
  processInPlace(p: usize, n: i32): void {
    const r = this.r;
    let x1 = this.x1, y1 = this.y1;
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 2;
      const x = load<f32>(p + o);
      const y = x - x1 + r * y1;
      store<f32>(p + o, y);
      x1 = x; y1 = y;
    }
    this.x1 = x1; this.y1 = y1;
  }

  reset(): void { this.x1 = 0; this.y1 = 0; }
}

// The plain-JavaScript baseline for the FFT benchmark: a real FFT of size N computed as an N/2-point
// iterative radix-2 decimation-in-time complex FFT (bit-reversal table, per-stage contiguous
// twiddle tables, twiddle-free first stage) plus the standard real-to-complex split — the same
// algorithm family as assembly/fft.ts, so the comparison measures the implementation, not the
// algorithm. Work arrays are Float64Array: V8 computes in doubles, so Float32 storage would only add
// conversions. Same conventions as RealFftKernel: forward unscaled, inverse(forward(x)) = x.
export class PlainRealFft {
  readonly size: number;
  readonly half: number;
  /** Spectrum, bins 0..size/2. */
  readonly re: Float64Array;
  readonly im: Float64Array;
  private readonly bitReverse: Uint32Array;
  private readonly twiddleRe: Float64Array;
  private readonly twiddleIm: Float64Array;
  private readonly splitRe: Float64Array;
  private readonly splitIm: Float64Array;
  private readonly zRe: Float64Array;
  private readonly zIm: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 8 || (size & (size - 1)) !== 0) throw new RangeError(`FFT size ${size}: accepted powers of two >= 8`);
    const half = size >> 1;
    this.size = size;
    this.half = half;
    this.re = new Float64Array(half + 1);
    this.im = new Float64Array(half + 1);
    this.zRe = new Float64Array(half);
    this.zIm = new Float64Array(half);
    const bits = Math.log2(half);
    this.bitReverse = new Uint32Array(half);
    for (let i = 0; i < half; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.bitReverse[i] = r;
    }
    // Stage with span s (butterflies s apart) uses e^{-iπk/s}, k < s, stored at offset s - 1.
    this.twiddleRe = new Float64Array(half);
    this.twiddleIm = new Float64Array(half);
    for (let span = 1; span < half; span <<= 1) {
      for (let k = 0; k < span; k++) {
        this.twiddleRe[span - 1 + k] = Math.cos((-Math.PI * k) / span);
        this.twiddleIm[span - 1 + k] = Math.sin((-Math.PI * k) / span);
      }
    }
    this.splitRe = new Float64Array(half + 1);
    this.splitIm = new Float64Array(half + 1);
    for (let k = 0; k <= half; k++) {
      this.splitRe[k] = Math.cos((-2 * Math.PI * k) / size);
      this.splitIm[k] = Math.sin((-2 * Math.PI * k) / size);
    }
  }

  /** In-place complex FFT of size/2 points (forward; swap re and im for the inverse). */
  private complexFft(re: Float64Array, im: Float64Array): void {
    const n = this.half;
    const rev = this.bitReverse;
    for (let i = 0; i < n; i++) {
      const j = rev[i];
      if (j > i) {
        const tr = re[i]; re[i] = re[j]; re[j] = tr;
        const ti = im[i]; im[i] = im[j]; im[j] = ti;
      }
    }
    for (let i = 0; i < n; i += 2) {
      const ar = re[i], ai = im[i], br = re[i + 1], bi = im[i + 1];
      re[i] = ar + br; im[i] = ai + bi;
      re[i + 1] = ar - br; im[i + 1] = ai - bi;
    }
    const twRe = this.twiddleRe, twIm = this.twiddleIm;
    for (let span = 2; span < n; span <<= 1) {
      const step = span << 1;
      const offset = span - 1;
      for (let start = 0; start < n; start += step) {
        for (let k = 0; k < span; k++) {
          const a = start + k, b = a + span;
          const wr = twRe[offset + k], wi = twIm[offset + k];
          const xr = re[b], xi = im[b];
          const tr = wr * xr - wi * xi;
          const ti = wr * xi + wi * xr;
          const ar = re[a], ai = im[a];
          re[b] = ar - tr; im[b] = ai - ti;
          re[a] = ar + tr; im[a] = ai + ti;
        }
      }
    }
  }

  /** `time` (size reals) → re/im (size/2 + 1 bins), unscaled. */
  forward(time: ArrayLike<number>): void {
    const half = this.half;
    const zr = this.zRe, zi = this.zIm;
    for (let n = 0; n < half; n++) {
      zr[n] = time[2 * n];
      zi[n] = time[2 * n + 1];
    }
    this.complexFft(zr, zi);
    const re = this.re, im = this.im, sr = this.splitRe, si = this.splitIm;
    re[0] = zr[0] + zi[0]; im[0] = 0;
    re[half] = zr[0] - zi[0]; im[half] = 0;
    for (let k = 1; k < half; k++) {
      const j = half - k;
      const a = zr[k], b = zi[k], c = zr[j], d = zi[j];
      // Even part E = (Z[k] + conj Z[j]) / 2, odd part O = (Z[k] - conj Z[j]) / 2i; X[k] = E + W^k O.
      const er = 0.5 * (a + c), ei = 0.5 * (b - d);
      const or = 0.5 * (b + d), oi = -0.5 * (a - c);
      const wr = sr[k], wi = si[k];
      re[k] = er + wr * or - wi * oi;
      im[k] = ei + wr * oi + wi * or;
    }
  }

  /** re/im → `time`, scaled so inverse(forward(x)) = x. */
  inverse(time: { [index: number]: number; length: number }): void {
    const half = this.half;
    const zr = this.zRe, zi = this.zIm;
    const re = this.re, im = this.im, sr = this.splitRe, si = this.splitIm;
    for (let k = 0; k < half; k++) {
      const j = half - k;
      const a = re[k], b = im[k], c = re[j], d = im[j];
      // Z[k] = E + iO with E = (X[k] + conj X[j]) / 2, O = (X[k] - conj X[j]) conj(W^k) / 2.
      const er = 0.5 * (a + c), ei = 0.5 * (b - d);
      const dr = a - c, di = b + d;
      const wr = sr[k], wi = si[k];
      const or = 0.5 * (dr * wr + di * wi), oi = 0.5 * (di * wr - dr * wi);
      // Stored conjugated-by-swap: the forward FFT on (im, re) is the inverse FFT.
      zi[k] = er - oi;
      zr[k] = ei + or;
    }
    this.complexFft(zr, zi);
    const scale = 1 / half;
    for (let n = 0; n < half; n++) {
      time[2 * n] = zi[n] * scale;
      time[2 * n + 1] = zr[n] * scale;
    }
  }
}

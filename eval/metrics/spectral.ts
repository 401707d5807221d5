// Spectral helpers for the evaluation metrics: an iterative radix-2 complex FFT (Cooley–Tukey,
// decimation in time) in float64, Hann windows, and framed power spectra. Plain TypeScript on purpose:
// the metrics must not depend on the engine they measure (no Wasm here).

/** A precomputed radix-2 FFT of one size; `transform` works in place on split real/imaginary arrays. */
export class Fft {
  readonly size: number;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly bitReversed: Uint32Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 2 || (size & (size - 1)) !== 0) {
      throw new RangeError(`FFT size must be a power of two >= 2, got ${size}`);
    }
    this.size = size;
    this.cos = new Float64Array(size / 2);
    this.sin = new Float64Array(size / 2);
    for (let k = 0; k < size / 2; k++) {
      this.cos[k] = Math.cos(2 * Math.PI * k / size);
      this.sin[k] = -Math.sin(2 * Math.PI * k / size);
    }
    const bits = Math.log2(size);
    this.bitReversed = new Uint32Array(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >>> b) & 1) << (bits - 1 - b);
      this.bitReversed[i] = r;
    }
  }

  /** Forward DFT X[k] = Σ x[n]·e^{-2πikn/N}, in place. */
  transform(re: Float64Array, im: Float64Array): void {
    const n = this.size;
    for (let i = 0; i < n; i++) {
      const j = this.bitReversed[i];
      if (j > i) {
        let t = re[i]; re[i] = re[j]; re[j] = t;
        t = im[i]; im[i] = im[j]; im[j] = t;
      }
    }
    for (let half = 1; half < n; half *= 2) {
      const twiddleStep = n / (2 * half);
      for (let start = 0; start < n; start += 2 * half) {
        for (let k = 0; k < half; k++) {
          const wr = this.cos[k * twiddleStep];
          const wi = this.sin[k * twiddleStep];
          const a = start + k;
          const b = a + half;
          const tr = wr * re[b] - wi * im[b];
          const ti = wr * im[b] + wi * re[b];
          re[b] = re[a] - tr; im[b] = im[a] - ti;
          re[a] += tr; im[a] += ti;
        }
      }
    }
  }
}

/** MATLAB `hanning(N)` (= numpy `hanning(N + 2)[1:-1]`): symmetric, no zero end points. */
export function matlabHanning(length: number): Float64Array {
  const w = new Float64Array(length);
  for (let i = 0; i < length; i++) w[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * (i + 1) / (length + 1));
  return w;
}

/** Periodic Hann window (the STFT-analysis kind; sums to a constant at 50 % and 75 % overlap). */
export function periodicHann(length: number): Float64Array {
  const w = new Float64Array(length);
  for (let i = 0; i < length; i++) w[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / length);
  return w;
}

/**
 * Power spectrum |X[k]|², k = 0 … fftSize/2, of `window · x[start … start+window.length)` zero-padded
 * to fftSize (samples past the end of x count as zero). Scratch arrays are the caller's, so a loop over
 * frames allocates nothing.
 */
export function framePowerSpectrum(
  x: ArrayLike<number>, start: number, window: Float64Array, fft: Fft,
  re: Float64Array, im: Float64Array, out: Float64Array,
): void {
  re.fill(0);
  im.fill(0);
  const end = Math.min(window.length, x.length - start);
  for (let i = 0; i < end; i++) re[i] = window[i] * x[start + i];
  fft.transform(re, im);
  for (let k = 0; k <= fft.size / 2; k++) out[k] = re[k] * re[k] + im[k] * im[k];
}

/** Smallest power of two >= n. */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

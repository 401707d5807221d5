// Signal helpers for kernel tests: sines, band-limited sums of sines, error measures.

/** A sampled sinusoid amplitude·sin(2πf·n/rate + phase), computed in float64 and stored as float32. */
export function sine(length: number, frequencyHz: number, sampleRate: number, amplitude = 1, phase = 0): Float32Array {
  const out = new Float32Array(length);
  const w = (2 * Math.PI * frequencyHz) / sampleRate;
  for (let n = 0; n < length; n++) out[n] = amplitude * Math.sin(w * n + phase);
  return out;
}

export function rms(x: ArrayLike<number>, start = 0, end = x.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += x[i] * x[i];
  return Math.sqrt(sum / Math.max(1, end - start));
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>, start = 0, end = Math.min(a.length, b.length)): number {
  let worst = 0;
  for (let i = start; i < end; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** 10·log10(Σa² / Σ(a−b)²): how far below the reference its deviation lies, in dB (Infinity if identical). */
export function snrDb(reference: ArrayLike<number>, test: ArrayLike<number>, start = 0, end = Math.min(reference.length, test.length)): number {
  let signal = 0, error = 0;
  for (let i = start; i < end; i++) {
    signal += reference[i] * reference[i];
    const d = reference[i] - test[i];
    error += d * d;
  }
  return error === 0 ? Infinity : 10 * Math.log10(signal / error);
}

export function hasNonFinite(x: ArrayLike<number>): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return true;
  return false;
}

/** One sinusoid of a band-limited test signal. */
export interface SineComponent {
  frequencyHz: number;
  phase: number;
  amplitude: number;
}

/** `count` sinusoids with seeded frequencies in [0.02, 1]·maxHz and seeded phases, peak sum ≤ `peak`. */
export function randomSines(count: number, maxHz: number, random: () => number, peak = 0.9): SineComponent[] {
  return Array.from({ length: count }, () => ({
    frequencyHz: (0.02 + 0.98 * random()) * maxHz,
    phase: 2 * Math.PI * random(),
    amplitude: peak / count,
  }));
}

/**
 * Samples the sum of `components` at n/rate − delaySamples/rate seconds for n in [0, length): a
 * strictly band-limited signal that can be evaluated exactly at any (fractional) time.
 */
export function renderSines(components: readonly SineComponent[], length: number, sampleRate: number, delaySamples = 0): Float32Array {
  const out = new Float32Array(length);
  for (let n = 0; n < length; n++) {
    const t = (n - delaySamples) / sampleRate;
    let v = 0;
    for (const c of components) v += c.amplitude * Math.sin(2 * Math.PI * c.frequencyHz * t + c.phase);
    out[n] = v;
  }
  return out;
}

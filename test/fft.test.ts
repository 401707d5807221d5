// RealFftKernel: forward spectra against a float64 direct DFT, round trips, known spectra, and SIMD/scalar parity.
import { beforeAll, describe, expect, it } from 'vitest';
import { RealFftKernel } from '../src/core/kernels.js';
import type { SazanamiExports } from '../src/core/wasm-exports.js';
import { uniformNoise } from './helpers/random.js';
import { type BothBuilds, loadBothBuilds } from './helpers/wasm.js';

/** 16 … 4096; 256/512/1024 are the STFT sizes of 10 ms frames at 8, 16 and 32/48 kHz. */
const SIZES = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

/**
 * Accuracy bound for float32 spectra, relative to the spectrum's RMS. A radix-2 FFT in float32 has
 * an RMS error near ε·log2(n) with ε = 6e-8 (7e-7 at n = 4096; measured ≤ 5e-7); 1e-5 leaves a
 * tenfold margin and still fails on any wrong twiddle, index or sign, which give errors of order 1.
 */
const SPECTRUM_TOLERANCE = 1e-5;
/**
 * Two transforms of the same input that differ only in the order of float32 roundings differ by
 * about twice the error of each (≤ 1e-6 of the RMS measured); 2e-6 allows that and nothing more.
 */
const PARITY_TOLERANCE = 2e-6;

interface Spectrum { re: Float64Array; im: Float64Array }

/** Direct O(n²) DFT of real input in float64: X[k] = Σ x[t]·e^{−2πikt/n}, k = 0…n/2. */
function directDft(x: Float32Array): Spectrum {
  const n = x.length;
  const cos = new Float64Array(n), sin = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    cos[t] = Math.cos((2 * Math.PI * t) / n);
    sin[t] = Math.sin((2 * Math.PI * t) / n);
  }
  const re = new Float64Array(n / 2 + 1), im = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) {
    let sumRe = 0, sumIm = 0;
    for (let t = 0, index = 0; t < n; t++, index = (index + k) % n) {
      sumRe += x[t] * cos[index];
      sumIm -= x[t] * sin[index];
    }
    re[k] = sumRe;
    im[k] = sumIm;
  }
  return { re, im };
}

function spectrumRms(s: Spectrum): number {
  let sum = 0;
  for (let k = 0; k < s.re.length; k++) sum += s.re[k] ** 2 + s.im[k] ** 2;
  return Math.sqrt(sum / s.re.length);
}

/** Largest complex distance between two spectra. */
function maxBinError(a: { re: ArrayLike<number>; im: ArrayLike<number> }, b: Spectrum): number {
  let worst = 0;
  for (let k = 0; k < b.re.length; k++) worst = Math.max(worst, Math.hypot(a.re[k] - b.re[k], a.im[k] - b.im[k]));
  return worst;
}

/** Runs the forward transform of `x` and returns a float64 copy of the spectrum. */
function forward(exports: SazanamiExports, x: Float32Array, simd: boolean): Spectrum {
  const fft = new RealFftKernel(exports, x.length);
  try {
    fft.setSimd(simd);
    fft.time.set(x);
    fft.forward();
    return { re: Float64Array.from(fft.re), im: Float64Array.from(fft.im) };
  } finally {
    fft.destroy();
  }
}

let builds: BothBuilds;
beforeAll(async () => {
  builds = await loadBothBuilds();
});

const PATHS = [
  { name: 'SIMD path of the SIMD build', build: 'simd', simd: true },
  { name: 'scalar path of the SIMD build', build: 'simd', simd: false },
  { name: 'scalar build', build: 'scalar', simd: false },
] as const;

describe.each(PATHS)('RealFftKernel, $name', ({ build, simd }) => {
  it.each(SIZES)('forward transform of %i seeded random samples matches a float64 direct DFT within 1e-5 of the spectrum RMS', (size) => {
    const x = uniformNoise(size, 1000 + size);
    const reference = directDft(x);
    const spectrum = forward(builds[build].exports, x, simd);
    expect(maxBinError(spectrum, reference) / spectrumRms(reference)).toBeLessThan(SPECTRUM_TOLERANCE);
    // DC and Nyquist bins of a real signal are real.
    expect(spectrum.im[0]).toBe(0);
    expect(spectrum.im[size / 2]).toBe(0);
  });

  it.each(SIZES)('inverse(forward(x)) returns %i seeded random samples within 2e-6', (size) => {
    // Samples are in [-1, 1); the round trip's error is that of two transforms, ≤ 5e-7 measured.
    const x = uniformNoise(size, 2000 + size);
    const fft = new RealFftKernel(builds[build].exports, size);
    fft.setSimd(simd);
    fft.time.set(x);
    fft.forward();
    fft.time.fill(0);
    fft.inverse();
    let worst = 0;
    for (let t = 0; t < size; t++) worst = Math.max(worst, Math.abs(fft.time[t] - x[t]));
    fft.destroy();
    expect(worst).toBeLessThan(2e-6);
  });

  describe.each([256, 1024, 4096])('known spectra at size %i', (size) => {
    // Exact spectra have magnitudes up to n; a float32 sum of n terms is good to ~n·ε·log2(n).
    const tolerance = 1e-6 * size;
    const expectSpectrum = (x: Float32Array, expected: (k: number) => [number, number]) => {
      const spectrum = forward(builds[build].exports, x, simd);
      for (let k = 0; k <= size / 2; k++) {
        const [re, im] = expected(k);
        expect(Math.abs(spectrum.re[k] - re), `re[${k}]`).toBeLessThan(tolerance);
        expect(Math.abs(spectrum.im[k] - im), `im[${k}]`).toBeLessThan(tolerance);
      }
    };

    it('a unit impulse at t = 0 has a flat spectrum of ones', () => {
      const x = new Float32Array(size);
      x[0] = 1;
      expectSpectrum(x, () => [1, 0]);
    });

    it('a unit impulse at t = 5 has unit magnitude and phase −2πk·5/n', () => {
      const x = new Float32Array(size);
      x[5] = 1;
      expectSpectrum(x, (k) => [Math.cos((2 * Math.PI * k * 5) / size), -Math.sin((2 * Math.PI * k * 5) / size)]);
    });

    it('a constant 1 puts n into the DC bin and nothing elsewhere', () => {
      expectSpectrum(new Float32Array(size).fill(1), (k) => [k === 0 ? size : 0, 0]);
    });

    it('the alternating sequence (−1)^t puts n into the Nyquist bin and nothing elsewhere', () => {
      const x = Float32Array.from({ length: size }, (_, t) => (t % 2 === 0 ? 1 : -1));
      expectSpectrum(x, (k) => [k === size / 2 ? size : 0, 0]);
    });

    it('cos(2π·7t/n) puts n/2 into bin 7 and nothing elsewhere', () => {
      const x = Float32Array.from({ length: size }, (_, t) => Math.cos((2 * Math.PI * 7 * t) / size));
      expectSpectrum(x, (k) => [k === 7 ? size / 2 : 0, 0]);
    });
  });
});

describe('RealFftKernel SIMD/scalar parity', () => {
  it.each(SIZES)('the SIMD and scalar paths of the SIMD build agree within 2e-6 of the spectrum RMS at size %i', (size) => {
    const x = uniformNoise(size, 3000 + size);
    const a = forward(builds.simd.exports, x, true);
    const b = forward(builds.simd.exports, x, false);
    expect(maxBinError(a, b) / spectrumRms(b)).toBeLessThan(PARITY_TOLERANCE);
  });

  it.each(SIZES)('the SIMD build and the scalar build agree within 2e-6 of the spectrum RMS at size %i', (size) => {
    const x = uniformNoise(size, 4000 + size);
    const a = forward(builds.simd.exports, x, true);
    const b = forward(builds.scalar.exports, x, false);
    expect(maxBinError(a, b) / spectrumRms(b)).toBeLessThan(PARITY_TOLERANCE);
  });

  it.each(SIZES)('the scalar path of the SIMD build is bit-identical to the scalar build at size %i', (size) => {
    // The same scalar code compiled twice; Wasm float arithmetic is deterministic, so any
    // difference means the two build/ files come from different sources (rebuild with npm run asbuild).
    const x = uniformNoise(size, 5000 + size);
    const a = forward(builds.simd.exports, x, false);
    const b = forward(builds.scalar.exports, x, false);
    expect(a.re).toEqual(b.re);
    expect(a.im).toEqual(b.im);
  });

  it('inverse transforms of the SIMD and scalar paths agree within 2e-6 at every size', () => {
    for (const size of SIZES) {
      const x = uniformNoise(size, 6000 + size);
      const outputs = [true, false].map((simd) => {
        const fft = new RealFftKernel(builds.simd.exports, size);
        fft.setSimd(simd);
        fft.time.set(x);
        fft.forward();
        fft.inverse();
        const time = Float32Array.from(fft.time);
        fft.destroy();
        return time;
      });
      let worst = 0;
      for (let t = 0; t < size; t++) worst = Math.max(worst, Math.abs(outputs[0][t] - outputs[1][t]));
      expect(worst, `size ${size}`).toBeLessThan(2e-6);
    }
  });
});

describe('RealFftKernel sizes', () => {
  it.each([0, 8, 100, 1000, 131072])('rejects size %i with a RangeError naming the accepted sizes', (size) => {
    expect(() => new RealFftKernel(builds.simd.exports, size)).toThrow(RangeError);
    expect(() => new RealFftKernel(builds.simd.exports, size)).toThrow(/powers of two 16–65536/);
  });
});

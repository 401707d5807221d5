// Real FFT, forward + inverse per call, at 256/512/1024 points: sazanami's kernel (SIMD build, its
// scalar twins, scalar build) against the plain-JS baseline in bench/plain-fft.ts. Before timing,
// every implementation is checked against a direct DFT so a fast wrong answer cannot win.
import { RealFftKernel } from '../src/core/kernels.js';
import { loadWasm } from '../src/core/wasm-loader.js';
import { type BenchCase, type BenchDefinition, runIfMain, runTable, type TableResult } from './harness.js';
import { PlainRealFft } from './plain-fft.js';

const SIZES = [256, 512, 1024] as const;
const BASELINE = 'plain JS';
const SIMD_CASE = 'sazanami SIMD build';
/** Target speed of the SIMD kernel over plain JS. */
const TARGET_SPEEDUP = 5;

function seededSignal(length: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    state ^= state << 13; state ^= state >>> 17; state ^= state << 5;
    out[i] = (state >>> 0) / 4294967296 - 0.5;
  }
  return out;
}

/** Largest bin error relative to the spectrum's peak, and the round-trip error relative to the input peak. */
interface Accuracy { spectrumError: number; roundTripError: number }

function directDft(x: Float32Array): { re: Float64Array; im: Float64Array } {
  const n = x.length, bins = n / 2 + 1;
  const re = new Float64Array(bins), im = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    let sr = 0, si = 0;
    for (let t = 0; t < n; t++) {
      const angle = (-2 * Math.PI * k * t) / n;
      sr += x[t] * Math.cos(angle);
      si += x[t] * Math.sin(angle);
    }
    re[k] = sr; im[k] = si;
  }
  return { re, im };
}

function accuracy(x: Float32Array, reference: { re: Float64Array; im: Float64Array },
  run: () => { re: ArrayLike<number>; im: ArrayLike<number>; back: ArrayLike<number> }): Accuracy {
  const { re, im, back } = run();
  let peak = 0, spectrumError = 0, roundTripError = 0, inputPeak = 0;
  for (let k = 0; k < reference.re.length; k++) {
    peak = Math.max(peak, Math.hypot(reference.re[k], reference.im[k]));
    spectrumError = Math.max(spectrumError, Math.hypot(re[k] - reference.re[k], im[k] - reference.im[k]));
  }
  for (let i = 0; i < x.length; i++) {
    inputPeak = Math.max(inputPeak, Math.abs(x[i]));
    roundTripError = Math.max(roundTripError, Math.abs(back[i] - x[i]));
  }
  return { spectrumError: spectrumError / peak, roundTripError: roundTripError / inputPeak };
}

function kernelCase(name: string, kernel: RealFftKernel, input: Float32Array): BenchCase {
  return {
    name,
    fn: () => {
      kernel.time.set(input);
      kernel.forward();
      kernel.inverse();
    },
  };
}

export const bench: BenchDefinition = {
  name: 'fft',
  description: 'real FFT forward + inverse at 256/512/1024 points vs plain JS',
  async run() {
    const [simd, scalar] = await Promise.all([loadWasm({}, 'simd'), loadWasm({}, 'scalar')]);
    const tables: TableResult[] = [];
    const summary: string[] = [];
    for (const size of SIZES) {
      const input = seededSignal(size, size);
      const plain = new PlainRealFft(size);
      const plainTime = new Float32Array(size);
      const kernels = [new RealFftKernel(simd.exports, size), new RealFftKernel(simd.exports, size), new RealFftKernel(scalar.exports, size)];
      kernels[1].setSimd(false);
      const names = [SIMD_CASE, 'sazanami SIMD build, scalar path', 'sazanami scalar build'];

      const reference = directDft(input);
      const checks: string[] = [];
      const checkOne = (name: string, run: () => { re: ArrayLike<number>; im: ArrayLike<number>; back: ArrayLike<number> }): void => {
        const a = accuracy(input, reference, run);
        const ok = a.spectrumError < 1e-4 && a.roundTripError < 1e-4;
        checks.push(`${name} ${a.spectrumError.toExponential(1)}/${a.roundTripError.toExponential(1)}${ok ? '' : ' (WRONG?)'}`);
      };
      kernels.forEach((kernel, i) => checkOne(names[i], () => {
        kernel.time.set(input);
        kernel.forward();
        const re = kernel.re.slice(), im = kernel.im.slice();
        kernel.inverse();
        return { re, im, back: kernel.time.slice() };
      }));
      checkOne(BASELINE, () => {
        plain.forward(input);
        const re = plain.re.slice(), im = plain.im.slice();
        plain.inverse(plainTime);
        return { re, im, back: plainTime };
      });

      const cases: BenchCase[] = kernels.map((kernel, i) => kernelCase(names[i], kernel, input));
      cases.push({
        name: BASELINE,
        note: `${size / 2}-point iterative radix-2 complex FFT on Float64Array + real-split, precomputed twiddles and bit reversal (bench/plain-fft.ts)`,
        fn: () => {
          plain.forward(input);
          plain.inverse(plainTime);
        },
      });
      try {
        const table = runTable({
          name: `fft-${size}`,
          title: `Real FFT ${size} points, forward + inverse per call (baseline: plain JS)`,
          unit: 'call',
          audioSecondsPerUnit: null,
          baseline: BASELINE,
          cases,
          notes: [
            'kernel cases copy the input into the Wasm time view, then forward() and inverse(); plain JS reads/writes Float32Arrays',
            `error vs direct DFT (spectrum/round trip, relative to peak): ${checks.join('; ')}`,
            'benchmark.js is loaded outside tsx\'s require hooks so typed-array JS runs at normal speed (see bench/native-require.ts)',
            'speed = plain-JS time / case time (above 1 is faster)',
          ],
        });
        const speed = table.rows.find((r) => r.case === SIMD_CASE)?.speedVsBaseline ?? null;
        summary.push(`${size}: ${speed === null ? '—' : `${speed.toFixed(2)}×`}`);
        tables.push(table);
      } finally {
        for (const k of kernels) k.destroy();
      }
    }
    const last = tables[tables.length - 1];
    const speeds = tables.map((t) => t.rows.find((r) => r.case === SIMD_CASE)?.speedVsBaseline ?? 0);
    last.notes.push(`SIMD vs plain JS: ${summary.join(', ')} — target ≥ ${TARGET_SPEEDUP}×: `
      + (speeds.every((s) => s >= TARGET_SPEEDUP) ? 'met at every size' : `NOT met at ${SIZES.filter((_, i) => speeds[i] < TARGET_SPEEDUP).join(', ')}`));
    return tables;
  },
};

await runIfMain(bench, import.meta.url);

// ResamplerKernel: frequency response (passband ripple, stopband/image rejection), index alignment,
// output counts and block-split invariance, and SIMD/scalar parity, for common and odd rate pairs.
import { beforeAll, describe, expect, it } from 'vitest';
import { ResamplerKernel } from '../src/core/kernels.js';
import type { SazanamiExports } from '../src/core/wasm-exports.js';
import { gaussianNoise, seededRandom } from './helpers/random.js';
import { maxAbsDifference, randomSines, renderSines, rms, sine } from './helpers/signal.js';
import { fixedBlocks, randomBlocks } from './helpers/stream.js';
import { type BothBuilds, loadBothBuilds } from './helpers/wasm.js';

/** [input Hz, output Hz]; 44056→48000 reduces to 6000/5507, beyond the exact-phase table, so phases are interpolated. */
const RATE_PAIRS: readonly (readonly [number, number])[] = [
  [44100, 48000], [48000, 44100], [96000, 48000], [48000, 96000], [22050, 32000], [16000, 48000], [44056, 48000],
];
const MAX_INPUT = 4096;
/** Passband edge as a fraction of the narrower Nyquist, and the ripple allowed there (the kernel's specification). */
const PASSBAND_FRACTION = 0.8;
const PASSBAND_RIPPLE_DB = 0.1;
/** Everything that is not the wanted tone (aliases, images, phase-interpolation spurs) must be this far below it. */
const STOPBAND_ATTENUATION_DB = 75;
const TONE_AMPLITUDE = 0.5;

let builds: BothBuilds;
beforeAll(async () => {
  builds = await loadBothBuilds();
});

/** Resamples all of `input` in blocks from `nextBlockSize()` and returns the concatenated output. */
function resample(exports: SazanamiExports, inRate: number, outRate: number, input: Float32Array,
  nextBlockSize: () => number = fixedBlocks(MAX_INPUT), simd = true): Float32Array {
  const resampler = new ResamplerKernel(exports, inRate, outRate, MAX_INPUT);
  resampler.setSimd(simd);
  const chunks: Float32Array[] = [];
  let total = 0;
  for (let offset = 0; offset < input.length;) {
    const count = Math.min(nextBlockSize(), input.length - offset, MAX_INPUT);
    const produced = resampler.process(input.subarray(offset, offset + count));
    chunks.push(produced.slice());
    total += produced.length;
    offset += count;
  }
  resampler.destroy();
  const output = new Float32Array(total);
  let position = 0;
  for (const chunk of chunks) {
    output.set(chunk, position);
    position += chunk.length;
  }
  return output;
}

function tapsOf(exports: SazanamiExports, inRate: number, outRate: number): number {
  const resampler = new ResamplerKernel(exports, inRate, outRate, MAX_INPUT);
  const taps = resampler.taps;
  resampler.destroy();
  return taps;
}

/**
 * Least-squares fit of a sinusoid at `frequencyHz` to x[start, end): returns its amplitude and the
 * amplitude of everything else (√2 × RMS of the residual, i.e. the peak of an equally strong sine).
 */
function fitTone(x: Float32Array, frequencyHz: number, sampleRate: number, start: number, end: number) {
  const w = (2 * Math.PI * frequencyHz) / sampleRate;
  let ss = 0, cc = 0, sc = 0, xs = 0, xc = 0;
  for (let n = start; n < end; n++) {
    const s = Math.sin(w * n), c = Math.cos(w * n);
    ss += s * s; cc += c * c; sc += s * c; xs += x[n] * s; xc += x[n] * c;
  }
  const det = ss * cc - sc * sc;
  const a = (xs * cc - xc * sc) / det, b = (xc * ss - xs * sc) / det;
  let residual = 0;
  for (let n = start; n < end; n++) {
    const r = x[n] - a * Math.sin(w * n) - b * Math.cos(w * n);
    residual += r * r;
  }
  return { amplitude: Math.hypot(a, b), residualAmplitude: Math.sqrt((2 * residual) / (end - start)) };
}

const db = (ratio: number) => 20 * Math.log10(ratio);
const pairName = ([inRate, outRate]: readonly [number, number]) => `${inRate}→${outRate} Hz`;

describe('ResamplerKernel frequency response', () => {
  // Each tone is a separate 0.25 s run; the fit skips the filter's transient (taps input samples,
  // converted to output samples) at both ends, so only the steady state is measured.
  it.each(RATE_PAIRS.map((pair) => [pairName(pair), pair] as const))(
    '%s: passband within ±0.1 dB up to 0.8 × the narrower Nyquist; aliases and images ≥ 75 dB below a passband tone',
    (_name, [inRate, outRate]) => {
      const { exports } = builds.simd;
      const nyquist = Math.min(inRate, outRate) / 2;
      const taps = tapsOf(exports, inRate, outRate);
      const length = Math.round(inRate / 4);
      const skip = Math.ceil((taps * outRate) / inRate) + 16;
      const measure = (frequencyHz: number) => {
        const y = resample(exports, inRate, outRate, sine(length, frequencyHz, inRate, TONE_AMPLITUDE));
        // A tone above the output Nyquist can only appear as its alias; fit the fold-back frequency.
        let folded = frequencyHz % outRate;
        if (folded > outRate / 2) folded = outRate - folded;
        const fit = fitTone(y, folded, outRate, skip, y.length - skip);
        return { y, ...fit };
      };

      // Passband: gain of 41 tones from 0.5 % to 80 % of the narrower Nyquist, and everything else
      // in the output (images, aliases, phase-interpolation spurs) relative to the tone.
      let gainMinDb = Infinity, gainMaxDb = -Infinity, worstSpurDb = -Infinity, worstSpurHz = 0;
      for (let i = 0; i <= 40; i++) {
        const frequencyHz = (0.005 + ((PASSBAND_FRACTION - 0.005) * i) / 40) * nyquist;
        const { amplitude, residualAmplitude } = measure(frequencyHz);
        const gainDb = db(amplitude / TONE_AMPLITUDE);
        gainMinDb = Math.min(gainMinDb, gainDb);
        gainMaxDb = Math.max(gainMaxDb, gainDb);
        const spurDb = db(residualAmplitude / amplitude);
        if (spurDb > worstSpurDb) { worstSpurDb = spurDb; worstSpurHz = frequencyHz; }
      }

      // Stopband. Decimation: 30 tones between the output Nyquist and the input Nyquist must vanish
      // (their aliases would land in the output band). Interpolation: a tone cannot lie above the
      // input Nyquist, so measure the images (at inRate − f, …, above the input Nyquist) of 30 tones
      // in the transition band 0.8–0.999 × Nyquist, whose images lie closest to the passband.
      let worstStopDb = -Infinity, worstStopHz = 0;
      for (let i = 0; i < 30; i++) {
        let stopDb: number, frequencyHz: number;
        if (outRate < inRate) {
          frequencyHz = nyquist * 1.001 + ((inRate / 2) * 0.999 - nyquist * 1.001) * (i / 29);
          const { y } = measure(frequencyHz);
          stopDb = db((Math.SQRT2 * rms(y, skip, y.length - skip)) / TONE_AMPLITUDE);
        } else {
          frequencyHz = (PASSBAND_FRACTION + ((0.999 - PASSBAND_FRACTION) * i) / 29) * nyquist;
          const { amplitude, residualAmplitude } = measure(frequencyHz);
          // Relative to a passband tone (unity gain), not to the partly attenuated transition-band tone.
          stopDb = db(residualAmplitude / TONE_AMPLITUDE);
          expect(amplitude).toBeLessThanOrEqual(TONE_AMPLITUDE * 1.02);
        }
        if (stopDb > worstStopDb) { worstStopDb = stopDb; worstStopHz = frequencyHz; }
      }

      console.log(`resampler ${pairName([inRate, outRate])} (${taps} taps): passband gain ${gainMinDb.toFixed(4)} … ${gainMaxDb.toFixed(4)} dB ` +
        `(ripple ${(gainMaxDb - gainMinDb).toFixed(4)} dB p-p); worst passband spur ${worstSpurDb.toFixed(1)} dB at ${worstSpurHz.toFixed(0)} Hz; ` +
        `worst ${outRate < inRate ? 'alias of a tone above' : 'image above'} ${nyquist} Hz ${worstStopDb.toFixed(1)} dB (tone ${worstStopHz.toFixed(0)} Hz)`);
      expect(Math.max(Math.abs(gainMinDb), Math.abs(gainMaxDb))).toBeLessThanOrEqual(PASSBAND_RIPPLE_DB);
      expect(worstSpurDb).toBeLessThanOrEqual(-STOPBAND_ATTENUATION_DB);
      expect(worstStopDb).toBeLessThanOrEqual(-STOPBAND_ATTENUATION_DB);
    },
  );
});

describe('ResamplerKernel index alignment', () => {
  // Error bound for band-limited signals (12 seeded sines up to 0.8 × the narrower Nyquist, peak
  // 0.9): passband gain error ≤ 0.001 dB (1.2e-4 relative) and spurs ≥ 80 dB down (1e-4) allow
  // ~1e-4 per pass; float32 rounding adds ~1e-6. Measured ~1e-5 (one pass), ~3e-5 (round trip).
  // A one-sample misalignment would give errors of order 0.5, so these bounds pin the alignment.
  it.each(RATE_PAIRS.map((pair) => [pairName(pair), pair] as const))(
    '%s: output k equals the band-limited input at time k·in/out within 1e-4',
    (_name, [inRate, outRate]) => {
      const { exports } = builds.simd;
      const components = randomSines(12, PASSBAND_FRACTION * Math.min(inRate, outRate) / 2, seededRandom(inRate + outRate), 0.9);
      const x = renderSines(components, inRate, inRate); // 1 s
      const y = resample(exports, inRate, outRate, x);
      const expected = renderSines(components, y.length, outRate);
      const edge = Math.ceil((tapsOf(exports, inRate, outRate) * outRate) / inRate) + 8;
      expect(maxAbsDifference(y, expected, edge, y.length)).toBeLessThan(1e-4);
    },
  );

  it.each(RATE_PAIRS.map((pair) => [pairName(pair), pair] as const))(
    '%s and back: a band-limited signal returns index-aligned with the original within 2e-4 (edges skipped)',
    (_name, [inRate, outRate]) => {
      const { exports } = builds.simd;
      const components = randomSines(12, PASSBAND_FRACTION * Math.min(inRate, outRate) / 2, seededRandom(7 * inRate + outRate), 0.9);
      const x = renderSines(components, inRate, inRate);
      const there = resample(exports, inRate, outRate, x);
      const back = resample(exports, outRate, inRate, there);
      expect(back.length).toBeGreaterThan(0.95 * x.length);
      const edge = tapsOf(exports, inRate, outRate) + tapsOf(exports, outRate, inRate);
      expect(maxAbsDifference(back, x, edge, back.length)).toBeLessThan(2e-4);
    },
  );
});

describe('ResamplerKernel output count and block-split invariance', () => {
  const BLOCK_SIZES = [1, 7, 128, 441, 4096];

  it.each(RATE_PAIRS.map((pair) => [pairName(pair), pair] as const))(
    '%s: after N inputs exactly ceil((N − taps/2)·out/in) outputs exist, for blocks of 1, 7, 128, 441 and 4096',
    (_name, [inRate, outRate]) => {
      // Output k needs input up to k·in/out + taps/2 (the filter's look-ahead), so the count is
      // N·out/in less taps/2 input samples held back, never more than taps/2·out/in + 1 short.
      const { exports } = builds.simd;
      const input = gaussianNoise(30_000, 11, 0.3);
      for (const block of BLOCK_SIZES) {
        const resampler = new ResamplerKernel(exports, inRate, outRate, MAX_INPUT);
        const held = resampler.taps / 2;
        let pushed = 0, produced = 0;
        for (let offset = 0; offset < input.length; offset += block) {
          const chunk = input.subarray(offset, Math.min(offset + block, input.length));
          produced += resampler.process(chunk).length;
          pushed += chunk.length;
          const ahead = pushed - held;
          const expected = ahead <= 0 ? 0 : Math.floor((ahead * outRate + inRate - 1) / inRate);
          if (produced !== expected) {
            expect.fail(`block ${block}: after ${pushed} inputs ${produced} outputs, expected ${expected}`);
          }
          expect(Math.abs(produced - (pushed * outRate) / inRate)).toBeLessThanOrEqual((held * outRate) / inRate + 1);
        }
        resampler.destroy();
      }
    },
  );

  it.each(RATE_PAIRS.map((pair) => [pairName(pair), pair] as const))(
    '%s: output is bit-identical whether input comes in blocks of 1, 7, 128, 441, 4096 or seeded random sizes',
    (_name, [inRate, outRate]) => {
      const { exports } = builds.simd;
      const input = gaussianNoise(20_000, 12, 0.3);
      const reference = resample(exports, inRate, outRate, input, fixedBlocks(4096));
      for (const block of BLOCK_SIZES) {
        expect(resample(exports, inRate, outRate, input, fixedBlocks(block)), `block ${block}`).toEqual(reference);
      }
      expect(resample(exports, inRate, outRate, input, randomBlocks(MAX_INPUT, seededRandom(13))), 'random blocks').toEqual(reference);
    },
  );
});

describe('ResamplerKernel SIMD/scalar parity', () => {
  // The SIMD dot product keeps four partial sums in the same lanes and adds them in the same
  // pairing as the scalar twin, so both round alike; 1e-6 on unit-variance input is a few ulps.
  it.each(RATE_PAIRS.map((pair) => [pairName(pair), pair] as const))(
    '%s: SIMD and scalar paths of the SIMD build, and the SIMD and scalar builds, agree within 1e-6',
    (_name, [inRate, outRate]) => {
      const input = gaussianNoise(20_000, 14, 0.3);
      const simdPath = resample(builds.simd.exports, inRate, outRate, input, fixedBlocks(441), true);
      const scalarPath = resample(builds.simd.exports, inRate, outRate, input, fixedBlocks(441), false);
      const scalarBuild = resample(builds.scalar.exports, inRate, outRate, input, fixedBlocks(441), false);
      expect(scalarPath.length).toBe(simdPath.length);
      expect(scalarBuild.length).toBe(simdPath.length);
      expect(maxAbsDifference(simdPath, scalarPath)).toBeLessThanOrEqual(1e-6);
      expect(maxAbsDifference(simdPath, scalarBuild)).toBeLessThanOrEqual(1e-6);
    },
  );
});

describe('ResamplerKernel block limits', () => {
  it('rejects a block larger than maxInput with a RangeError', () => {
    const resampler = new ResamplerKernel(builds.simd.exports, 44100, 48000, 128);
    expect(() => resampler.process(new Float32Array(129))).toThrow(RangeError);
    resampler.destroy();
  });
});

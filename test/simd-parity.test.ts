// SIMD/scalar parity of the noise suppressor (8/16/32/48 kHz) and the 44.1 kHz capture chain on
// 3 s of seeded noisy speech: SIMD vs scalar path in the SIMD build, and SIMD build vs scalar build.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CaptureProcessor } from '../src/core/capture-processor.js';
import { NoiseSuppressorKernel, ResamplerKernel } from '../src/core/kernels.js';
import type { NoiseSuppressionLevel } from '../src/core/options.js';
import type { SazanamiExports } from '../src/core/wasm-exports.js';
import { readWav } from '../src/core/wav.js';
import { gaussianNoise } from './helpers/random.js';
import { maxAbsDifference, snrDb } from './helpers/signal.js';
import { fixedBlocks, processInBlocks } from './helpers/stream.js';
import { type BothBuilds, loadBothBuilds } from './helpers/wasm.js';

const SPEECH_FILE = new URL('../eval/fixtures/speech-en-us-m1.wav', import.meta.url);
const SECONDS = 3;
/** White noise 0.02 RMS (−34 dBFS) under speech at −26 dBov: about 8 dB SNR, so every gain path is busy. */
const NOISE_RMS = 0.02;
/**
 * The twins evaluate the same polynomials (assembly/vmath.ts) and the same butterflies; they differ
 * only in the order in which float32 roundings happen (lane-wise vs. sequential reductions and
 * shuffles). Per frame that is ~1e-7 of full scale; the recursive smoothers (noise tracker,
 * decision-directed SNR) could amplify it near a clamp or a threshold, but measured differences
 * stay ~3e-7 (SNR ~130 dB). 1e-4 max abs and 80 dB leave room for that amplification while
 * catching any real divergence of the twins (a wrong lane, coefficient or bin gives errors ≥ 1e-2).
 */
const MAX_ABS_TOLERANCE = 1e-4;
const MIN_AGREEMENT_DB = 80;

let builds: BothBuilds;
let speech48k: Float32Array;

beforeAll(async () => {
  builds = await loadBothBuilds();
  const wav = readWav(readFileSync(SPEECH_FILE));
  expect(wav.sampleRate).toBe(48000);
  speech48k = wav.channels[0].subarray(0, SECONDS * 48000);
});

/** The speech at `rate` (made with the scalar build's resampler: only input preparation) plus seeded white noise. */
function noisySpeech(rate: number, seed: number): Float32Array {
  let speech: Float32Array = speech48k;
  if (rate !== 48000) {
    const resampler = new ResamplerKernel(builds.scalar.exports, 48000, rate, 4096);
    const parts: number[] = [];
    for (let offset = 0; offset < speech48k.length; offset += 4096) {
      for (const v of resampler.process(speech48k.subarray(offset, offset + 4096))) parts.push(v);
    }
    resampler.destroy();
    speech = Float32Array.from(parts);
  }
  const noise = gaussianNoise(speech.length, seed, NOISE_RMS);
  return speech.map((v, i) => v + noise[i]);
}

interface Run { output: Float32Array; speechProbability: number; noiseLevelDbfs: number }

function suppress(exports: SazanamiExports, rate: number, level: NoiseSuppressionLevel, input: Float32Array, simd: boolean): Run {
  const kernel = new NoiseSuppressorKernel(exports, rate, level);
  kernel.setSimd(simd);
  const frame = kernel.frameSize;
  const output = new Float32Array(input.length);
  for (let offset = 0; offset + frame <= input.length; offset += frame) {
    kernel.input.set(input.subarray(offset, offset + frame));
    kernel.process();
    output.set(kernel.output, offset);
  }
  const run = { output, speechProbability: kernel.speechProbability, noiseLevelDbfs: kernel.noiseLevelDbfs };
  kernel.destroy();
  return run;
}

function capture(exports: SazanamiExports, input: Float32Array, simd: boolean): Run {
  const processor = new CaptureProcessor(exports, { sampleRate: 44100, noiseSuppression: 'balanced' });
  processor.setSimd(simd);
  const output = processInBlocks(input, fixedBlocks(128), (block, out) => { processor.process(block, out); });
  const { speechProbability, noiseLevelDbfs, error } = processor.stats();
  expect(error).toBeNull();
  processor.destroy();
  return { output, speechProbability, noiseLevelDbfs };
}

/** Asserts two runs agree within the stated tolerances and returns the figures for the log. */
function expectAgreement(label: string, reference: Run, test: Run): void {
  const maxDiff = maxAbsDifference(reference.output, test.output);
  const agreementDb = snrDb(reference.output, test.output);
  console.log(`parity ${label}: max |diff| ${maxDiff.toExponential(2)}, agreement ${agreementDb.toFixed(1)} dB`);
  expect(maxDiff).toBeLessThan(MAX_ABS_TOLERANCE);
  expect(agreementDb).toBeGreaterThan(MIN_AGREEMENT_DB);
  // Statistics come from the same per-bin state; 1e-3 absolute is far above rounding effects.
  expect(Math.abs(reference.speechProbability - test.speechProbability)).toBeLessThan(1e-3);
  expect(Math.abs(reference.noiseLevelDbfs - test.noiseLevelDbfs)).toBeLessThan(1e-3);
}

describe('NoiseSuppressorKernel SIMD/scalar parity on 3 s of noisy speech', () => {
  const cases = [8000, 16000, 32000, 48000].flatMap((rate) =>
    (['light', 'balanced', 'strong'] as const).map((level) => [rate, level] as const));

  it.each(cases)('at %i Hz (%s): the SIMD and scalar paths of the SIMD build agree within 1e-4 max and 80 dB', (rate, level) => {
    const input = noisySpeech(rate, rate + 1);
    const simdPath = suppress(builds.simd.exports, rate, level, input, true);
    expect(Math.sqrt(simdPath.output.reduce((s, v) => s + v * v, 0) / input.length)).toBeGreaterThan(0.005); // not silent
    expectAgreement(`NS ${rate} Hz ${level}, SIMD vs scalar path`, simdPath, suppress(builds.simd.exports, rate, level, input, false));
  });

  it.each(cases)('at %i Hz (%s): the SIMD build and the scalar build agree within 1e-4 max and 80 dB', (rate, level) => {
    const input = noisySpeech(rate, rate + 2);
    expectAgreement(`NS ${rate} Hz ${level}, SIMD build vs scalar build`,
      suppress(builds.simd.exports, rate, level, input, true), suppress(builds.scalar.exports, rate, level, input, true));
  });

  it.each([8000, 16000, 32000, 48000])('at %i Hz: the scalar path of the SIMD build is bit-identical to the scalar build', (rate) => {
    // The same scalar code compiled twice; Wasm float arithmetic is deterministic, so a difference
    // means build/ holds builds of different sources (run npm run asbuild).
    const input = noisySpeech(rate, rate + 3);
    const a = suppress(builds.simd.exports, rate, 'balanced', input, false);
    const b = suppress(builds.scalar.exports, rate, 'balanced', input, true);
    expect(maxAbsDifference(a.output, b.output)).toBe(0);
  });
});

describe('CaptureProcessor SIMD/scalar parity at 44.1 kHz on 3 s of noisy speech', () => {
  it('the SIMD and scalar paths of the SIMD build agree within 1e-4 max and 80 dB', () => {
    const input = noisySpeech(44100, 44101);
    expectAgreement('capture 44.1 kHz, SIMD vs scalar path', capture(builds.simd.exports, input, true), capture(builds.simd.exports, input, false));
  });

  it('the SIMD build and the scalar build agree within 1e-4 max and 80 dB', () => {
    const input = noisySpeech(44100, 44102);
    expectAgreement('capture 44.1 kHz, SIMD build vs scalar build', capture(builds.simd.exports, input, true), capture(builds.scalar.exports, input, true));
  });

  it('the scalar path of the SIMD build is bit-identical to the scalar build', () => {
    const input = noisySpeech(44100, 44103);
    expect(maxAbsDifference(capture(builds.simd.exports, input, false).output, capture(builds.scalar.exports, input, true).output)).toBe(0);
  });
});

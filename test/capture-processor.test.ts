// CaptureProcessor (frame adapter + capture chain core): stream timing at any block size, the
// reported delay against the observed one, robustness to abnormal input, bypass on failure or
// destroy, and validation at the public edge.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CaptureProcessor, type CaptureProcessorConfig } from '../src/core/capture-processor.js';
import type { LoadedWasm } from '../src/core/wasm-loader.js';
import { loadWasm } from '../src/core/wasm-loader.js';
import type { SazanamiExports } from '../src/core/wasm-exports.js';
import { gaussianNoise, seededRandom } from './helpers/random.js';
import { hasNonFinite, maxAbsDifference, randomSines, renderSines, snrDb } from './helpers/signal.js';
import { fixedBlocks, processInBlocks, randomBlocks } from './helpers/stream.js';

const DEVICE_RATES = [8000, 16000, 22050, 44100, 48000, 96000];
const BLOCK_SIZES = [1, 3, 127, 128, 441, 1000];
/** Rates the kernels run at directly: no resampler in the chain. */
const NATIVE_RATES = new Set([8000, 16000, 32000, 48000]);
/**
 * Delay-matching error bounds for a band-limited input with peak 0.9.
 * Native rates: only the STFT's float32 windows (sin² + cos² = 1 to ~1e-7) and the FFT round trip
 * (≤ 5e-7) separate output from input, so the delayed input comes back within 1e-6.
 * Resampled rates: two resamplers, each with ≤ 0.001 dB passband gain error (1.2e-4 relative) and
 * ≥ 80 dB image rejection, bound the error near 2e-4 of full scale (measured 1.5e-5 – 3e-5).
 */
const NATIVE_DELAY_TOLERANCE = 1e-6;
const RESAMPLED_DELAY_TOLERANCE = 2e-4;

let wasm: LoadedWasm;
beforeAll(async () => {
  wasm = await loadWasm({}, 'simd');
});

function create(config: CaptureProcessorConfig, exports: SazanamiExports = wasm.exports): CaptureProcessor {
  return new CaptureProcessor(exports, config);
}

/** Runs `input` through `processor` in blocks and checks every call reported success. */
function run(processor: CaptureProcessor, input: Float32Array, nextBlockSize: () => number): Float32Array {
  let failures = 0;
  const output = processInBlocks(input, nextBlockSize, (block, out) => {
    if (!processor.process(block, out)) failures++;
  });
  expect(failures).toBe(0);
  return output;
}

/** Band-limited test signal for a device rate: 12 seeded sines below 0.8 × min(rate, 48 kHz)/2, peak 0.9. */
function bandLimitedInput(rate: number, seconds: number, seed: number): Float32Array {
  const components = randomSines(12, (0.8 * Math.min(rate, 48000)) / 2, seededRandom(seed), 0.9);
  return renderSines(components, Math.round(rate * seconds), rate);
}

/** Largest |y[n] − x[n − delay]| over n where both are in the steady state. */
function delayedError(y: Float32Array, x: Float32Array, delay: number, from: number): number {
  let worst = 0;
  for (let n = from; n < y.length; n++) worst = Math.max(worst, Math.abs(y[n] - x[n - delay]));
  return worst;
}

describe('CaptureProcessor stream timing', () => {
  it.each(DEVICE_RATES)('at %i Hz, blocks of 1, 3, 127, 128, 441 and 1000 samples never underrun and give bit-identical output', (rate) => {
    const input = bandLimitedInput(rate, 0.6, rate);
    let reference: Float32Array | null = null;
    for (const block of BLOCK_SIZES) {
      const processor = create({ sampleRate: rate, maxBlockSize: block });
      const output = run(processor, input, fixedBlocks(block));
      expect(processor.stats().underruns, `block ${block}`).toBe(0);
      processor.destroy();
      if (reference === null) reference = output;
      else expect(output, `block ${block} vs block 1`).toEqual(reference);
    }
    // Seeded irregular partition of the same stream, with maxBlockSize 1000.
    const processor = create({ sampleRate: rate, maxBlockSize: 1000 });
    const output = run(processor, input, randomBlocks(1000, seededRandom(rate + 1)));
    expect(processor.stats().underruns).toBe(0);
    processor.destroy();
    expect(output, 'seeded random blocks').toEqual(reference);
  });

  it.each(DEVICE_RATES)('at %i Hz with noise suppression off, output is the band-limited input delayed by exactly latencySamples', (rate) => {
    const processor = create({ sampleRate: rate, maxBlockSize: 441, noiseSuppression: 'off' });
    const latency = processor.latencySamples;
    expect(processor.stats().latencySamples).toBe(latency);
    expect(processor.stats().latencyMs).toBeCloseTo((1000 * latency) / rate, 9);
    const input = bandLimitedInput(rate, 1, 2 * rate);
    const output = run(processor, input, fixedBlocks(441));
    processor.destroy();
    // Skip the chain's start-up (its delay plus 20 ms for the filters and the first STFT frame).
    const from = latency + Math.round(0.02 * rate);
    const tolerance = NATIVE_RATES.has(rate) ? NATIVE_DELAY_TOLERANCE : RESAMPLED_DELAY_TOLERANCE;
    const errors = [-2, -1, 0, 1, 2].map((offset) => delayedError(output, input, latency + offset, from + 2));
    console.log(`capture ${rate} Hz: latencySamples ${latency} (${(1000 * latency / rate).toFixed(2)} ms), ` +
      `max |y[n] − x[n − latency]| ${errors[2].toExponential(2)}`);
    expect(errors[2]).toBeLessThan(tolerance);
    // The error at latency ± 1, ± 2 is of the order of the signal: the delay is pinned to the sample.
    for (const [i, error] of errors.entries()) if (i !== 2) expect(error).toBeGreaterThan(0.01);
  });

  it('reports 20 ms for native rates and a whole number of device samples for 22.05/44.1/96 kHz', () => {
    for (const rate of [8000, 16000, 32000, 48000]) {
      const processor = create({ sampleRate: rate });
      expect(processor.latencySamples).toBe(rate / 50);
      expect(processor.kernelSampleRate).toBe(rate);
      processor.destroy();
    }
    for (const [rate, kernelRate] of [[22050, 32000], [44100, 48000], [96000, 48000]]) {
      const processor = create({ sampleRate: rate });
      expect(processor.kernelSampleRate).toBe(kernelRate);
      expect(Number.isInteger(processor.latencySamples)).toBe(true);
      processor.destroy();
    }
  });

  it.each([48000, 44100])('at %i Hz, process() splits an input longer than maxBlockSize exactly as the caller would', (rate) => {
    const input = bandLimitedInput(rate, 0.5, 3 * rate);
    const split = create({ sampleRate: rate, maxBlockSize: 128 });
    const whole = create({ sampleRate: rate, maxBlockSize: 1000 });
    // 1000-sample calls into a processor limited to 128 (split into 7 × 128 + 104 inside process()).
    const splitOutput = run(split, input, fixedBlocks(1000));
    const wholeOutput = run(whole, input, fixedBlocks(1000));
    const quantum = create({ sampleRate: rate, maxBlockSize: 128 });
    const quantumOutput = run(quantum, input, fixedBlocks(128));
    expect(splitOutput).toEqual(wholeOutput);
    expect(splitOutput).toEqual(quantumOutput);
    expect(split.stats().underruns).toBe(0);
    for (const processor of [split, whole, quantum]) processor.destroy();
  });
});

describe('CaptureProcessor with abnormal input', () => {
  const ABNORMAL_INPUTS: Record<string, (n: number) => number> = {
    'NaN': () => NaN,
    '+Inf': () => Infinity,
    '−Inf': () => -Infinity,
    'alternating ±Inf': (n) => (n % 2 ? Infinity : -Infinity),
    'denormals': (n) => (n % 2 ? 1 : -1) * 1e-40,
    '±1e30': (n) => (n % 3 ? 1e30 : -1e30),
    '±float32 max': (n) => (n % 2 ? 3.4e38 : -3.4e38),
    'full-scale square wave (1.2 kHz at 48 kHz)': (n) => (Math.floor(n / 20) % 2 ? 1 : -1),
    'a mix of all of these and speech-level noise': (n) => [NaN, Infinity, -Infinity, 1e30, 1e-42, 0.05 * Math.sin(n), 1, -1][n % 8],
  };

  it.each([8000, 44100, 48000, 96000])('at %i Hz, NaN/Inf/denormal/±1e30/full-scale input never yields a non-finite output, with every preset', (rate) => {
    for (const noiseSuppression of ['off', 'light', 'balanced', 'strong'] as const) {
      const processor = create({ sampleRate: rate, noiseSuppression });
      const block = new Float32Array(128), out = new Float32Array(128);
      let n = 0;
      for (const [name, generate] of Object.entries(ABNORMAL_INPUTS)) {
        for (let b = 0; b < Math.ceil((0.25 * rate) / 128); b++) {
          for (let i = 0; i < 128; i++) block[i] = generate(n++);
          expect(processor.process(block, out)).toBe(true);
          if (hasNonFinite(out)) expect.fail(`${noiseSuppression}, ${name}: non-finite output`);
        }
      }
      const stats = processor.stats();
      expect(Number.isFinite(stats.speechProbability) && Number.isFinite(stats.noiseLevelDbfs)).toBe(true);
      expect(stats.underruns).toBe(0);
      processor.destroy();
    }
  });

  it('counts NaN and ±Inf input samples in stats().invalidInputSamples, and nothing else', () => {
    const processor = create({ sampleRate: 48000 });
    const block = new Float32Array(128).fill(0.01);
    block.set([NaN, NaN, NaN, NaN, NaN], 0); // 5 NaN
    block.set([Infinity, Infinity, Infinity], 10); // 3 +Inf
    block.set([-Infinity, -Infinity], 20); // 2 −Inf
    block.set([1e30, -1e30, 1e-40, -1e-40, 3.4e38], 30); // finite: clamped or flushed, not invalid
    processor.process(block, new Float32Array(128));
    expect(processor.stats().invalidInputSamples).toBe(10);
    processor.process(block, new Float32Array(128));
    expect(processor.stats().invalidInputSamples).toBe(20);
    processor.destroy();
  });

  it.each([NaN, Infinity, -Infinity])('replaces an input sample of %s by silence (suppression off, 48 kHz: the output latencySamples later is 0)', (bad) => {
    const processor = create({ sampleRate: 48000, noiseSuppression: 'off' });
    const input = new Float32Array(4800);
    input[1000] = bad;
    const output = run(processor, input, fixedBlocks(128));
    // Every other input sample is 0, so the whole output is 0 up to rounding if `bad` became 0.
    expect(maxAbsDifference(output, new Float32Array(output.length))).toBeLessThan(1e-6);
    processor.destroy();
  });

  it.each([48000, 44100])('at %i Hz with suppression off, passes the delayed input again right after abnormal input', (rate) => {
    const processor = create({ sampleRate: rate, noiseSuppression: 'off' });
    const garbage = Float32Array.from({ length: Math.round(0.5 * rate) },
      (_, n) => Object.values(ABNORMAL_INPUTS)[Math.floor(n / 1000) % 9](n));
    run(processor, garbage, fixedBlocks(128));
    const input = bandLimitedInput(rate, 0.5, 4 * rate);
    const output = run(processor, input, fixedBlocks(128));
    const latency = processor.latencySamples;
    const tolerance = NATIVE_RATES.has(rate) ? NATIVE_DELAY_TOLERANCE : RESAMPLED_DELAY_TOLERANCE;
    // Once the delay line has flushed the garbage, output n is input n − latency again.
    expect(delayedError(output, input, latency, latency + Math.round(0.02 * rate))).toBeLessThan(tolerance);
    processor.destroy();
  });

  it.each([48000, 44100])('at %i Hz with balanced suppression, converges to a fresh processor\'s output within 3.5 s after abnormal input', (rate) => {
    // The noise tracker forgets through a 1.5 s minimum-statistics window and ~0.5 s of smoothing;
    // after that its state is driven by the input alone, so both processors must produce the same
    // audio. 40 dB of agreement over the last 1.5 s allows residual differences in slow smoothers.
    const seconds = 5;
    const signal = gaussianNoise(seconds * rate, rate, 0.02);
    const tone = renderSines([{ frequencyHz: 440, phase: 0, amplitude: 0.1 }], seconds * rate, rate);
    for (let i = 0; i < signal.length; i++) if (Math.floor(i / (0.4 * rate)) % 2 === 0) signal[i] += tone[i];
    const fresh = create({ sampleRate: rate, noiseSuppression: 'balanced' });
    const recovered = create({ sampleRate: rate, noiseSuppression: 'balanced' });
    const garbage = Float32Array.from({ length: 2 * rate }, (_, n) => Object.values(ABNORMAL_INPUTS)[Math.floor(n / 4096) % 9](n));
    run(recovered, garbage, fixedBlocks(128));
    const a = run(fresh, signal, fixedBlocks(128));
    const b = run(recovered, signal, fixedBlocks(128));
    const from = Math.round(3.5 * rate);
    const agreementDb = snrDb(a, b, from, signal.length);
    console.log(`capture ${rate} Hz balanced: output after abnormal input matches a fresh processor to ${agreementDb.toFixed(1)} dB from 3.5 s on`);
    expect(agreementDb).toBeGreaterThan(40);
    fresh.destroy();
    recovered.destroy();
  });
});

describe('CaptureProcessor bypass', () => {
  it('after destroy(), process() copies input to output and returns false (twice destroying is harmless)', () => {
    const processor = create({ sampleRate: 48000 });
    processor.destroy();
    processor.destroy();
    const input = gaussianNoise(300, 21, 0.3);
    const output = new Float32Array(300).fill(7);
    expect(processor.process(input, output)).toBe(false);
    expect(output).toEqual(input);
    expect(processor.process(input, input)).toBe(false);
    expect(processor.stats().bypassed).toBe(true);
  });

  describe('a kernel failure', () => {
    const FAULT = 'injected kernel fault';
    /** A copy of the exports whose captureProcess throws from its `failAt`-th call on. */
    function faultyExports(failAt: number): { exports: SazanamiExports; calls: () => number } {
      let calls = 0;
      const exports: SazanamiExports = {
        ...wasm.exports,
        captureProcess: (handle: number, count: number) => {
          if (++calls >= failAt) throw new Error(FAULT);
          return wasm.exports.captureProcess(handle, count);
        },
      };
      return { exports, calls: () => calls };
    }

    it('makes process() return false with the input copied to the output exactly, and onError fire once over many calls', () => {
      const { exports } = faultyExports(6);
      const processor = create({ sampleRate: 44100, maxBlockSize: 128 }, exports);
      const onError = vi.fn();
      processor.onError = onError;
      const input = gaussianNoise(128 * 50, 22, 0.3);
      const results: boolean[] = [];
      const output = processInBlocks(input, fixedBlocks(128), (block, out) => { results.push(processor.process(block, out)); });
      expect(results.slice(0, 5)).toEqual([true, true, true, true, true]);
      expect(results.slice(5).every((ok) => !ok)).toBe(true);
      expect(output.subarray(5 * 128)).toEqual(input.subarray(5 * 128));
      expect(onError).toHaveBeenCalledTimes(1);
      expect(onError).toHaveBeenCalledWith(expect.stringContaining(FAULT));
      const stats = processor.stats();
      expect(stats.error).toContain(FAULT);
      expect(stats.bypassed).toBe(true);
      processor.destroy();
    });

    it('that strikes in the middle of a split call still returns the whole input unchanged', () => {
      // maxBlockSize 128 splits this 1000-sample call; the 3rd sub-block fails after 2 succeeded.
      const { exports } = faultyExports(3);
      const processor = create({ sampleRate: 48000, maxBlockSize: 128 }, exports);
      const input = gaussianNoise(1000, 23, 0.3);
      const output = new Float32Array(1000);
      expect(processor.process(input, output)).toBe(false);
      expect(output).toEqual(input);
      processor.destroy();
    });

    it('leaves an in-place buffer (input === output) untouched', () => {
      const { exports } = faultyExports(1);
      const processor = create({ sampleRate: 48000 }, exports);
      const buffer = gaussianNoise(128, 24, 0.3);
      const copy = buffer.slice();
      expect(processor.process(buffer, buffer)).toBe(false);
      expect(buffer).toEqual(copy);
      processor.destroy();
    });
  });
});

describe('CaptureProcessor validation', () => {
  it.each([0, 7999, 44100.5, 1e6, NaN, -48000])('rejects sample rate %s with a RangeError naming the accepted rates', (sampleRate) => {
    expect(() => create({ sampleRate })).toThrow(RangeError);
    expect(() => create({ sampleRate })).toThrow(/accepted: integer rates 8000–384000 Hz/);
  });

  it.each([0, 100000, 1.5, -1])('rejects maxBlockSize %s with a RangeError naming the accepted sizes', (maxBlockSize) => {
    expect(() => create({ sampleRate: 48000, maxBlockSize })).toThrow(RangeError);
    expect(() => create({ sampleRate: 48000, maxBlockSize })).toThrow(/accepted: integers 1–8192/);
  });

  it('accepts the edges 8000 and 384000 Hz and maxBlockSize 1 and 8192', () => {
    for (const config of [{ sampleRate: 8000, maxBlockSize: 1 }, { sampleRate: 384000, maxBlockSize: 8192 }]) {
      const processor = create(config);
      expect(processor.stats().error).toBeNull();
      processor.destroy();
    }
  });

  it('rejects an unknown option key with a TypeError naming the accepted keys', () => {
    const config = { sampleRate: 48000, noiseSupression: 'off' } as unknown as CaptureProcessorConfig;
    expect(() => create(config)).toThrow(TypeError);
    expect(() => create(config)).toThrow(/unknown capture option 'noiseSupression'; accepted: noiseSuppression/);
  });

  it.each(['medium', '', 'OFF', 2])('rejects noiseSuppression %j with a RangeError naming the accepted levels', (level) => {
    const config = { sampleRate: 48000, noiseSuppression: level } as unknown as CaptureProcessorConfig;
    expect(() => create(config)).toThrow(RangeError);
    expect(() => create(config)).toThrow(/off\|light\|balanced\|strong/);
  });

  it('update() rejects bad options with the same errors and keeps the current ones', () => {
    const processor = create({ sampleRate: 48000, noiseSuppression: 'light' });
    expect(() => processor.update({ noiseSuppression: 'loud' as never })).toThrow(RangeError);
    expect(() => processor.update({ gain: 2 } as never)).toThrow(TypeError);
    expect(processor.currentOptions.noiseSuppression).toBe('light');
    processor.update({ noiseSuppression: 'strong' });
    expect(processor.currentOptions.noiseSuppression).toBe('strong');
    processor.destroy();
  });
});

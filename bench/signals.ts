// Benchmark input: realistic noisy speech at 48 kHz (the evaluation fixtures' utterances, one after
// another, each mixed with a different fixture noise at 5 dB SNR), converted to other rates with
// sazanami's own resampler. Without fixtures a seeded synthetic voice plus noise stands in, so a
// benchmark still runs (and says so).
import { NOISE_TYPES, NsFixtures } from '../eval/fixtures.js';
import { mixAtSnr } from '../eval/mix.js';
import { ResamplerKernel } from '../src/core/kernels.js';
import type { LoadedWasm } from '../src/core/wasm-loader.js';

export const SPEECH_RATE_HZ = 48_000;
/** Low enough that the suppressor works hard, high enough that speech dominates the active frames. */
export const BENCH_SNR_DB = 5;

export interface BenchSignal {
  sampleRateHz: number;
  samples: Float32Array;
  /** Where the signal came from, for table notes. */
  source: string;
}

/** `durationSec` of noisy speech at 48 kHz. */
export function noisySpeech(durationSec: number): BenchSignal {
  const length = Math.round(durationSec * SPEECH_RATE_HZ);
  try {
    return fixtureSpeech(length);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    return { sampleRateHz: SPEECH_RATE_HZ, samples: syntheticSpeech(length), source: `synthetic voice + noise (${reason})` };
  }
}

function fixtureSpeech(length: number): BenchSignal {
  const fixtures = NsFixtures.open();
  const ids = fixtures.utteranceIds;
  if (ids.length === 0) throw new Error('the fixture manifest lists no utterances');
  const out = new Float32Array(length);
  let at = 0;
  for (let i = 0; at < length; i++) {
    const noiseType = NOISE_TYPES[i % NOISE_TYPES.length];
    const mixture = mixAtSnr(fixtures.utterance(ids[i % ids.length]), fixtures.noise(noiseType), BENCH_SNR_DB, i * 24_000);
    const count = Math.min(mixture.length, length - at);
    out.set(mixture.subarray(0, count), at);
    at += count;
  }
  return { sampleRateHz: SPEECH_RATE_HZ, samples: out, source: `eval fixtures: utterances + ${NOISE_TYPES.join('/')} noise at ${BENCH_SNR_DB} dB SNR` };
}

/** Seeded stand-in: a gliding harmonic voice in 4 Hz syllables over white-ish noise. */
function syntheticSpeech(length: number): Float32Array {
  let seed = 0x2545f491;
  const random = (): number => {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    return (seed >>> 0) / 4294967296 - 0.5;
  };
  const out = new Float32Array(length);
  let phase = 0;
  for (let n = 0; n < length; n++) {
    const t = n / SPEECH_RATE_HZ;
    const f0 = 140 + 40 * Math.sin(2 * Math.PI * 0.7 * t);
    phase += (2 * Math.PI * f0) / SPEECH_RATE_HZ;
    const syllable = Math.max(0, Math.sin(2 * Math.PI * 4 * t));
    let voice = 0;
    for (let h = 1; h <= 20; h++) voice += Math.sin(h * phase) / h;
    out[n] = 0.05 * syllable * voice + 0.02 * random();
  }
  return out;
}

/** The signal at `outRate` through sazanami's resampler (delay not removed: irrelevant for timing). */
export function resampleSignal(wasm: LoadedWasm, signal: BenchSignal, outRate: number): BenchSignal {
  if (outRate === signal.sampleRateHz) return signal;
  const block = 4096;
  const resampler = new ResamplerKernel(wasm.exports, signal.sampleRateHz, outRate, block);
  try {
    const expected = Math.round((signal.samples.length * outRate) / signal.sampleRateHz);
    const out = new Float32Array(expected);
    let written = 0;
    const pad = new Float32Array(block);
    for (let pos = 0; written < expected; pos += block) {
      const input = pos < signal.samples.length ? signal.samples.subarray(pos, Math.min(pos + block, signal.samples.length)) : pad;
      const produced = resampler.process(input);
      const count = Math.min(produced.length, expected - written);
      out.set(produced.subarray(0, count), written);
      written += count;
    }
    return { sampleRateHz: outRate, samples: out, source: `${signal.source}, resampled to ${outRate} Hz` };
  } finally {
    resampler.destroy();
  }
}

/** Consecutive non-overlapping views of `blockSize` samples (a trailing partial block is dropped). */
export function blocksOf(samples: Float32Array, blockSize: number): Float32Array[] {
  const blocks: Float32Array[] = [];
  for (let pos = 0; pos + blockSize <= samples.length; pos += blockSize) blocks.push(samples.subarray(pos, pos + blockSize));
  return blocks;
}

/** A function returning the blocks in order, wrapping around: the bench input stream. */
export function cycle<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new RangeError('cycle: nothing to cycle through');
  let index = 0;
  return () => {
    const item = items[index];
    index = index + 1 === items.length ? 0 : index + 1;
    return item;
  };
}

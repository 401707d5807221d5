// Signal generator behind scripts/make-fixtures.sh: levels the espeak-ng utterances (ITU-T P.56
// active speech level, method B) and synthesizes the noise fixtures (white, pink, brown, hum, fan,
// babble) from a seeded PRNG so that every run writes byte-identical files.
//
// Usage (called by make-fixtures.sh, not by hand):
//   tsx scripts/make-noise.ts <workDir> <outDir>
// <workDir> holds speech.tsv and babble.tsv (tab-separated: id, voice, speed, pitch, language, text,
// path of the 48 kHz float WAV that espeak-ng + sox produced). <outDir> receives speech-<id>.wav,
// noise-<type>.wav (all 48 kHz mono 16-bit) and manifest.json describing them.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readWav, writeWav } from '../src/core/wav.js';

const SAMPLE_RATE_HZ = 48_000;
const SPEECH_ACTIVE_LEVEL_DBOV = -26;
const NOISE_RMS_DBFS = -26;
const SPEECH_PAD_SECONDS = 0.5;
/** Noise files are this much longer than the longest utterance, so a mixture never wraps. */
const NOISE_EXTRA_SECONDS = 0.2;
/** Length of the crossfade that makes every noise file loop without a click. */
const LOOP_CROSSFADE_SECONDS = 0.05;
const PEAK_LIMIT = 0.98;
const SEED = 0x5a2a_4a31;

// ---------------------------------------------------------------------------------------------
// Seeded randomness: xorshift32 (Marsaglia 2003) and Box–Muller Gaussians.

class Xorshift32 {
  private state: number;
  constructor(seed: number) { this.state = (seed >>> 0) || 1; }
  /** Uniform in (0, 1). */
  next(): number {
    let x = this.state;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.state = x;
    return (x + 0.5) / 4294967296;
  }
  gaussian(): number {
    return Math.sqrt(-2 * Math.log(this.next())) * Math.cos(2 * Math.PI * this.next());
  }
}

// ---------------------------------------------------------------------------------------------
// Levels.

/**
 * Active speech level in dB relative to full scale (±1 = overload, so a full-scale sine is -3 dBov),
 * ITU-T P.56 (12/2011) method B: envelope with a 30 ms time constant, 200 ms hangover, thresholds
 * one octave apart, margin 15.9 dB, interpolated where the margin is crossed.
 */
function activeSpeechLevelDbov(x: Float32Array | Float64Array, sampleRateHz: number): number {
  const marginDb = 15.9;
  const g = Math.exp(-1 / (sampleRateHz * 0.03));
  const hangoverSamples = Math.ceil(0.2 * sampleRateHz);
  const thresholdCount = 16; // 2^-15 … 2^0
  const thresholds = Array.from({ length: thresholdCount }, (_, j) => 2 ** (j - 15));
  const activeCounts = new Float64Array(thresholdCount);
  const hangover = new Int32Array(thresholdCount).fill(hangoverSamples);
  let sumSquares = 0;
  let p = 0;
  let q = 0;
  for (let n = 0; n < x.length; n++) {
    const v = x[n];
    sumSquares += v * v;
    p = g * p + (1 - g) * Math.abs(v);
    q = g * q + (1 - g) * p;
    for (let j = 0; j < thresholdCount; j++) {
      if (q >= thresholds[j]) { activeCounts[j]++; hangover[j] = 0; }
      else if (hangover[j] < hangoverSamples) { activeCounts[j]++; hangover[j]++; }
    }
  }
  if (sumSquares === 0) return -Infinity;
  let previousLevel = 10 * Math.log10(sumSquares / x.length);
  let previousExcess = previousLevel - 20 * Math.log10(thresholds[0]);
  for (let j = 0; j < thresholdCount; j++) {
    if (activeCounts[j] === 0) break;
    const level = 10 * Math.log10(sumSquares / activeCounts[j]);
    const excess = level - 20 * Math.log10(thresholds[j]);
    if (excess <= marginDb) {
      const fraction = previousExcess === excess ? 0 : (previousExcess - marginDb) / (previousExcess - excess);
      return previousLevel + fraction * (level - previousLevel);
    }
    previousLevel = level;
    previousExcess = excess;
  }
  return previousLevel;
}

function rmsDb(x: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  return 10 * Math.log10(sum / x.length);
}

function peak(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

function scaleInPlace(x: Float64Array, gain: number): void {
  for (let i = 0; i < x.length; i++) x[i] *= gain;
}

/** Scales to the target RMS, backing off if that would push the peak over PEAK_LIMIT. */
function normalizeRms(x: Float64Array, targetDbfs: number): void {
  let gain = 10 ** ((targetDbfs - rmsDb(x)) / 20);
  gain = Math.min(gain, PEAK_LIMIT / peak(x));
  scaleInPlace(x, gain);
}

// ---------------------------------------------------------------------------------------------
// Filters.

/** RBJ Audio EQ Cookbook biquad, direct form I, run in place. */
function biquad(x: Float64Array, kind: 'lowpass' | 'highpass' | 'bandpass', frequencyHz: number, q: number): void {
  const w0 = 2 * Math.PI * frequencyHz / SAMPLE_RATE_HZ;
  const alpha = Math.sin(w0) / (2 * q);
  const cos = Math.cos(w0);
  let b0: number; let b1: number; let b2: number;
  if (kind === 'lowpass') { b1 = 1 - cos; b0 = b1 / 2; b2 = b0; }
  else if (kind === 'highpass') { b1 = -(1 + cos); b0 = -b1 / 2; b2 = b0; }
  else { b0 = alpha; b1 = 0; b2 = -alpha; }
  const a0 = 1 + alpha; const a1 = -2 * cos; const a2 = 1 - alpha;
  let x1 = 0; let x2 = 0; let y1 = 0; let y2 = 0;
  for (let n = 0; n < x.length; n++) {
    const x0 = x[n];
    const y0 = (b0 * x0 + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2) / a0;
    x2 = x1; x1 = x0; y2 = y1; y1 = y0;
    x[n] = y0;
  }
}

/**
 * Folds the last `fade` samples of a signal of length+fade onto its start with an equal-power
 * crossfade, so that sample length-1 flows into sample 0 when the result is looped.
 */
function makeLoopable(x: Float64Array, length: number): Float64Array {
  const fade = x.length - length;
  const out = x.slice(0, length);
  for (let i = 0; i < fade; i++) {
    const t = (i + 0.5) / fade;
    out[i] = x[i] * Math.sin(0.5 * Math.PI * t) + x[length + i] * Math.cos(0.5 * Math.PI * t);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Noise generators. Each returns `count` samples at an arbitrary level.

function whiteNoise(count: number, rng: Xorshift32): Float64Array {
  const x = new Float64Array(count);
  for (let i = 0; i < count; i++) x[i] = rng.gaussian();
  return x;
}

/** -3 dB/octave from ~10 Hz to 20 kHz: Paul Kellet's "refined" 7-pole filter on white noise. */
function pinkNoise(count: number, rng: Xorshift32): Float64Array {
  const x = new Float64Array(count);
  let b0 = 0; let b1 = 0; let b2 = 0; let b3 = 0; let b4 = 0; let b5 = 0; let b6 = 0;
  for (let i = 0; i < count; i++) {
    const w = rng.gaussian();
    b0 = 0.99886 * b0 + w * 0.0555179;
    b1 = 0.99332 * b1 + w * 0.0750759;
    b2 = 0.969 * b2 + w * 0.153852;
    b3 = 0.8665 * b3 + w * 0.3104856;
    b4 = 0.55 * b4 + w * 0.5329522;
    b5 = -0.7616 * b5 - w * 0.016898;
    x[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
    b6 = w * 0.115926;
  }
  return x;
}

/** -6 dB/octave (leaky integrator, corner ~4 Hz), high-passed at 20 Hz so it does not drift. */
function brownNoise(count: number, rng: Xorshift32): Float64Array {
  const x = new Float64Array(count);
  let state = 0;
  for (let i = 0; i < count; i++) {
    state = 0.9995 * state + rng.gaussian();
    x[i] = state;
  }
  biquad(x, 'highpass', 20, Math.SQRT1_2);
  return x;
}

/** Mains hum: 50 Hz and its harmonics to 1 kHz, odd ones stronger, each with a slow amplitude wobble. */
function humNoise(count: number, rng: Xorshift32): Float64Array {
  const x = new Float64Array(count);
  for (let k = 1; k * 50 <= 1000; k++) {
    const amplitude = (k % 2 === 1 ? 1 : 0.45) / k ** 0.9;
    const phase = 2 * Math.PI * rng.next();
    const wobbleHz = 0.15 + 0.4 * rng.next();
    const wobblePhase = 2 * Math.PI * rng.next();
    const wobbleDepth = 0.08 + 0.12 * rng.next();
    const w = 2 * Math.PI * 50 * k / SAMPLE_RATE_HZ;
    const ww = 2 * Math.PI * wobbleHz / SAMPLE_RATE_HZ;
    for (let n = 0; n < count; n++) {
      x[n] += amplitude * (1 + wobbleDepth * Math.sin(ww * n + wobblePhase)) * Math.sin(w * n + phase);
    }
  }
  // A faint broadband floor, as any real recording of hum has (about 45 dB down).
  const floor = whiteNoise(count, rng);
  for (let n = 0; n < count; n++) x[n] += 0.01 * floor[n];
  return x;
}

/**
 * Fan: low-passed noise (most energy below ~1 kHz) plus a weaker band around 2–3 kHz, with a slow
 * amplitude modulation (0.4 Hz), a blade-pass tone at 87 Hz with two harmonics, and a motor whine.
 */
function fanNoise(count: number, rng: Xorshift32): Float64Array {
  const rumble = pinkNoise(count, rng);
  biquad(rumble, 'lowpass', 900, 0.8);
  biquad(rumble, 'highpass', 40, Math.SQRT1_2);
  const hiss = whiteNoise(count, rng);
  biquad(hiss, 'bandpass', 2500, 0.9);
  normalizeRms(rumble, -20);
  normalizeRms(hiss, -34);
  const x = new Float64Array(count);
  const modulationPhase = 2 * Math.PI * rng.next();
  const tones = [
    { hz: 87, level: 0.02 }, { hz: 174, level: 0.012 }, { hz: 261, level: 0.006 }, { hz: 1240, level: 0.006 },
  ];
  const tonePhases = tones.map(() => 2 * Math.PI * rng.next());
  for (let n = 0; n < count; n++) {
    const t = n / SAMPLE_RATE_HZ;
    const modulation = 1 + 0.18 * Math.sin(2 * Math.PI * 0.4 * t + modulationPhase);
    let tonal = 0;
    for (let k = 0; k < tones.length; k++) {
      tonal += tones[k].level * Math.sin(2 * Math.PI * tones[k].hz * t + tonePhases[k]);
    }
    x[n] = modulation * (rumble[n] + hiss[n]) + (1 + 0.05 * Math.sin(2 * Math.PI * 0.4 * t)) * tonal;
  }
  return x;
}

/** Babble: every talker looped to `count` samples, each rotated by a different offset, then summed. */
function babbleNoise(count: number, talkers: Float64Array[]): Float64Array {
  const x = new Float64Array(count);
  talkers.forEach((talker, index) => {
    const levelled = talker.slice();
    normalizeRms(levelled, -26 - 2 * (index % 3)); // slightly unequal talkers, as in a room
    const offset = Math.floor((index * 0.37 + 0.11) * levelled.length) % levelled.length;
    for (let n = 0; n < count; n++) x[n] += levelled[(n + offset) % levelled.length];
  });
  return x;
}

// ---------------------------------------------------------------------------------------------
// I/O.

interface SpeechRow { id: string; voice: string; speed: number; pitch: number; language: string; text: string; path: string }

function readRows(tsvPath: string): SpeechRow[] {
  return readFileSync(tsvPath, 'utf8').split('\n').filter((line) => line.trim() !== '').map((line) => {
    const [id, voice, speed, pitch, language, text, path] = line.split('\t');
    return { id, voice, speed: Number(speed), pitch: Number(pitch), language, text, path };
  });
}

function readMono(path: string): Float64Array {
  const wav = readWav(new Uint8Array(readFileSync(path)));
  if (wav.sampleRate !== SAMPLE_RATE_HZ) throw new Error(`${path}: expected ${SAMPLE_RATE_HZ} Hz, got ${wav.sampleRate}`);
  return Float64Array.from(wav.channels[0]);
}

function writePcm16(path: string, x: Float64Array): void {
  writeFileSync(path, writeWav([Float32Array.from(x)], SAMPLE_RATE_HZ, 'pcm16'));
}

/** Cuts espeak-ng's own leading/trailing silence (below -60 dB re peak). */
function trimSilence(x: Float64Array): Float64Array {
  const threshold = peak(x) * 1e-3;
  let first = 0;
  while (first < x.length && Math.abs(x[first]) < threshold) first++;
  let last = x.length - 1;
  while (last > first && Math.abs(x[last]) < threshold) last--;
  return x.slice(first, last + 1);
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

function main(): void {
  const [workDir, outDir] = process.argv.slice(2);
  if (workDir === undefined || outDir === undefined) throw new Error('usage: make-noise.ts <workDir> <outDir>');
  const rng = new Xorshift32(SEED);

  const padSamples = Math.round(SPEECH_PAD_SECONDS * SAMPLE_RATE_HZ);
  const speech = readRows(join(workDir, 'speech.tsv')).map((row) => {
    const voiced = trimSilence(readMono(row.path));
    const level = activeSpeechLevelDbov(voiced, SAMPLE_RATE_HZ);
    scaleInPlace(voiced, 10 ** ((SPEECH_ACTIVE_LEVEL_DBOV - level) / 20));
    const padded = new Float64Array(voiced.length + 2 * padSamples);
    padded.set(voiced, padSamples);
    const file = `speech-${row.id}.wav`;
    writePcm16(join(outDir, file), padded);
    return {
      id: row.id, file, voice: row.voice, language: row.language, speedWordsPerMinute: row.speed, pitch: row.pitch,
      text: row.text, samples: padded.length, durationSeconds: round(padded.length / SAMPLE_RATE_HZ, 3),
      activeLevelDbov: round(activeSpeechLevelDbov(padded, SAMPLE_RATE_HZ), 2), peak: round(peak(padded), 3),
    };
  });

  const longest = Math.max(...speech.map((s) => s.samples));
  const noiseSamples = Math.ceil((longest / SAMPLE_RATE_HZ + NOISE_EXTRA_SECONDS) * 10) * SAMPLE_RATE_HZ / 10;
  const generated = noiseSamples + Math.round(LOOP_CROSSFADE_SECONDS * SAMPLE_RATE_HZ);
  const talkers = readRows(join(workDir, 'babble.tsv'));
  const generators: { id: string; description: string; make: () => Float64Array }[] = [
    { id: 'white', description: 'white Gaussian noise', make: () => whiteNoise(generated, rng) },
    { id: 'pink', description: 'pink noise (-3 dB/octave)', make: () => pinkNoise(generated, rng) },
    { id: 'brown', description: 'brown noise (-6 dB/octave, high-passed at 20 Hz)', make: () => brownNoise(generated, rng) },
    { id: 'hum', description: '50 Hz mains hum with harmonics to 1 kHz and slow amplitude wobble', make: () => humNoise(generated, rng) },
    { id: 'fan', description: 'fan: low-passed noise with 0.4 Hz modulation, 87 Hz blade-pass tones and a 1.24 kHz whine', make: () => fanNoise(generated, rng) },
    {
      id: 'babble', description: `babble of ${talkers.length} espeak-ng talkers (${talkers.map((t) => t.voice).join(', ')})`,
      make: () => babbleNoise(generated, talkers.map((t) => trimSilence(readMono(t.path)))),
    },
  ];
  const noise = generators.map(({ id, description, make }) => {
    const x = makeLoopable(make(), noiseSamples);
    normalizeRms(x, NOISE_RMS_DBFS);
    const file = `noise-${id}.wav`;
    writePcm16(join(outDir, file), x);
    return {
      id, file, description, samples: x.length, durationSeconds: round(x.length / SAMPLE_RATE_HZ, 3),
      rmsDbfs: round(rmsDb(x), 2), peak: round(peak(x), 3),
    };
  });

  const manifest = {
    generator: 'scripts/make-fixtures.sh',
    sampleRateHz: SAMPLE_RATE_HZ,
    speechActiveLevelDbov: SPEECH_ACTIVE_LEVEL_DBOV,
    speech,
    noise,
    babbleTalkers: talkers.map(({ voice, text }) => ({ voice, text })),
  };
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const s of speech) {
    console.log(`${s.file.padEnd(24)} ${s.durationSeconds.toFixed(2)} s  active ${s.activeLevelDbov} dBov  peak ${s.peak}  ${s.voice}`);
  }
  for (const n of noise) {
    console.log(`${n.file.padEnd(24)} ${n.durationSeconds.toFixed(2)} s  rms ${n.rmsDbfs} dBFS  peak ${n.peak}`);
  }
}

main();

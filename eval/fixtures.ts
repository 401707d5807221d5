// The noise-suppression evaluation's fixtures (made by scripts/make-fixtures.sh into eval/fixtures/)
// and the conditions they span: every clean utterance × every noise type × SNR in {0, 5, 10, 15} dB.
// Mixtures are made here on demand with eval/mix.ts, never stored.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWav } from '../src/core/wav.js';
import { mixAtSnr, scaledNoiseAtSnr } from './mix.js';

export const FIXTURES_DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const FIXTURE_SAMPLE_RATE_HZ = 48_000;
export const NOISE_TYPES = ['white', 'pink', 'brown', 'hum', 'fan', 'babble'] as const;
export type NoiseType = (typeof NOISE_TYPES)[number];
export const EVAL_SNRS_DB = [0, 5, 10, 15] as const;
/**
 * espeak-ng synthesizes at 22.05 kHz, so the clean utterances hold nothing above 11.025 kHz (the noises
 * are full-band). Pass it as LSD's `maxFrequencyHz` to measure speech distortion where there is speech.
 */
export const FIXTURE_SPEECH_BANDWIDTH_HZ = 11_025;
/** Each utterance starts at a different point of the noise (utterance index × 0.5 s), so babble differs. */
export const NOISE_OFFSET_STEP_SECONDS = 0.5;

/** One clean utterance as listed in manifest.json. */
export interface UtteranceInfo {
  id: string;
  file: string;
  voice: string;
  language: string;
  speedWordsPerMinute: number;
  pitch: number;
  text: string;
  samples: number;
  durationSeconds: number;
  /** ITU-T P.56 active speech level (dB re full scale), about -26. */
  activeLevelDbov: number;
  peak: number;
}

/** One noise recording as listed in manifest.json. */
export interface NoiseInfo {
  id: NoiseType;
  file: string;
  description: string;
  samples: number;
  durationSeconds: number;
  rmsDbfs: number;
  peak: number;
}

export interface FixtureManifest {
  generator: string;
  sampleRateHz: number;
  speechActiveLevelDbov: number;
  speech: UtteranceInfo[];
  noise: NoiseInfo[];
  babbleTalkers: { voice: string; text: string }[];
}

/** One evaluation condition; `id` is `<utterance>/<noise>/<snr>dB`, stable across runs. */
export interface NsCondition {
  id: string;
  utteranceId: string;
  noiseType: NoiseType;
  snrDb: number;
  noiseOffsetSamples: number;
}

/** A rendered condition: the clean reference, the mixture to process, and the noise that was added. */
export interface NsConditionSignals {
  condition: NsCondition;
  sampleRateHz: number;
  clean: Float32Array;
  noisy: Float32Array;
  /** Exactly noisy - clean (before float32 rounding of the mixture). */
  noise: Float64Array;
}

/**
 * The fixture set on disk: reads manifest.json once and each WAV at most once.
 * `NsFixtures.open()` uses eval/fixtures/; run `npm run fixtures` first if it is missing.
 */
export class NsFixtures {
  readonly manifest: FixtureManifest;
  private readonly cache = new Map<string, Float32Array>();

  private constructor(readonly directory: string, manifest: FixtureManifest) {
    this.manifest = manifest;
  }

  static open(directory: string = FIXTURES_DIR): NsFixtures {
    let text: string;
    try {
      text = readFileSync(join(directory, 'manifest.json'), 'utf8');
    } catch (error) {
      throw new Error(`no fixtures in ${directory} (run \`npm run fixtures\`): ${(error as Error).message}`);
    }
    const manifest = JSON.parse(text) as FixtureManifest;
    if (manifest.sampleRateHz !== FIXTURE_SAMPLE_RATE_HZ) {
      throw new Error(`fixtures are at ${manifest.sampleRateHz} Hz, expected ${FIXTURE_SAMPLE_RATE_HZ} Hz`);
    }
    return new NsFixtures(directory, manifest);
  }

  get sampleRateHz(): number { return this.manifest.sampleRateHz; }
  get utteranceIds(): string[] { return this.manifest.speech.map((s) => s.id); }

  utteranceInfo(id: string): UtteranceInfo {
    const info = this.manifest.speech.find((s) => s.id === id);
    if (info === undefined) throw new RangeError(`unknown utterance '${id}'; known: ${this.utteranceIds.join(', ')}`);
    return info;
  }

  noiseInfo(type: NoiseType): NoiseInfo {
    const info = this.manifest.noise.find((n) => n.id === type);
    if (info === undefined) throw new RangeError(`unknown noise '${type}'; known: ${this.manifest.noise.map((n) => n.id).join(', ')}`);
    return info;
  }

  /** The clean utterance, 48 kHz mono in [-1, 1). The array is shared: copy before modifying. */
  utterance(id: string): Float32Array {
    return this.load(this.utteranceInfo(id).file);
  }

  /** The noise recording, 48 kHz mono, -26 dBFS RMS, loopable. The array is shared: copy before modifying. */
  noise(type: NoiseType): Float32Array {
    return this.load(this.noiseInfo(type).file);
  }

  /** Every utterance × noise type × SNR, in that nesting order (6 × 6 × 4 = 144 with the current set). */
  conditions(snrsDb: readonly number[] = EVAL_SNRS_DB, noiseTypes: readonly NoiseType[] = NOISE_TYPES): NsCondition[] {
    const list: NsCondition[] = [];
    this.manifest.speech.forEach((speech, index) => {
      for (const noiseType of noiseTypes) {
        const noiseSamples = this.noiseInfo(noiseType).samples;
        const noiseOffsetSamples = Math.round(index * NOISE_OFFSET_STEP_SECONDS * this.sampleRateHz) % noiseSamples;
        for (const snrDb of snrsDb) {
          list.push({ id: `${speech.id}/${noiseType}/${snrDb}dB`, utteranceId: speech.id, noiseType, snrDb, noiseOffsetSamples });
        }
      }
    });
    return list;
  }

  /** Makes the mixture of one condition (see eval/mix.ts for how the SNR is defined). */
  render(condition: NsCondition): NsConditionSignals {
    const clean = this.utterance(condition.utteranceId);
    const noiseRecording = this.noise(condition.noiseType);
    const noisy = mixAtSnr(clean, noiseRecording, condition.snrDb, condition.noiseOffsetSamples);
    const noise = scaledNoiseAtSnr(clean, noiseRecording, condition.snrDb, condition.noiseOffsetSamples);
    return { condition, sampleRateHz: this.sampleRateHz, clean, noisy, noise };
  }

  private load(file: string): Float32Array {
    const cached = this.cache.get(file);
    if (cached !== undefined) return cached;
    const wav = readWav(new Uint8Array(readFileSync(join(this.directory, file))));
    if (wav.sampleRate !== this.sampleRateHz || wav.channels.length !== 1) {
      throw new Error(`${file}: expected ${this.sampleRateHz} Hz mono, got ${wav.sampleRate} Hz × ${wav.channels.length} channels`);
    }
    const samples = wav.channels[0];
    this.cache.set(file, samples);
    return samples;
  }
}

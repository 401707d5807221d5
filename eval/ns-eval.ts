// The noise-suppression evaluation: every system on every condition of the fixture set, scored
// by the project's own metrics against the clean reference. Systems receive the noisy mixture at
// 48 kHz and return a time-aligned signal of the same length.
import { EVAL_SNRS_DB, FIXTURE_SPEECH_BANDWIDTH_HZ, NOISE_TYPES, type NsCondition, type NsFixtures } from './fixtures.js';
import { logSpectralDistanceDb } from './metrics/lsd.js';
import { segmentalSnrDb, snrDb } from './metrics/snr.js';
import { stoi } from './metrics/stoi.js';

export interface NsSystem {
  name: string;
  /** Enhances one mixture (mono, `sampleRate`), returning an aligned signal of equal length. */
  enhance(noisy: Float32Array, sampleRate: number): Float32Array;
}

export interface NsScores {
  segSnrDb: number;
  snrDb: number;
  /** Full-band LSD. */
  lsdDb: number;
  /** LSD up to the fixtures' speech bandwidth (espeak-ng speech is empty above 11.025 kHz). */
  lsdSpeechBandDb: number;
  stoi: number;
}

export interface NsConditionResult {
  condition: string;
  noiseType: string;
  inputSnrDb: number;
  input: NsScores;
  output: NsScores;
}

export interface NsSystemSummary {
  system: string;
  conditions: number;
  meanSegSnrGainDb: number;
  meanSnrGainDb: number;
  meanLsdDb: number;
  meanInputLsdDb: number;
  meanLsdSpeechBandDb: number;
  meanStoi: number;
  meanInputStoi: number;
  /** Mean segSNR gain per noise type and per input SNR. */
  segSnrGainByNoise: Record<string, number>;
  segSnrGainBySnr: Record<string, number>;
  lsdByNoise: Record<string, number>;
  /** The system on clean speech: how much it changes what it should leave alone. */
  cleanSpeech: { segSnrDb: number; lsdDb: number; lsdSpeechBandDb: number; stoi: number };
}

export function score(clean: Float32Array, estimate: Float32Array, sampleRate: number): NsScores {
  return {
    segSnrDb: segmentalSnrDb(clean, estimate, sampleRate),
    snrDb: snrDb(clean, estimate),
    lsdDb: logSpectralDistanceDb(clean, estimate, sampleRate),
    lsdSpeechBandDb: logSpectralDistanceDb(clean, estimate, sampleRate, { maxFrequencyHz: FIXTURE_SPEECH_BANDWIDTH_HZ }),
    stoi: stoi(clean, estimate, sampleRate),
  };
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

export interface NsEvalOptions {
  utteranceIds?: string[];
  snrsDb?: readonly number[];
  onCondition?: (system: string, index: number, total: number) => void;
}

export function evaluateNs(fixtures: NsFixtures, systems: NsSystem[], options: NsEvalOptions = {}):
  { summaries: NsSystemSummary[]; details: Record<string, NsConditionResult[]> } {
  const ids = new Set(options.utteranceIds ?? fixtures.utteranceIds);
  const conditions: NsCondition[] = fixtures.conditions(options.snrsDb ?? EVAL_SNRS_DB).filter((c) => ids.has(c.utteranceId));
  const rate = fixtures.sampleRateHz;
  // Input scores are shared by every system; compute them once.
  const inputScores = new Map<string, NsScores>();
  const summaries: NsSystemSummary[] = [];
  const details: Record<string, NsConditionResult[]> = {};
  for (const system of systems) {
    const results: NsConditionResult[] = [];
    conditions.forEach((condition, index) => {
      const { clean, noisy } = fixtures.render(condition);
      let input = inputScores.get(condition.id);
      if (!input) {
        input = score(clean, noisy, rate);
        inputScores.set(condition.id, input);
      }
      const output = score(clean, system.enhance(noisy, rate), rate);
      results.push({ condition: condition.id, noiseType: condition.noiseType, inputSnrDb: condition.snrDb, input, output });
      options.onCondition?.(system.name, index + 1, conditions.length);
    });
    const cleanScores = [...ids].map((id) => {
      const clean = fixtures.utterance(id);
      return score(clean, system.enhance(clean, rate), rate);
    });
    const gain = (r: NsConditionResult) => r.output.segSnrDb - r.input.segSnrDb;
    const byKey = (key: (r: NsConditionResult) => string, value: (r: NsConditionResult) => number) => {
      const groups: Record<string, number[]> = {};
      for (const r of results) (groups[key(r)] ??= []).push(value(r));
      return Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, mean(v)]));
    };
    summaries.push({
      system: system.name,
      conditions: results.length,
      meanSegSnrGainDb: mean(results.map(gain)),
      meanSnrGainDb: mean(results.map((r) => r.output.snrDb - r.input.snrDb)),
      meanLsdDb: mean(results.map((r) => r.output.lsdDb)),
      meanInputLsdDb: mean(results.map((r) => r.input.lsdDb)),
      meanLsdSpeechBandDb: mean(results.map((r) => r.output.lsdSpeechBandDb)),
      meanStoi: mean(results.map((r) => r.output.stoi)),
      meanInputStoi: mean(results.map((r) => r.input.stoi)),
      segSnrGainByNoise: byKey((r) => r.noiseType, gain),
      segSnrGainBySnr: byKey((r) => `${r.inputSnrDb}dB`, gain),
      lsdByNoise: byKey((r) => r.noiseType, (r) => r.output.lsdDb),
      cleanSpeech: {
        segSnrDb: mean(cleanScores.map((s) => s.segSnrDb)),
        lsdDb: mean(cleanScores.map((s) => s.lsdDb)),
        lsdSpeechBandDb: mean(cleanScores.map((s) => s.lsdSpeechBandDb)),
        stoi: mean(cleanScores.map((s) => s.stoi)),
      },
    });
    details[system.name] = results;
  }
  return { summaries, details };
}

export { NOISE_TYPES, EVAL_SNRS_DB };

// Residual echo suppression (per-band ERLE, reverberation tail, near-end-aware gain) in the capture
// chain at 16 kHz on the evaluation's room conditions: echo removed in single talk, near end kept in
// double talk, and the presets ordered by suppression strength. Floors sit a few dB under what
// `eval/aec/run.ts` measures (noted per test), so tuning can move them but a regression cannot.
import { beforeAll, describe, expect, it } from 'vitest';
import { CaptureProcessor } from '../src/core/capture-processor.js';
import type { EchoCancellationLevel } from '../src/core/options.js';
import { type AecScores, scoreAec } from '../eval/aec/aec-metrics.js';
import { buildScenario, ECHO_CONDITIONS, type EchoSignals, SpeechSource } from '../eval/aec/echo-scenario.js';
import { type BothBuilds, loadBothBuilds } from './helpers/wasm.js';

let builds: BothBuilds;
const speech = new SpeechSource();
const scenarios = new Map<string, EchoSignals>();
beforeAll(async () => { builds = await loadBothBuilds(); });

function scenario(id: string): EchoSignals {
  let s = scenarios.get(id);
  if (s === undefined) {
    s = buildScenario(ECHO_CONDITIONS.find((c) => c.id === id)!, speech, 16000);
    scenarios.set(id, s);
  }
  return s;
}

function score(id: string, level: EchoCancellationLevel): AecScores {
  const s = scenario(id);
  const p = new CaptureProcessor(builds.simd.exports, { sampleRate: 16000, maxBlockSize: 4096, noiseSuppression: 'off', echoCancellation: level });
  const lat = p.latencySamples;
  const mic = new Float32Array(s.mic.length + lat); mic.set(s.mic);
  const far = new Float32Array(s.mic.length + lat); far.set(s.far);
  const out = new Float32Array(mic.length);
  for (let o = 0; o < mic.length; o += 4096) {
    const n = Math.min(4096, mic.length - o);
    p.process(mic.subarray(o, o + n), out.subarray(o, o + n), far.subarray(o, o + n));
  }
  p.destroy();
  return scoreAec(s, out.subarray(lat));
}

describe('residual echo suppressor', () => {
  it('removes ≥ 33 dB of echo in a living room (RT60 0.35 s, soft-clipping loudspeaker) and reaches 10 dB within 1.5 s (eval ≈ 36.4 dB, 0.8 s)', () => {
    const s = score('living-120ms', 'balanced');
    expect(s.steadyErleDb).toBeGreaterThan(33);
    expect(s.timeTo10DbSec).not.toBeNull();
    expect(s.timeTo10DbSec!).toBeLessThanOrEqual(1.5);
    expect(s.recoveryTo20DbSec).not.toBeNull();
    expect(s.recoveryTo20DbSec!).toBeLessThanOrEqual(2);
  });

  it('keeps the near end in double talk in an office (near-end SDR ≥ 19 dB; eval ≈ 22.3 dB) while removing ≥ 30 dB in single talk', () => {
    const s = score('office-40ms', 'balanced');
    expect(s.doubleTalkSdrDb).toBeGreaterThan(19);
    expect(s.steadyErleDb).toBeGreaterThan(30);
  });

  it('keeps the near end in double talk in a living room, where near-end speech must not teach the suppressor its ERLE (near-end SDR ≥ 18 dB; eval ≈ 21.6 dB)', () => {
    expect(score('living-120ms', 'balanced').doubleTalkSdrDb).toBeGreaterThan(18);
  });

  it('orders the presets: light < balanced < strong in single-talk ERLE on the meeting room (RT60 0.5 s)', () => {
    const light = score('meeting-250ms', 'light').steadyErleDb;
    const balanced = score('meeting-250ms', 'balanced').steadyErleDb;
    const strong = score('meeting-250ms', 'strong').steadyErleDb;
    expect(balanced).toBeGreaterThan(light + 2);
    expect(strong).toBeGreaterThan(balanced + 2);
    expect(light).toBeGreaterThan(17);
  });
});

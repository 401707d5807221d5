// Gain control and voice activity: the AGC raises quiet speech towards −18 dBFS without pumping up
// on noise alone, the limiter keeps peaks under −1 dBFS, and the VAD separates speech from noise.
import { beforeAll, describe, expect, it } from 'vitest';
import { CaptureProcessor } from '../src/core/capture-processor.js';
import { SpeechSource } from '../eval/aec/echo-scenario.js';
import { gaussianNoise } from './helpers/random.js';
import { type BothBuilds, loadBothBuilds } from './helpers/wasm.js';

let builds: BothBuilds;
let speech: Float32Array;
beforeAll(async () => {
  builds = await loadBothBuilds();
  const source = new SpeechSource();
  speech = Float32Array.from([...source.utterance(source.ids[0], 16000), ...source.utterance(source.ids[1], 16000)]);
});

function run(p: CaptureProcessor, x: Float32Array, onBlock?: (p: CaptureProcessor) => void): Float32Array {
  const out = new Float32Array(x.length);
  for (let o = 0; o + 160 <= x.length; o += 160) { p.process(x.subarray(o, o + 160), out.subarray(o, o + 160)); onBlock?.(p); }
  return out;
}

describe('gain control and VAD', () => {
  it('raises speech at −46 dBov by ≥ 10 dB within 10 s and keeps peaks ≤ −1 dBFS', () => {
    const quiet = speech.map((v) => v * 0.05);
    const p = new CaptureProcessor(builds.simd.exports, { sampleRate: 16000, maxBlockSize: 160, noiseSuppression: 'off', gainControl: true });
    const out = run(p, quiet);
    expect(p.stats().gainDb!).toBeGreaterThan(10);
    let peak = 0;
    for (const v of out) peak = Math.max(peak, Math.abs(v));
    expect(peak).toBeLessThanOrEqual(0.8913);
  });

  it('does not raise the gain on 5 s of noise alone (no pumping)', () => {
    const p = new CaptureProcessor(builds.simd.exports, { sampleRate: 16000, maxBlockSize: 160, noiseSuppression: 'off', gainControl: true });
    run(p, gaussianNoise(80000, 4, 0.003));
    expect(p.stats().gainDb!).toBeLessThan(1);
  });

  it('the VAD marks most speech blocks active and few noise blocks', () => {
    const p = new CaptureProcessor(builds.simd.exports, { sampleRate: 16000, maxBlockSize: 160, noiseSuppression: 'off' });
    const noise = gaussianNoise(48000, 8, 0.003);
    let noiseActive = 0, speechActive = 0, n1 = 0, n2 = 0;
    run(p, noise, (q) => { n1++; if (q.stats().voiceActive) noiseActive++; });
    const noisy = speech.map((v, i) => v + noise[i % noise.length]);
    run(p, noisy, (q) => { n2++; if (q.stats().voiceActive) speechActive++; });
    expect(noiseActive / n1).toBeLessThan(0.1);
    expect(speechActive / n2).toBeGreaterThan(0.5);
  });
});

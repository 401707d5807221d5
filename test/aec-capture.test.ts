// Echo cancellation in the capture chain: cancellation on a G.168-style path, SIMD/scalar twins,
// robustness to bad far-end input, the unchanged NS-only path, and option validation.
import { beforeAll, describe, expect, it } from 'vitest';
import { CaptureProcessor } from '../src/core/capture-processor.js';
import { validateCaptureOptions } from '../src/core/options.js';
import { scoreAec } from '../eval/aec/aec-metrics.js';
import { buildScenario, ECHO_CONDITIONS, SpeechSource } from '../eval/aec/echo-scenario.js';
import { gaussianNoise } from './helpers/random.js';
import { type BothBuilds, loadBothBuilds } from './helpers/wasm.js';

let builds: BothBuilds;
beforeAll(async () => { builds = await loadBothBuilds(); });

function run(p: CaptureProcessor, mic: Float32Array, far: Float32Array | null, block = 160): Float32Array {
  const out = new Float32Array(mic.length);
  for (let o = 0; o < mic.length; o += block) {
    const n = Math.min(block, mic.length - o);
    p.process(mic.subarray(o, o + n), out.subarray(o, o + n), far ? far.subarray(o, o + n) : null);
  }
  return out;
}
const db = (x: Float32Array, from = 0, to = x.length) => { let s = 0; for (let i = from; i < to; i++) s += x[i] * x[i]; return 10 * Math.log10(s / (to - from) + 1e-30); };

describe('echo canceller in the capture chain', () => {
  it('removes ≥ 40 dB of echo in far-end single talk on a G.168-style sparse path at 16 kHz (eval measures ≈ 47.3 dB)', () => {
    const condition = ECHO_CONDITIONS.find((c) => c.id === 'g168-sparse-20ms')!;
    const s = buildScenario(condition, new SpeechSource(), 16000);
    const p = new CaptureProcessor(builds.simd.exports, { sampleRate: 16000, maxBlockSize: 4096, noiseSuppression: 'off', echoCancellation: 'balanced' });
    const lat = p.latencySamples;
    const padded = new Float32Array(s.mic.length + lat); padded.set(s.mic);
    const farPadded = new Float32Array(s.mic.length + lat); farPadded.set(s.far);
    const out = run(p, padded, farPadded, 4096).subarray(lat);
    const scores = scoreAec(s, out);
    expect(scores.steadyErleDb).toBeGreaterThan(40);
    expect(scores.timeTo10DbSec).not.toBeNull();
    // The path changes to 44 ms at 15 s; the estimator followed it.
    expect(p.stats().echoDelayMs).toBeGreaterThan(40);
    expect(p.stats().echoDelayMs).toBeLessThan(50);
  });

  it('SIMD and scalar paths agree within 1e-3 (RMS relative) on 1 s of seeded far end and echo', () => {
    const far = gaussianNoise(48000, 11, 0.05), near = gaussianNoise(48000, 12, 0.01);
    const mic = new Float32Array(48000);
    for (let n = 0; n < mic.length; n++) mic[n] = near[n] + (n >= 960 ? 0.4 * far[n - 960] : 0);
    const a = new CaptureProcessor(builds.simd.exports, { sampleRate: 48000, maxBlockSize: 128, echoCancellation: true, gainControl: true });
    const b = new CaptureProcessor(builds.simd.exports, { sampleRate: 48000, maxBlockSize: 128, echoCancellation: true, gainControl: true });
    b.setSimd(false);
    const ya = run(a, mic, far, 128), yb = run(b, mic, far, 128);
    let e = 0, s = 0;
    for (let i = 0; i < ya.length; i++) { e += (ya[i] - yb[i]) ** 2; s += ya[i] ** 2; }
    expect(Math.sqrt(e / s)).toBeLessThan(1e-3);
  });

  it.each([
    ['silence', () => new Float32Array(32000)],
    ['NaN', () => new Float32Array(32000).fill(NaN)],
    ['clipping square wave', () => Float32Array.from({ length: 32000 }, (_, i) => (i % 40 < 20 ? 1 : -1))],
    ['an unrelated signal (no echo at all)', () => gaussianNoise(32000, 5, 0.3)],
  ])('never diverges or mutes the near end when the far end is %s', (_name, makeFar) => {
    const near = gaussianNoise(32000, 3, 0.05);
    const p = new CaptureProcessor(builds.simd.exports, { sampleRate: 16000, maxBlockSize: 160, noiseSuppression: 'off', echoCancellation: 'balanced' });
    const out = run(p, near, makeFar());
    expect(out.every(Number.isFinite)).toBe(true);
    // Last second: the near end keeps its level within 3 dB (nothing to cancel, nothing to mute).
    expect(Math.abs(db(out, 16000) - db(near, 16000))).toBeLessThan(3);
    expect(p.stats().error).toBeNull();
  });

  it('tracks the far end through clock drift (mic clock 200 ppm off the far end) without diverging', () => {
    const far = gaussianNoise(16000 * 6, 21, 0.05);
    const mic = new Float32Array(far.length);
    for (let n = 0; n < mic.length; n++) { const t = n * 1.0002 - 640; const i = Math.floor(t); if (i >= 0 && i + 1 < far.length) mic[n] = 0.4 * (far[i] + (t - i) * (far[i + 1] - far[i])); }
    const p = new CaptureProcessor(builds.simd.exports, { sampleRate: 16000, maxBlockSize: 160, noiseSuppression: 'off', echoCancellation: 'balanced' });
    const out = run(p, mic, far);
    expect(out.every(Number.isFinite)).toBe(true);
    // No divergence: the output stays below the microphone (tracking drift this fast is weak: ≈ 5 dB here).
    expect(db(mic, 16000 * 3) - db(out, 16000 * 3)).toBeGreaterThan(3);
  });

  it('with echoCancellation and gainControl off, the output is bit-identical to the NS-only chain (far end ignored)', () => {
    const mic = gaussianNoise(48000, 9, 0.1), far = gaussianNoise(48000, 10, 0.1);
    const a = new CaptureProcessor(builds.simd.exports, { sampleRate: 44100, maxBlockSize: 128 });
    const b = new CaptureProcessor(builds.simd.exports, { sampleRate: 44100, maxBlockSize: 128, echoCancellation: false, gainControl: false });
    expect(Array.from(run(b, mic, far, 128))).toEqual(Array.from(run(a, mic, null, 128)));
  });

  it('validates echoCancellation and gainControl with clear errors', () => {
    expect(validateCaptureOptions({ echoCancellation: true }).echoCancellation).toBe('balanced');
    expect(validateCaptureOptions({}).echoCancellation).toBe('off');
    expect(() => validateCaptureOptions({ echoCancellation: 'max' })).toThrow(RangeError);
    expect(() => validateCaptureOptions({ gainControl: 'yes' })).toThrow(TypeError);
  });
});

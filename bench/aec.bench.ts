// Echo cancellation, gain control and the full capture chain per 10 ms at 48 kHz: the
// CaptureProcessor driven with 480-sample blocks (mic + far end) in each configuration, so rows
// differ by the stages switched on; the NS-only chain is the baseline. Each stage's cost is its
// row minus the "nothing" row (VAD + frame plumbing, which every chain pays).
import { CaptureProcessor } from '../src/core/capture-processor.js';
import type { CaptureOptions } from '../src/core/options.js';
import { loadWasm } from '../src/core/wasm-loader.js';
import type { SazanamiExports } from '../src/core/wasm-exports.js';
import { type BenchCase, type BenchDefinition, runIfMain, runTable } from './harness.js';
import { blocksOf, cycle, noisySpeech } from './signals.js';

const RATE_HZ = 48_000;
const FRAME = 480;
const BASELINE = 'NS only (balanced)';

function chainCase(name: string, exports: SazanamiExports, options: CaptureOptions, mic: Float32Array, far: Float32Array, simd = true): { c: BenchCase; p: CaptureProcessor } {
  const p = new CaptureProcessor(exports, { sampleRate: RATE_HZ, maxBlockSize: FRAME, ...options });
  if (!simd) p.setSimd(false);
  const mics = cycle(blocksOf(mic, FRAME)), fars = cycle(blocksOf(far, FRAME));
  const out = new Float32Array(FRAME);
  return { p, c: { name, fn: () => { p.process(mics(), out, fars()); } } };
}

export const bench: BenchDefinition = {
  name: 'aec',
  description: 'echo cancellation, gain control, VAD and the full capture chain per 10 ms at 48 kHz',
  async run() {
    const [simd, scalar] = await Promise.all([loadWasm({}, 'simd'), loadWasm({}, 'scalar')]);
    const far = noisySpeech(6).samples;
    const near = noisySpeech(6).samples;
    const mic = new Float32Array(far.length);
    const delay = 0.08 * RATE_HZ;
    for (let n = 0; n < mic.length; n++) mic[n] = 0.3 * near[(n + 100_000) % near.length] + (n >= delay ? 0.5 * far[n - delay] : 0);
    const made = [
      chainCase(BASELINE, simd.exports, { noiseSuppression: 'balanced' }, mic, far),
      chainCase('nothing (NS off: plumbing + VAD)', simd.exports, { noiseSuppression: 'off' }, mic, far),
      chainCase('AEC (HPF + AEC + RES), SIMD', simd.exports, { noiseSuppression: 'off', echoCancellation: 'balanced' }, mic, far),
      chainCase('AEC, SIMD build, scalar path', simd.exports, { noiseSuppression: 'off', echoCancellation: 'balanced' }, mic, far, false),
      chainCase('AEC, scalar build', scalar.exports, { noiseSuppression: 'off', echoCancellation: 'balanced' }, mic, far),
      chainCase('AGC + VAD (HPF, NS off)', simd.exports, { noiseSuppression: 'off', gainControl: true }, mic, far),
      chainCase('full chain HPF+AEC+NS+AGC, SIMD', simd.exports, { noiseSuppression: 'balanced', echoCancellation: 'balanced', gainControl: true }, mic, far),
      chainCase('full chain, scalar build', scalar.exports, { noiseSuppression: 'balanced', echoCancellation: 'balanced', gainControl: true }, mic, far),
    ];
    try {
      return [runTable({
        name: 'aec',
        title: 'Capture chain stages, 48 kHz, per 10 ms (480-sample blocks with far end)',
        unit: '10 ms',
        audioSecondsPerUnit: 0.01,
        baseline: BASELINE,
        baselineLabel: 'NS only',
        cases: made.map((m) => m.c),
        notes: ['mic = near speech + 80 ms-delayed far speech; NS off rows include the NS STFT in bypass (it carries the residual echo gain)',
          'a stage costs its row minus the "nothing" row'],
      })];
    } finally {
      for (const m of made) m.p.destroy();
    }
  },
};

await runIfMain(bench, import.meta.url);

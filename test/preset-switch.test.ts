// Changing the noise-suppression preset while audio flows ramps the gain (≈ 100 ms) instead of
// stepping it, so a switch never clicks: around the switch, the level of consecutive 2 ms blocks
// jumps no more than it does in the same stretch when either preset runs throughout.
import { beforeAll, describe, expect, it } from 'vitest';
import { NsFixtures } from '../eval/fixtures.js';
import { type EngineCore, loadEngineCore } from '../src/core/offline.js';
import type { NoiseSuppressionLevel } from '../src/core/options.js';

const RATE = 48000;
const BLOCK = 128;
let core: EngineCore;
let noisy: Float32Array;

beforeAll(async () => {
  core = await loadEngineCore();
  const fixtures = NsFixtures.open();
  const condition = fixtures.conditions([0], ['white']).find((c) => c.utteranceId === 'en-us-m1')!;
  noisy = fixtures.render(condition).noisy;
});

/** Streams `input` in render quanta, switching from `from` to `to` at `switchSample`. */
function runWithSwitch(from: NoiseSuppressionLevel, to: NoiseSuppressionLevel, switchSample: number): Float32Array {
  const processor = core.createCaptureProcessor({ sampleRate: RATE, maxBlockSize: BLOCK, noiseSuppression: from });
  const out = new Float32Array(noisy.length);
  for (let pos = 0; pos + BLOCK <= noisy.length; pos += BLOCK) {
    if (pos === switchSample) processor.update({ noiseSuppression: to });
    processor.process(noisy.subarray(pos, pos + BLOCK), out.subarray(pos, pos + BLOCK));
  }
  processor.destroy();
  return out;
}

/** Largest level change (dB) between consecutive 2 ms blocks in [from, to). */
function largestStepDb(x: Float32Array, from: number, to: number): number {
  const block = 96;
  let previous = NaN, largest = 0;
  for (let i = from; i + block <= to; i += block) {
    let sum = 0;
    for (let j = i; j < i + block; j++) sum += x[j] * x[j];
    const db = 10 * Math.log10(sum / block + 1e-12);
    if (!Number.isNaN(previous)) largest = Math.max(largest, Math.abs(db - previous));
    previous = db;
  }
  return largest;
}

describe('preset changes at run time', () => {
  // In noise only (the first 0.5 s of the fixture), so every level change comes from the gain.
  const switchSample = BLOCK * 40; // 0.107 s: the change settles before speech starts at 0.5 s
  const latency = 960;
  const windowStart = switchSample + latency - 2400, windowEnd = switchSample + latency + 9600;
  const rmsDb = (x: Float32Array, a: number, b: number) => {
    let sum = 0;
    for (let i = a; i < b; i++) sum += x[i] * x[i];
    return 10 * Math.log10(sum / (b - a) + 1e-12);
  };
  for (const [from, to] of [['off', 'strong'], ['strong', 'off'], ['light', 'strong']] as const) {
    it(`ramps ${from} → ${to}: 2 ms level steps around the switch stay within those of either preset alone (+1.5 dB)`, () => {
      const switched = largestStepDb(runWithSwitch(from, to, switchSample), windowStart, windowEnd);
      const steady = Math.max(largestStepDb(runWithSwitch(from, from, switchSample), windowStart, windowEnd),
        largestStepDb(runWithSwitch(to, to, switchSample), windowStart, windowEnd));
      // A hard switch to −28 dB would add one step of ≥ 10 dB on top of the residual noise's own wobble.
      expect(switched).toBeLessThan(steady + 1.5);
      // The switch did take effect: 200–300 ms later the level differs by more than 5 dB from before it.
      const out = runWithSwitch(from, to, switchSample);
      const change = Math.abs(rmsDb(out, switchSample + latency + 9600, switchSample + latency + 14400) -
        rmsDb(out, switchSample + latency - 2400, switchSample + latency));
      expect(change).toBeGreaterThan(5);
    });
  }
});

// Quality floors of the noise suppressor on the speech fixtures, scored with the project's own
// metrics. Floors sit well below the measured values (see `npm run eval`) so they catch
// regressions, not noise in the numbers.
import { beforeAll, describe, expect, it } from 'vitest';
import { NsFixtures, type NoiseType } from '../eval/fixtures.js';
import { logSpectralDistanceDb } from '../eval/metrics/lsd.js';
import { segmentalSnrDb } from '../eval/metrics/snr.js';
import { stoi } from '../eval/metrics/stoi.js';
import { type EngineCore, loadEngineCore, processOffline } from '../src/core/offline.js';
import type { NoiseSuppressionLevel } from '../src/core/options.js';

let core: EngineCore;
let fixtures: NsFixtures;
const RATE = 48000;

beforeAll(async () => {
  core = await loadEngineCore();
  fixtures = NsFixtures.open();
});

const enhance = (x: Float32Array, level: NoiseSuppressionLevel = 'balanced') =>
  processOffline(core, [x], RATE, { noiseSuppression: level }).channels[0];

function rmsDb(x: Float32Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i] * x[i];
  return 10 * Math.log10(sum / (to - from) + 1e-20);
}

describe('noise suppression quality (balanced)', () => {
  const cases: [NoiseType, number, number][] = [
    // noise, input SNR, segSNR-gain floor in dB (measured 3–6 dB on these)
    ['white', 5, 3], ['pink', 5, 1.5], ['brown', 5, 2], ['hum', 5, 2], ['fan', 5, 1], ['white', 15, 1],
  ];
  for (const [noise, snr, floor] of cases) {
    it(`raises segmental SNR by at least ${floor} dB on speech in ${noise} noise at ${snr} dB`, () => {
      const condition = fixtures.conditions([snr], [noise]).find((c) => c.utteranceId === 'en-us-m1')!;
      const { clean, noisy } = fixtures.render(condition);
      const gain = segmentalSnrDb(clean, enhance(noisy), RATE) - segmentalSnrDb(clean, noisy, RATE);
      expect(gain).toBeGreaterThan(floor);
    });
  }

  it('keeps clean speech nearly untouched (STOI ≥ 0.98, LSD ≤ 3 dB below 11 kHz)', () => {
    for (const id of ['en-us-f1', 'de-m1']) {
      const clean = fixtures.utterance(id);
      const out = enhance(clean);
      expect(stoi(clean, out, RATE)).toBeGreaterThan(0.98);
      expect(logSpectralDistanceDb(clean, out, RATE, { maxFrequencyHz: 11025 })).toBeLessThan(3);
    }
  });

  it('does not lower intelligibility in babble at 5 dB by more than 0.03 STOI', () => {
    const condition = fixtures.conditions([5], ['babble']).find((c) => c.utteranceId === 'en-gb-f2')!;
    const { clean, noisy } = fixtures.render(condition);
    expect(stoi(clean, enhance(noisy), RATE)).toBeGreaterThan(stoi(clean, noisy, RATE) - 0.03);
  });

  it('orders presets: off passes the noise floor, light < balanced < strong attenuate it more', () => {
    const condition = fixtures.conditions([5], ['pink']).find((c) => c.utteranceId === 'en-us-m1')!;
    const { noisy } = fixtures.render(condition);
    // The fixture's first 0.5 s is noise only; skip the first 0.2 s while the estimator settles.
    const from = Math.round(0.2 * RATE), to = Math.round(0.48 * RATE);
    const floorDb = (level: NoiseSuppressionLevel) => rmsDb(enhance(noisy, level), from, to);
    const input = rmsDb(noisy, from, to);
    expect(Math.abs(floorDb('off') - input)).toBeLessThan(0.1);
    const light = floorDb('light'), balanced = floorDb('balanced'), strong = floorDb('strong');
    expect(input - light).toBeGreaterThan(8);
    expect(balanced).toBeLessThan(light - 3);
    expect(strong).toBeLessThan(balanced - 3);
  });
});

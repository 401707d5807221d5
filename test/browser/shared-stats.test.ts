// On a cross-origin isolated page the capture worklet shares live stats through a
// SharedArrayBuffer (updated every render quantum) instead of relying on messages alone.
import { describe, expect, it } from 'vitest';
import {NOISY_SPEECH_WAV, useHarnessPage } from './harness.js';

interface SharedStatsResult {
  crossOriginIsolated: boolean;
  shared: boolean;
  sampleRate: number;
  first: { frames: number | null; speechProbability: number; noiseLevelDbfs: number };
  second: { frames: number | null; speechProbability: number; noiseLevelDbfs: number; underruns: number; bypassed: boolean };
}

describe('live stats through shared memory', () => {
  const page = useHarnessPage([`--use-file-for-fake-audio-capture=${NOISY_SPEECH_WAV}`]);

  it('reads frame counts and levels that advance between two synchronous stats() calls 300 ms apart', async () => {
    const r = await page().evaluate(() => (window as any).sazanamiTest.sharedStats() as Promise<SharedStatsResult>);
    console.log('shared stats:', JSON.stringify(r));
    expect(r.crossOriginIsolated).toBe(true);
    expect(r.shared).toBe(true);
    // 300 ms of audio is ~14,400 frames at 48 kHz; timers are loose, so ask for a third of it.
    expect(r.second.frames! - r.first.frames!).toBeGreaterThan(0.1 * r.sampleRate);
    // The fake microphone may still be starting (digital silence gives the −120 dB floor), so only finiteness is checked.
    expect(Number.isFinite(r.second.noiseLevelDbfs)).toBe(true);
    expect(r.second.speechProbability).toBeGreaterThanOrEqual(0);
    expect(r.second.speechProbability).toBeLessThanOrEqual(1);
    expect(r.second.underruns).toBe(0);
    expect(r.second.bypassed).toBe(false);
  });
});

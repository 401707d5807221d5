// A one-minute processed call: the capture worklet must keep up with real time for the whole call
// (no render underruns in the capture context, no chain underruns, no bypass) and the received
// audio must have no gaps.
import { describe, expect, it } from 'vitest';
import {NOISY_SPEECH_WAV, useHarnessPage } from './harness.js';

interface LongCallResult {
  seconds: number;
  receivedFrames: number;
  silentFramesAfterStart: number;
  playbackStats: { underrunEvents: number; underrunDurationS: number; totalDurationS: number } | null;
  statsOverTime: { t: number; underruns: number; bypassed: boolean; cpuUsPerFrame: number | null }[];
  final: { underruns: number; bypassed: boolean; error: string | null; latencyMs: number; cpuUsPerFrame: number | null };
}

const CALL_SECONDS = 60;

describe('a 60 s processed call', () => {
  const page = useHarnessPage([`--use-file-for-fake-audio-capture=${NOISY_SPEECH_WAV}`]);

  it('runs for 60 s with no capture underrun, no bypass, and no gap in the received audio', async () => {
    const result = await page().evaluate((args) => (window as any).sazanamiTest.longCall(args) as Promise<LongCallResult>,
      { seconds: CALL_SECONDS, noiseSuppression: 'balanced' });
    console.log('60 s call:', JSON.stringify({ ...result, statsOverTime: result.statsOverTime.map((s) => `${s.t}s:${s.cpuUsPerFrame === null ? 'cpu n/a' : `${s.cpuUsPerFrame.toFixed(1)}µs`}`) }));
    // 20 ms frames received over the call (the recorder starts once the remote track arrives).
    expect(result.receivedFrames).toBeGreaterThan((CALL_SECONDS - 5) * 50);
    expect(result.final.underruns).toBe(0);
    expect(result.final.bypassed).toBe(false);
    expect(result.final.error).toBeNull();
    expect(result.statsOverTime.every((s) => s.underruns === 0 && !s.bypassed)).toBe(true);
    // The fake microphone's sample never contains digital silence, so a silent frame is a gap.
    expect(result.silentFramesAfterStart).toBe(0);
    if (result.playbackStats) expect(result.playbackStats.underrunEvents).toBe(0);
  });
});

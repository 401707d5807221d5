// Echo cancellation in a real call: far-end speech arrives over a loopback RTCPeerConnection and is
// played through Web Audio; the "microphone" hears it through a room response (ConvolverNode) plus
// near-end speech in the last seconds. processAudioTrack with the playback node as the far end
// cancels it; the sent track goes over a second loopback call (Opus) and is recorded. The browser's
// own canceller never sees Web Audio playback, so this is the case sazanami's canceller exists for.
import { describe, expect, it } from 'vitest';
import { useHarnessPage } from './harness.js';

interface EchoCallResult {
  micSingleTalkDb: number;
  sentSingleTalkDb: number;
  micDoubleTalkDb: number;
  sentDoubleTalkDb: number;
  linearErleSingleTalkDb: number | null;
  stats: { echoReturnLossEnhancementDb: number | null; echoDelayMs: number | null; echoSuppressionGainDb: number | null; bypassed: boolean; errorCount: number };
  hasFarEndInput: boolean;
  numberOfInputs: number;
}

const SECONDS = 11;
const DOUBLE_TALK_AT_SEC = 8;
const MEASURE_FROM_SEC = 4;
/** Echo removed on the sent track in far-end single talk after 4 s (Opus and the real-time graph included). */
const MIN_ERLE_DB = 15;

describe('echo cancellation in a real-time call', () => {
  const page = useHarnessPage();

  it(`removes ≥ ${MIN_ERLE_DB} dB of Web Audio playback echo from the sent track and keeps the near end in double talk`, async () => {
    const r = await page().evaluate((args) => (window as any).sazanamiTest.echoCall(args) as Promise<EchoCallResult>,
      { seconds: SECONDS, doubleTalkAtSec: DOUBLE_TALK_AT_SEC, measureFromSec: MEASURE_FROM_SEC, echoCancellation: 'balanced' });
    const erleDb = r.micSingleTalkDb - r.sentSingleTalkDb;
    console.log(`echo call: ERLE on the sent track ${erleDb.toFixed(1)} dB (mic ${r.micSingleTalkDb.toFixed(1)} dBFS → sent ${r.sentSingleTalkDb.toFixed(1)} dBFS, `
      + `${MEASURE_FROM_SEC}–${DOUBLE_TALK_AT_SEC} s); double talk: mic ${r.micDoubleTalkDb.toFixed(1)} dBFS → sent ${r.sentDoubleTalkDb.toFixed(1)} dBFS; `
      + `linear-stage ERLE at ${DOUBLE_TALK_AT_SEC} s ${r.linearErleSingleTalkDb?.toFixed(1)} dB; stats at the end ${JSON.stringify(r.stats)}`);
    expect(r.numberOfInputs).toBe(2);
    expect(r.stats.bypassed).toBe(false);
    expect(r.stats.errorCount).toBe(0);
    // The far end reached the canceller: it found the 40 ms room delay plus the graph's own offset.
    expect(r.stats.echoDelayMs).not.toBeNull();
    expect(erleDb).toBeGreaterThanOrEqual(MIN_ERLE_DB);
    // Near-end speech is sent, not muted: within 10 dB of the microphone in double talk.
    expect(r.sentDoubleTalkDb).toBeGreaterThan(r.micDoubleTalkDb - 10);
  });
});

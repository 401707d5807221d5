// The browser receive path in a real loopback call: the fake microphone plays the noisy-speech
// sample, Opus carries it over a loopback RTCPeerConnection, and the receiver runs
// engine.processReceiver (RTCRtpScriptTransform → AudioDecoder → Wasm jitter buffer/concealment →
// shared ring → playout worklet) with seeded 5 % random loss injected in its transform.
import { describe, expect, it } from 'vitest';
import { NOISY_SPEECH_WAV, useHarnessPage } from './harness.js';

interface Activity { frames: number; activeFraction: number; p90Db: number }
interface WorkerStats {
  framesIn: number; framesDroppedByTest: number; framesDecoded: number; emptyFrames: number; decodeErrors: number;
  unmatchedOutputs: number; ringOverflows: number; pulls: Record<string, number>;
  sequencer: { packetsIn: number; placeholders: number; outOfOrder: number; duplicates: number; restarts: number };
  chain: { decoderConcealmentsPut: number; decoderConcealmentsPlayed: number } | null;
}
interface Stats {
  currentDelayMs: number; targetDelayMs: number; lateLossRate: number; concealedMs: number; accelerateCount: number;
  decelerateCount: number; underruns: number; queuedMs: number; quantaPlayed: number; error: string | null; worker: WorkerStats | null;
}
interface ReceiveCallResult {
  support: { supported: boolean; missing: string[] };
  atWarmup: Stats; atEnd: Stats; afterStop: Stats;
  playout: Activity; nativeDuring: Activity; nativeAfter: Activity;
}

const SECONDS = 10;
const WARMUP_SECONDS = 2;
const AFTER_STOP_SECONDS = 2;
const LOSS_RATE = 0.05;
const PACKET_MS = 20;
/**
 * Each frame that never reaches the jitter buffer (dropped by the test hook, or an empty payload the
 * decoder cannot take) should be concealed for about one packet (20 ms). Merges, time stretching and
 * the stream's edges blur this (measured: 0.81–0.84×), so concealment must lie within 0.6–1.5× of that plus 100 ms.
 */
const CONCEALED_LOW = 0.6;
const CONCEALED_HIGH = 1.5;
const CONCEALED_SLACK_MS = 100;
/** Underrun quanta (128 samples, 2.7 ms each) allowed after warm-up: ≤ 40 (≈ 1 % of 10 s), for a loaded CI machine. */
const MAX_UNDERRUNS_AFTER_WARMUP = 40;

describe('receive path in a loopback call (engine.processReceiver)', () => {
  const page = useHarnessPage([`--use-file-for-fake-audio-capture=${NOISY_SPEECH_WAV}`]);

  it('plays audio through the playout worklet, conceals the injected 5 % loss, does not underrun, and stop() restores the browser\'s playout', async () => {
    const args = { seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, afterStopSeconds: AFTER_STOP_SECONDS, lossRate: LOSS_RATE, seed: 7 };
    // A string, so the test runner does not rewrite the page's dynamic import.
    const r = await page().evaluate(
      `import('/test/browser/pages/receive.js').then((m) => m.receiveCall(${JSON.stringify(args)}))`,
    ) as ReceiveCallResult;
    expect(r.support.missing).toEqual([]);
    const end = r.atEnd, worker = end.worker!;
    const notPut = worker.framesDroppedByTest + worker.emptyFrames;
    const expectedConcealedMs = notPut * PACKET_MS;
    const underrunsAfterWarmup = end.underruns - r.atWarmup.underruns;
    console.log(`receive: ${worker.framesIn} frames in, ${worker.framesDroppedByTest} dropped by the test hook `
      + `(${((100 * worker.framesDroppedByTest) / worker.framesIn).toFixed(1)} %), ${worker.emptyFrames} empty, ${worker.framesDecoded} decoded, `
      + `${worker.decodeErrors} decode errors; pulls ${JSON.stringify(worker.pulls)}; decode order ${JSON.stringify(worker.sequencer)}, `
      + `decoder concealments put/played ${worker.chain?.decoderConcealmentsPut}/${worker.chain?.decoderConcealmentsPlayed}`);
    console.log(`receive: concealed ${end.concealedMs.toFixed(0)} ms vs ${expectedConcealedMs} ms expected (${notPut} × ${PACKET_MS} ms); `
      + `delay ${end.currentDelayMs.toFixed(1)} ms (target ${end.targetDelayMs.toFixed(1)} ms) + ${end.queuedMs.toFixed(1)} ms queued; `
      + `late loss ${(100 * end.lateLossRate).toFixed(2)} %; accelerate ${end.accelerateCount}, decelerate ${end.decelerateCount}; `
      + `underruns ${underrunsAfterWarmup} after warm-up (${end.underruns} after start)`);
    console.log(`receive: playout ${JSON.stringify(r.playout)}; browser playout while processing ${JSON.stringify(r.nativeDuring)}, `
      + `after stop ${JSON.stringify(r.nativeAfter)}`);

    // Audio flows through sazanami's playout, and the browser's own playout gets nothing meanwhile.
    expect(end.error).toBeNull();
    expect(r.playout.activeFraction).toBeGreaterThan(0.9);
    expect(r.playout.p90Db).toBeGreaterThan(-45);
    expect(r.nativeDuring.activeFraction).toBeLessThan(0.05);
    // The loss hook really dropped about 5 % (seeded), and concealment covers what was not put.
    expect(worker.framesDroppedByTest / worker.framesIn).toBeGreaterThan(0.02);
    expect(worker.framesDroppedByTest / worker.framesIn).toBeLessThan(0.09);
    expect(end.concealedMs).toBeGreaterThanOrEqual(CONCEALED_LOW * expectedConcealedMs);
    expect(end.concealedMs).toBeLessThanOrEqual(CONCEALED_HIGH * expectedConcealedMs + CONCEALED_SLACK_MS);
    expect(worker.unmatchedOutputs).toBe(0);
    // Single lost frames reach the decoder as 1-byte placeholders (its own concealment, state kept in
    // step) and the chain plays them as concealment.
    expect(worker.sequencer.placeholders).toBeGreaterThan(0);
    expect(worker.sequencer.placeholders).toBeLessThanOrEqual(notPut);
    expect(worker.chain?.decoderConcealmentsPlayed).toBeGreaterThan(0);
    expect(worker.ringOverflows).toBe(0);
    expect(underrunsAfterWarmup).toBeLessThanOrEqual(MAX_UNDERRUNS_AFTER_WARMUP);
    // After stop() the frames go back to the browser, whose playout is audible again.
    expect(r.nativeAfter.activeFraction).toBeGreaterThan(0.5);
    expect(r.nativeAfter.p90Db).toBeGreaterThan(-45);
  });
});

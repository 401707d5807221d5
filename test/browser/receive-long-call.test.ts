// A 60 s loopback call through engine.processReceiver with seeded network impairments injected in
// the receive worker before the jitter buffer: Gilbert–Elliott bursty loss (≈ 7 %, mean burst 2
// packets) plus extra delay and |N(0, 1)| jitter (frames may overtake each other). After a 2 s
// warm-up the playout must not underrun, must stay active, and the concealment must match what was
// lost or arrived late. Only per-20 ms playout energies cross to Node, not the audio.
import { describe, expect, it } from 'vitest';
import { NOISY_SPEECH_WAV, useHarnessPage } from './harness.js';

interface ChainStats { packetsReceived: number; packetsLate: number; packetsPartlyLate: number; packetsMissing: number; mergeCount: number;
  acceleratedMs: number; deceleratedMs: number; meanAddedDelayMs: number }
interface WorkerStats {
  framesIn: number; framesDroppedByTest: number; framesDecoded: number; emptyFrames: number; decodeErrors: number;
  unmatchedOutputs: number; ringOverflows: number; pulls: Record<string, number>; chain: ChainStats | null;
  sequencer: { packetsIn: number; placeholders: number; outOfOrder: number; duplicates: number; restarts: number };
}
interface Stats {
  currentDelayMs: number; targetDelayMs: number; lateLossRate: number; concealedMs: number; accelerateCount: number;
  decelerateCount: number; underruns: number; queuedMs: number; quantaPlayed: number; error: string | null; worker: WorkerStats | null;
}
interface ReceiveLongCallResult {
  support: { supported: boolean; missing: string[] };
  atWarmup: Stats; atEnd: Stats;
  statsOverTime: { t: number; underruns: number; concealedMs: number; lateLossRate: number; currentDelayMs: number; targetDelayMs: number; queuedMs: number }[];
  playout: { frames: number; activeFraction: number; silentFrames: number; p10Db: number; p90Db: number };
}

const SECONDS = 60;
const WARMUP_SECONDS = 2;
const PACKET_MS = 20;
/** Gilbert–Elliott: P(Good→Bad) 0.042, P(Bad→Good) 0.5 (mean burst 2), 90 % loss in Bad: ≈ 7 % loss overall. */
const GILBERT_ELLIOTT = { p: 0.042, r: 0.5, lossInGood: 0, lossInBad: 0.9 };
const IMPAIRMENTS = { seed: 11, gilbertElliott: GILBERT_ELLIOTT, delayMs: 10, jitterMs: 15 };
/** Same tolerance as receive.test.ts: concealment within 0.6–1.5× of one packet per packet not played in time, plus 100 ms. */
const CONCEALED_LOW = 0.6;
const CONCEALED_HIGH = 1.5;
const CONCEALED_SLACK_MS = 100;

describe('receive path in a 60 s loopback call with bursty loss and jitter', () => {
  const page = useHarnessPage([`--use-file-for-fake-audio-capture=${NOISY_SPEECH_WAV}`]);

  it('keeps playing for 60 s without underruns and conceals what the injected loss and jitter cost', async () => {
    const args = { seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, statsEverySeconds: 10, testImpairments: IMPAIRMENTS };
    // A string, so the test runner does not rewrite the page's dynamic import.
    const r = await page().evaluate(
      `import('/test/browser/pages/receive.js').then((m) => m.receiveLongCall(${JSON.stringify(args)}))`,
    ) as ReceiveLongCallResult;
    expect(r.support.missing).toEqual([]);
    const end = r.atEnd, worker = end.worker!, chain = worker.chain!;
    const dropped = worker.framesDroppedByTest;
    const late = chain.packetsLate;
    const notPlayedInTime = dropped + worker.emptyFrames + late;
    const expectedConcealedMs = notPlayedInTime * PACKET_MS;
    const underrunsAfterWarmup = end.underruns - r.atWarmup.underruns;
    console.log(`receive 60 s: ${worker.framesIn} frames in, ${dropped} dropped by the test hook `
      + `(${((100 * dropped) / worker.framesIn).toFixed(2)} %), ${worker.emptyFrames} empty, ${worker.framesDecoded} decoded, `
      + `${worker.decodeErrors} decode errors; late ${late} (+${chain.packetsPartlyLate} partly), late loss ${(100 * end.lateLossRate).toFixed(2)} %; `
      + `pulls ${JSON.stringify(worker.pulls)}; decode order ${JSON.stringify(worker.sequencer)}`);
    console.log(`receive 60 s: concealed ${end.concealedMs.toFixed(0)} ms vs ${expectedConcealedMs} ms expected `
      + `((${dropped} dropped + ${worker.emptyFrames} empty + ${late} late) × ${PACKET_MS} ms, ratio ${(end.concealedMs / expectedConcealedMs).toFixed(2)}); `
      + `delay ${end.currentDelayMs.toFixed(1)} ms (target ${end.targetDelayMs.toFixed(1)} ms) + ${end.queuedMs.toFixed(1)} ms queued, `
      + `mean added ${chain.meanAddedDelayMs.toFixed(1)} ms; accelerate ${end.accelerateCount}, decelerate ${end.decelerateCount}, merges ${chain.mergeCount}; `
      + `underruns ${underrunsAfterWarmup} after warm-up (${end.underruns} after start)`);
    console.log(`receive 60 s: playout ${JSON.stringify(r.playout)}`);
    console.log(`receive 60 s: over time ${JSON.stringify(r.statsOverTime)}`);

    expect(end.error).toBeNull();
    // The whole minute was played (50 frames of 20 ms a second, less a second of slack).
    expect(r.playout.frames).toBeGreaterThan((SECONDS - 1) * 50);
    // No underrun after the warm-up, and the playout stays active.
    expect(underrunsAfterWarmup).toBe(0);
    expect(r.playout.activeFraction).toBeGreaterThanOrEqual(0.95);
    // The seeded Gilbert–Elliott hook dropped about 7 % (its stationary rate), in bursts.
    expect(dropped / worker.framesIn).toBeGreaterThan(0.04);
    expect(dropped / worker.framesIn).toBeLessThan(0.10);
    // Concealment covers the dropped, empty and late packets, one packet each.
    expect(end.concealedMs).toBeGreaterThanOrEqual(CONCEALED_LOW * expectedConcealedMs);
    expect(end.concealedMs).toBeLessThanOrEqual(CONCEALED_HIGH * expectedConcealedMs + CONCEALED_SLACK_MS);
    // The late-loss rate is reported and the jitter buffer keeps it small.
    expect(Number.isFinite(end.lateLossRate)).toBe(true);
    expect(end.lateLossRate).toBeLessThan(0.05);
    expect(worker.unmatchedOutputs).toBe(0);
    expect(worker.ringOverflows).toBe(0);
    expect(worker.decodeErrors).toBe(0);
    // Single lost frames went to the decoder as placeholders (the jitter reorders frames: those are decoded when they come).
    expect(worker.sequencer.placeholders).toBeGreaterThan(0);
  });
});

// engine.attachCall(pc) in real Chromium (test/browser/pages/attach-call.js):
//  1. a page with a working two-way call (fake microphone + camera ↔ a speaking peer with a canvas
//     camera) gets NS+AEC+AGC (remote voice as the far end) and video correction with one line;
//     remote media already flowing stays with the browser (reported), tracks added later are
//     followed in both directions (renegotiation), and detach() restores the original tracks;
//  2. attached before the call connects with `receive`, remote audio and video run through the
//     receive path (jitter buffer/concealment, frame-dependency guard), the playout being the far end;
//  3. overload: the capture node made as slow as a weak device (a busy loop of ~6 ms per enabled
//     stage per 2.7 ms quantum: a margin over the calibration) → the load estimator bypasses stages
//     until the audio thread keeps up again (never muting), and restores them once the load is gone.
import { describe, expect, it } from 'vitest';
import { NOISY_SPEECH_WAV, useHarnessPage } from './harness.js';

const SETTLE_SECONDS = 3;

interface SenderSummary {
  kind: 'audio' | 'video'; trackId: string; latencyMs: number; framesOut: number | null; bypassed: boolean | null;
  echoCancellation: string | null; noiseSuppression: string | null; gainControl: boolean | null; voiceProbability: number | null; exposure: number | null;
}
interface ReceiverSummary {
  kind: 'audio' | 'video'; latencyMs: number; receivePath: boolean; note: string | null; concealedMs: number | null;
  underruns: number | null; quantaPlayed: number | null; framesIn: number | null; framesForwarded: number | null;
}
interface Summary {
  senders: SenderSummary[]; receivers: ReceiverSummary[]; farEndSources: number; errors: string[]; detached: boolean;
  load: { level: string }; senderSync: { mismatchMs: number; videoDelayMs: number; audioDelayMs: number } | null;
}
interface Inbound { audioPackets: number; videoFrames: number }
interface ScenarioResult {
  beforeAttach: Inbound;
  attached: { senderTrackIds: string[]; originals: string[]; stats: Summary; peerInbound: Inbound; appInbound: Inbound };
  afterRenegotiation: { senderTrackIds: (string | null)[]; extraTrackId: string; stats: Summary };
  afterDetach: { senderTrackIds: (string | null)[]; stats: Summary; peerInbound: Inbound };
}
interface OverloadSample {
  phase: 'before' | 'loaded' | 'lifted'; level: string; renderRatio: number | null; bypassed: string[]; senderBypassed: boolean | null;
  stepsUp: number; stepsDown: number;
  noiseSuppression: string | null; echoCancellation: string | null; peerConcealedFraction: number | null; peerLevelDb: number;
}

describe('engine.attachCall on a working call', () => {
  const page = useHarnessPage([`--use-file-for-fake-audio-capture=${NOISY_SPEECH_WAV}`]);
  const run = async <T>(fn: string, args: unknown): Promise<T> => {
    await page().addScriptTag({ type: 'module', content: "import * as m from '/test/browser/pages/attach-call.js'; window.attachCallPage = m;" });
    await page().waitForFunction(() => (window as unknown as { attachCallPage?: unknown }).attachCallPage !== undefined);
    return page().evaluate(([name, a]) => (window as unknown as Record<string, Record<string, (x: unknown) => Promise<T>>>).attachCallPage[name as string](a), [fn, args] as const);
  };

  it('one line adds NS+AEC+AGC and video correction to a flowing call, follows renegotiation, and detach() restores it', async () => {
    const r = await run<ScenarioResult>('attachCallScenario', { receive: true, attachBeforeConnect: false, settleSeconds: SETTLE_SECONDS });
    const { attached, afterRenegotiation: later, afterDetach } = r;
    console.log(`attachCall on a flowing call: senders ${attached.stats.senders.map((s) => `${s.kind} latency ${s.latencyMs.toFixed(1)} ms`).join(', ')}; `
      + `peer got ${attached.peerInbound.audioPackets} audio packets and ${attached.peerInbound.videoFrames} video frames in ${SETTLE_SECONDS} s; `
      + `sender sync ${JSON.stringify(attached.stats.senderSync)}; after renegotiation ${later.stats.senders.length} senders, ${later.stats.farEndSources} far-end sources`);
    expect(r.beforeAttach.audioPackets).toBeGreaterThan(20);
    // Every sender now carries sazanami's processed track.
    expect(attached.senderTrackIds.every((id, i) => id !== attached.originals[i])).toBe(true);
    const audio = attached.stats.senders.find((s) => s.kind === 'audio');
    const video = attached.stats.senders.find((s) => s.kind === 'video');
    expect(audio).toMatchObject({ echoCancellation: 'balanced', noiseSuppression: 'balanced', gainControl: true, bypassed: false });
    expect(audio!.voiceProbability).toBeGreaterThan(0);
    expect(video!.framesOut).toBeGreaterThan(30);
    expect(video!.exposure).toBe(1);
    // Sent media keeps flowing to the peer through the processed tracks (≈ 50 packets/s, ≈ 30 fps).
    expect(attached.peerInbound.audioPackets).toBeGreaterThan(25 * SETTLE_SECONDS);
    expect(attached.peerInbound.videoFrames).toBeGreaterThan(5 * SETTLE_SECONDS);
    // Remote media that was flowing before attachCall stays with the browser, and says why.
    expect(attached.stats.receivers.every((x) => !x.receivePath && x.note !== null)).toBe(true);
    expect(attached.appInbound.audioPackets).toBeGreaterThan(25 * SETTLE_SECONDS);
    expect(attached.stats.farEndSources).toBe(1);
    // Audio and video of the sent stream are aligned (SenderSync delays the shorter path).
    expect(Math.abs(attached.stats.senderSync!.mismatchMs)).toBeLessThanOrEqual(10);
    expect(attached.stats.errors).toEqual([]);

    // Renegotiation: the app's new video sender is processed; the peer's new voice gets the receive path
    // (it starts after attachCall) and joins the far end.
    // (The answer to the peer's new voice adds a fourth, trackless sender on the app's side.)
    const laterIds = later.senderTrackIds.filter((id) => id !== null);
    expect(laterIds).toHaveLength(3);
    expect(laterIds[2]).not.toBe(later.extraTrackId);
    expect(later.stats.senders.filter((s) => s.kind === 'video')).toHaveLength(2);
    const newVoice = later.stats.receivers.find((x) => x.kind === 'audio' && x.receivePath);
    expect(newVoice).toBeDefined();
    expect(newVoice!.framesIn).toBeGreaterThan(25 * (SETTLE_SECONDS - 1));
    expect(later.stats.farEndSources).toBe(2);
    expect(later.stats.errors).toEqual([]);

    // detach(): the original tracks are back and still flow.
    expect(afterDetach.senderTrackIds.filter((id) => id !== null)).toEqual([...attached.originals, later.extraTrackId]);
    expect(afterDetach.stats).toMatchObject({ detached: true, senders: [], receivers: [], farEndSources: 0 });
    expect(afterDetach.peerInbound.audioPackets).toBeGreaterThan(30);
  });

  it('attached before the call connects, remote audio and video run through the receive path', async () => {
    const r = await run<ScenarioResult>('attachCallScenario', { receive: true, attachBeforeConnect: true, settleSeconds: SETTLE_SECONDS });
    const receivers = r.attached.stats.receivers;
    const audio = receivers.find((x) => x.kind === 'audio')!;
    const video = receivers.find((x) => x.kind === 'video')!;
    console.log(`attachCall before connect: audio receiver ${JSON.stringify(audio)}; video receiver ${JSON.stringify(video)}`);
    expect(audio).toMatchObject({ receivePath: true, note: null });
    expect(audio.framesIn).toBeGreaterThan(25 * SETTLE_SECONDS);
    expect(audio.quantaPlayed).toBeGreaterThan(0);
    expect(audio.latencyMs).toBeGreaterThan(0);
    expect(video).toMatchObject({ receivePath: true, note: null });
    expect(video.framesForwarded).toBeGreaterThan(10 * SETTLE_SECONDS);
    // The receive path's playout is the echo canceller's far end.
    expect(r.attached.stats.farEndSources).toBe(1);
    expect(r.attached.stats.errors).toEqual([]);
    expect(r.attached.peerInbound.audioPackets).toBeGreaterThan(25 * SETTLE_SECONDS);
    expect(r.afterDetach.senderTrackIds.filter((id) => id !== null)).toEqual([...r.attached.originals, r.afterRenegotiation.extraTrackId]);
  });

  it('overload: the estimator bypasses stages until the audio thread keeps up, never mutes, and restores them', async () => {
    const r = await run<{ iterationsPerStage: number; samples: OverloadSample[]; final: { level: string; stepsDown: number; stepsUp: number; minRenderRatio: number } }>(
      'overloadScenario', { loadedSeconds: 8, recoverySeconds: 14, sampleMs: 500, msPerStage: 6 });
    const lines = r.samples.map((s) => `${s.phase} ${s.level} ratio ${s.renderRatio?.toFixed(2)} peer concealed ${s.peerConcealedFraction?.toFixed(2)} level ${s.peerLevelDb.toFixed(0)} dBFS`);
    console.log(`overload (${r.iterationsPerStage} iterations per stage per quantum):\n  ${lines.join('\n  ')}\n  final ${JSON.stringify(r.final)}`);
    const loaded = r.samples.filter((s) => s.phase === 'loaded');
    const before = r.samples.filter((s) => s.phase === 'before');
    expect(before.every((s) => s.level === 'full')).toBe(true);
    // The load starves the audio thread, and the estimator reacts within a few intervals.
    expect(Math.min(...loaded.map((s) => s.renderRatio ?? 1))).toBeLessThan(0.8);
    // Severe starvation (ratio < 0.5 in a 250 ms interval) bypasses everything at once: by the
    // second 500 ms sample after the load starts (it stepped one level per 1 s interval before).
    const firstBypass = loaded.findIndex((s) => s.level === 'all-bypassed');
    console.log(`overload: all-bypassed at sample ${firstBypass} of the loaded phase (500 ms apart); peer concealed until then `
      + `${loaded.slice(0, firstBypass + 1).map((s) => s.peerConcealedFraction?.toFixed(2)).join(', ')}`);
    expect(firstBypass).toBeGreaterThanOrEqual(0);
    expect(firstBypass).toBeLessThanOrEqual(2);
    // Once bypassed, the audio thread keeps up again while still loaded: every interval spent wholly at
    // all-bypassed (no step since the previous sample; the ratio is the last 250 ms interval's) renders
    // ≥ 0.95× real time (> 1 while it catches up). A step up tried under load shows as a step pair.
    const settled = r.samples.filter((s, i) => i > 0 && s.phase === 'loaded' && s.level === 'all-bypassed' && r.samples[i - 1].level === 'all-bypassed'
      && s.stepsUp === r.samples[i - 1].stepsUp && s.stepsDown === r.samples[i - 1].stepsDown);
    expect(settled.length).toBeGreaterThan(2);
    expect(settled.every((s) => (s.renderRatio ?? 0) > 0.95)).toBe(true);
    // …and the user's audio is never muted: the chain passes audio through, the peer hears the voice.
    expect(r.samples.every((s) => s.senderBypassed === false)).toBe(true);
    const heard = r.samples.filter((s) => s.peerLevelDb > -50).length;
    expect(heard / r.samples.length).toBeGreaterThan(0.8);
    // After the load is lifted, processing comes back.
    const lifted = r.samples.filter((s) => s.phase === 'lifted');
    expect(lifted.at(-1)!.level).toBe('full');
    expect(lifted.at(-1)!.noiseSuppression).toBe('balanced');
    expect(r.final.stepsUp).toBeGreaterThan(0);
  });
});

describe('attachCall when a worker dies', () => {
  const page = useHarnessPage();
  it('a killed video worker: the call sends the camera unprocessed within seconds, reports it, and detach still works', async () => {
    await page().addScriptTag({ type: 'module', content: "import * as m from '/test/browser/pages/attach-call.js'; window.attachCallPage = m;" });
    await page().waitForFunction(() => (window as unknown as { attachCallPage?: unknown }).attachCallPage !== undefined);
    const r = await page().evaluate(() => (window as unknown as { attachCallPage: { workerKilledScenario(a: unknown): Promise<{
      processedId: string; originalId: string; timeline: { ms: number; frames: number; sendingOriginal: boolean }[];
      senders: { kind: string; failed: boolean }[]; errors: string[]; afterDetach: boolean }> } }).attachCallPage.workerKilledScenario({ secondsAfterKill: 8 }));
    const switched = r.timeline.find((t) => t.sendingOriginal);
    const flowingAgain = r.timeline.find((t) => t.sendingOriginal && t.frames > 0);
    console.log(`video worker killed: original track back on the sender after ${switched?.ms} ms, peer decoding again by ${flowingAgain?.ms} ms; `
      + `frames per 250 ms: ${r.timeline.map((t) => t.frames).join(' ')}; errors: ${JSON.stringify(r.errors)}`);
    expect(r.processedId).not.toBe(r.originalId);
    expect(switched).toBeDefined();
    expect(flowingAgain).toBeDefined();
    // The last two seconds: the peer decodes the unprocessed camera steadily.
    expect(r.timeline.slice(-8).reduce((n, t) => n + t.frames, 0)).toBeGreaterThan(10);
    expect(r.senders).toEqual([{ kind: 'video', failed: true }]);
    expect(r.errors.some((e) => /video worker stopped answering/.test(e))).toBe(true);
    expect(r.afterDetach).toBe(true);
  });
});

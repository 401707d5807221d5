// A/V sync decisions (src/browser/av-sync.ts) in Node: the latency tracker, the sender plan, the
// receiver plan, the stats deltas, and both controllers driven by fake processors and receivers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  LatencyTracker, planReceiverSync, planSenderSync, RECEIVER_SYNC_DEFAULTS, ReceiverSync, SENDER_SYNC_DEFAULTS, SenderSync,
  type SyncableAudioSender, type SyncableVideoSender, validateReceiverSyncOptions, validateSenderSyncOptions, VIDEO_RENDER_DELAY_MS,
  videoCountersOf, videoDelaysBetween,
} from '../src/browser/av-sync.js';
import { seededUniform } from '../src/core/receive/network-trace.js';

describe('LatencyTracker', () => {
  it('averages the first samples plainly, then follows a step with the configured weight', () => {
    const tracker = new LatencyTracker(0.1);
    expect(tracker.latencyMs).toBe(0);
    tracker.update(10);
    tracker.update(20);
    expect(tracker.latencyMs).toBeCloseTo(15, 9);
    for (let i = 0; i < 200; i++) tracker.update(40);
    expect(tracker.latencyMs).toBeCloseTo(40, 3);
  });

  it('converges within 1 ms of the mean of seeded noisy samples and ignores invalid ones', () => {
    const uniform = seededUniform(3);
    const tracker = new LatencyTracker(0.05);
    for (let i = 0; i < 2000; i++) {
      tracker.update(25 + 10 * (uniform() - 0.5));
      if (i % 100 === 0) { tracker.update(Number.NaN); tracker.update(-5); tracker.update(Infinity); }
    }
    expect(Math.abs(tracker.latencyMs - 25)).toBeLessThan(1);
    expect(tracker.samples).toBe(2000);
  });
});

describe('planSenderSync', () => {
  const none = { audioDelayMs: 0, videoDelayMs: 0 };

  it('delays the shorter path by the difference, never both', () => {
    expect(planSenderSync(36, 1, none)).toEqual({ audioDelayMs: 0, videoDelayMs: 35 });
    expect(planSenderSync(20, 55.4, none)).toEqual({ audioDelayMs: 35, videoDelayMs: 0 });
  });

  it('keeps the current delays (same object) while the paths match within the tolerance', () => {
    const current = { audioDelayMs: 0, videoDelayMs: 35 };
    expect(planSenderSync(36, 3, current)).toBe(current);
    expect(planSenderSync(36, -3.9 + 1, current)).toBe(current);
    expect(planSenderSync(Number.NaN, 3, current)).toBe(current);
  });

  it('matches the paths within 10 ms for seeded jittery latency readings, with few adjustments', () => {
    const uniform = seededUniform(11);
    let delays = none, adjustments = 0;
    for (let i = 0; i < 500; i++) {
      const audio = 36 + 4 * (uniform() - 0.5), video = 8 + 6 * (uniform() - 0.5);
      const next = planSenderSync(audio, video, delays);
      if (next !== delays) adjustments++;
      delays = next;
      expect(Math.abs(audio + delays.audioDelayMs - (video + delays.videoDelayMs))).toBeLessThanOrEqual(10);
    }
    expect(adjustments).toBeLessThan(25);
  });

  it('caps the delay at maxDelayMs', () => {
    expect(planSenderSync(10, 900, none, { ...SENDER_SYNC_DEFAULTS, maxDelayMs: 300 })).toEqual({ audioDelayMs: 300, videoDelayMs: 0 });
  });

  it('validates options with clear RangeErrors', () => {
    expect(validateSenderSyncOptions({})).toEqual(SENDER_SYNC_DEFAULTS);
    expect(() => validateSenderSyncOptions({ toleranceMs: 60 })).toThrow(RangeError);
    expect(() => validateSenderSyncOptions({ intervalMs: Number.NaN })).toThrow(/intervalMs/);
    expect(() => validateReceiverSyncOptions({ maxVideoTargetMs: 5000 })).toThrow(/maxVideoTargetMs/);
    expect(validateReceiverSyncOptions()).toEqual(RECEIVER_SYNC_DEFAULTS);
  });
});

describe('planReceiverSync', () => {
  // Audio path = 90 ms fixed (queue, output, packet) + its jitter buffer; video post = 12 ms.
  const base = { videoMinimumMs: 10, videoPostMs: 12, currentTargetMs: 0, currentAudioMinimumMs: 0 };
  const audio = (jitterBufferMs: number) => ({ audioPathMs: 90 + jitterBufferMs, audioJitterBufferMs: jitterBufferMs });

  it('asks the video jitter buffer for the audio path less decode and render', () => {
    const plan = planReceiverSync({ ...base, ...audio(60), videoJitterBufferMs: 12 });
    expect(plan.videoTargetMs).toBe(138);
    expect(plan.audioMinimumMs).toBe(0);
    expect(plan.avOffsetMs).toBeCloseTo(150 - 24, 9);
  });

  it('keeps the video target while the estimated offset is within the tolerance, and holds the audio at most audioLeadMs ahead', () => {
    const plan = planReceiverSync({ ...base, ...audio(60), videoJitterBufferMs: 135, currentTargetMs: 138 });
    // The video is heading for 138 + 12 ms: the audio may lead that by audioLeadMs at most.
    expect(plan).toEqual({ videoTargetMs: 138, audioMinimumMs: 150 - RECEIVER_SYNC_DEFAULTS.audioLeadMs - 90, avOffsetMs: 3 });
  });

  it('leaves a target within half the tolerance of the wanted one alone even when the estimate stays outside the tolerance', () => {
    // Wanted: 150 − 12 = 138; the video reads 17 ms short of its target (as Chromium's does).
    const kept = planReceiverSync({ ...base, ...audio(60), videoJitterBufferMs: 124, currentTargetMs: 141 });
    expect(kept.avOffsetMs).toBeGreaterThan(RECEIVER_SYNC_DEFAULTS.toleranceMs);
    expect(kept.videoTargetMs).toBe(141);
    expect(planReceiverSync({ ...base, ...audio(60), videoJitterBufferMs: 124, currentTargetMs: 130 }).videoTargetMs).toBe(138);
  });

  it('makes the audio wait when the video cannot be as fast, and releases it when the video gets faster', () => {
    const raised = planReceiverSync({ ...base, videoMinimumMs: 120, ...audio(10), videoJitterBufferMs: 120 });
    expect(raised.audioMinimumMs).toBe(132 - RECEIVER_SYNC_DEFAULTS.audioLeadMs - 90);
    const released = planReceiverSync({ ...base, videoMinimumMs: 20, ...audio(27), videoJitterBufferMs: 20, currentAudioMinimumMs: 27 });
    expect(released.audioMinimumMs).toBe(0);
  });

  it('never lets the audio run more than audioLeadMs + 10 ms ahead when its jitter estimate falls from 100 to 20 ms', () => {
    // A video jitter buffer that moves towards its target by at most 30 ms per 500 ms step.
    let videoJitterMs = 188, target = 188, minimum = 0, worstLeadMs = 0, lastOffset = 0;
    for (let step = 0; step < 40; step++) {
      const ownMs = step < 2 ? 100 : 20;
      const chainMs = Math.max(ownMs, minimum);
      const plan = planReceiverSync({ ...base, ...audio(chainMs), videoJitterBufferMs: videoJitterMs, currentTargetMs: target, currentAudioMinimumMs: minimum });
      target = plan.videoTargetMs;
      minimum = plan.audioMinimumMs;
      worstLeadMs = Math.max(worstLeadMs, -plan.avOffsetMs);
      lastOffset = plan.avOffsetMs;
      videoJitterMs += Math.max(-30, Math.min(30, Math.max(10, target) - videoJitterMs));
    }
    expect(worstLeadMs).toBeLessThanOrEqual(RECEIVER_SYNC_DEFAULTS.audioLeadMs + 10);
    expect(Math.abs(lastOffset)).toBeLessThanOrEqual(RECEIVER_SYNC_DEFAULTS.toleranceMs);
    expect(minimum).toBeLessThan(20);
  });

  it('clamps the video target to 0 … maxVideoTargetMs and ignores non-finite readings', () => {
    expect(planReceiverSync({ ...base, ...audio(4910), videoJitterBufferMs: 10 }).videoTargetMs).toBe(RECEIVER_SYNC_DEFAULTS.maxVideoTargetMs);
    expect(planReceiverSync({ ...base, audioPathMs: 2, audioJitterBufferMs: 0, videoJitterBufferMs: 40, videoMinimumMs: 0 }).videoTargetMs).toBe(0);
    const kept = planReceiverSync({ ...base, audioPathMs: Number.NaN, audioJitterBufferMs: 0, videoJitterBufferMs: 40, currentTargetMs: 77 });
    expect(kept.videoTargetMs).toBe(77);
  });
});

describe('video receive statistics', () => {
  it('turns cumulative inbound-rtp counters into per-frame means between two readings', () => {
    const report = new Map<string, Record<string, unknown>>([
      ['c', { type: 'codec' }],
      ['i', { type: 'inbound-rtp', jitterBufferDelay: 3, jitterBufferMinimumDelay: 1, jitterBufferEmittedCount: 100, totalDecodeTime: 0.2, framesDecoded: 100 }],
    ]);
    const first = videoCountersOf(report)!;
    const second = { ...first, jitterBufferDelay: 3 + 0.5 * 0.1, jitterBufferMinimumDelay: 1 + 0.5 * 0.01, jitterBufferEmittedCount: 110, totalDecodeTime: 0.21, framesDecoded: 110 };
    const delays = videoDelaysBetween(first, second)!;
    expect(delays.jitterBufferMs).toBeCloseTo(5, 9);
    expect(delays.minimumMs).toBeCloseTo(0.5, 9);
    expect(delays.decodeMs).toBeCloseTo(1, 9);
    expect(videoDelaysBetween(second, second)).toBeNull();
    expect(videoCountersOf(new Map())).toBeNull();
  });
});

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

describe('SenderSync', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  function fakes(audioMs: number, videoMs: number) {
    const audio: Mutable<SyncableAudioSender> = { processingLatencyMs: audioMs, syncDelayMs: 0, stopped: false, setSyncDelayMs(ms: number) { this.syncDelayMs = ms; } };
    const video: Mutable<SyncableVideoSender> = { processingLatencyMs: videoMs, syncDelayMs: 0, stopped: false, setSyncDelayMs(ms: number) { this.syncDelayMs = ms; } };
    return { audio, video };
  }

  it('delays the video to the audio, follows a change, and removes the delay on stop', () => {
    const { audio, video } = fakes(36, 0);
    const sync = new SenderSync(audio, video);
    expect(video.syncDelayMs).toBe(0); // no video frame measured yet
    video.processingLatencyMs = 1;
    vi.advanceTimersByTime(500);
    expect(video.syncDelayMs).toBe(35);
    expect(sync.stats().mismatchMs).toBeCloseTo(0, 9);
    video.processingLatencyMs = 60;
    vi.advanceTimersByTime(500);
    expect(video.syncDelayMs).toBe(0);
    expect(audio.syncDelayMs).toBe(24);
    sync.stop();
    expect(audio.syncDelayMs).toBe(0);
    expect(sync.stats().adjustments).toBe(2);
  });

  it('holds a delay on the audio steady: the audio sync delay is not counted into its latency twice', () => {
    const { video } = fakes(0, 40);
    // Like AudioTrackProcessor: latencyMs includes the sync delay, processingLatencyMs does not.
    const audio = { processingLatencyMs: 10, syncDelayMs: 0, stopped: false, get latencyMs() { return this.processingLatencyMs + this.syncDelayMs; },
      setSyncDelayMs(ms: number) { this.syncDelayMs = ms; } };
    const sync = new SenderSync(audio, video);
    for (let i = 0; i < 10; i++) vi.advanceTimersByTime(500);
    expect(audio.syncDelayMs).toBe(30);
    expect(video.syncDelayMs).toBe(0);
    expect(sync.stats().mismatchMs).toBeCloseTo(0, 9);
    expect(sync.stats().adjustments).toBe(1);
    sync.stop();
  });

  it('stops by itself when a processor stopped', () => {
    const { audio, video } = fakes(36, 1);
    const sync = new SenderSync(audio, video);
    audio.stopped = true;
    vi.advanceTimersByTime(500);
    video.processingLatencyMs = 100;
    vi.advanceTimersByTime(1000);
    expect(sync.stats().adjustments).toBe(1);
  });
});

describe('ReceiverSync', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('steers jitterBufferTarget to the audio path, reports avOffsetMs, and restores the target on stop', async () => {
    let emitted = 0, jitterSum = 0;
    const video = {
      jitterBufferTarget: null as number | null,
      track: { kind: 'video' } as MediaStreamTrack,
      // A video jitter buffer that holds frames for its target (or 10 ms by itself).
      async getStats() {
        emitted += 15;
        jitterSum += 15 * Math.max(10, this.jitterBufferTarget ?? 0) / 1000;
        return new Map([['i', { type: 'inbound-rtp', jitterBufferDelay: jitterSum, jitterBufferMinimumDelay: emitted * 0.01, jitterBufferEmittedCount: emitted, totalDecodeTime: emitted * 0.001, framesDecoded: emitted }]]) as unknown as RTCStatsReport;
      },
    };
    // An audio path of 90 ms fixed + a 50 ms jitter buffer (or the sync minimum, if higher).
    let minimum = 0;
    const audio = {
      audioPathMs: () => 90 + Math.max(50, minimum), audioJitterBufferMs: () => Math.max(50, minimum),
      setSyncMinimumDelayMs: (ms: number) => { minimum = ms; }, stopped: false,
    };
    const sync = new ReceiverSync(audio, video);
    for (let i = 0; i < 4; i++) await vi.advanceTimersByTimeAsync(500);
    expect(video.jitterBufferTarget).toBe(140 - 1 - VIDEO_RENDER_DELAY_MS);
    const stats = sync.stats();
    expect(Math.abs(stats.avOffsetMs!)).toBeLessThanOrEqual(RECEIVER_SYNC_DEFAULTS.toleranceMs);
    expect(stats.error).toBeNull();
    expect(minimum).toBeLessThan(50); // held below the audio's own delay: it changes nothing
    sync.stop();
    expect(video.jitterBufferTarget).toBeNull();
  });

  it('refuses an audio receiver', () => {
    const audioReceiver = { jitterBufferTarget: null, track: { kind: 'audio' } as MediaStreamTrack, getStats: async () => new Map() as unknown as RTCStatsReport };
    expect(() => new ReceiverSync({ audioPathMs: () => 0, audioJitterBufferMs: () => 0, setSyncMinimumDelayMs: () => undefined, stopped: false }, audioReceiver)).toThrow(TypeError);
  });
});

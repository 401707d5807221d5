// Audio/video synchronisation across sazanami's processing (lip sync). Every stage sazanami adds
// delays one track and not the other, and a receive path that plays audio itself takes it out of
// the browser's own A/V synchronisation. This file holds the pure decisions, tested in Node:
//   - LatencyTracker: a smoothed per-frame latency (output time − input time) for the stats;
//   - planSenderSync: how much to delay the shorter of a processed audio and video path so that
//     their added latencies match (hysteresis so a jittery measurement does not keep re-delaying);
//   - planReceiverSync: the paired video receiver's jitterBufferTarget (and, when the video is the
//     slower one, the audio jitter buffer's minimum delay) from both paths' delays above arrival,
//     and the resulting estimate of the A/V offset.
// and the two controllers that apply them in the page: SenderSync (engine.syncSenders) and
// ReceiverSync (ReceiverProcessor.syncWith).
//
// Reference: ITU-R BT.1359 — the detectability thresholds of A/V offset are audio 45 ms early and
// 125 ms late; WebRTC's RtpStreamsSynchronizer aligns the same two delays from RTCP sender reports.

/** Audio more than this many ms before its picture is detectable (ITU-R BT.1359). */
export const AUDIO_EARLY_DETECTABLE_MS = 45;
/** Audio more than this many ms after its picture is detectable (ITU-R BT.1359). */
export const AUDIO_LATE_DETECTABLE_MS = 125;

/** An exponentially smoothed latency in ms; `update` allocates nothing. */
export class LatencyTracker {
  private value = 0;
  private count = 0;

  /** `weight`: how much each new sample moves the average (0–1). */
  constructor(private readonly weight = 0.1) {}

  /** Adds one measurement; non-finite or negative samples are ignored (a clock step, a stale frame). */
  update(latencyMs: number): void {
    if (!Number.isFinite(latencyMs) || latencyMs < 0) return;
    // The first samples average plainly so the start is not biased towards 0.
    this.count++;
    const w = Math.max(this.weight, 1 / this.count);
    this.value += w * (latencyMs - this.value);
  }

  /** The smoothed latency, ms (0 before the first sample). */
  get latencyMs(): number {
    return this.value;
  }

  get samples(): number {
    return this.count;
  }

  reset(): void {
    this.value = 0;
    this.count = 0;
  }
}

export interface SenderSyncOptions {
  /** Latency difference left uncorrected, ms (0–50). Default 5. The goal is matching within 10 ms. */
  toleranceMs?: number;
  /** The largest delay added to either path, ms (0–1000). Default 500. */
  maxDelayMs?: number;
  /** How often the latencies are re-read, ms (100–10000). Default 500. */
  intervalMs?: number;
}

export const SENDER_SYNC_DEFAULTS: Readonly<Required<SenderSyncOptions>> = Object.freeze({ toleranceMs: 5, maxDelayMs: 500, intervalMs: 500 });

export function validateSenderSyncOptions(options: SenderSyncOptions = {}): Required<SenderSyncOptions> {
  if (typeof options !== 'object' || options === null) throw new TypeError('sender sync options must be an object');
  return {
    toleranceMs: numberIn('toleranceMs', options.toleranceMs, 0, 50, SENDER_SYNC_DEFAULTS.toleranceMs),
    maxDelayMs: numberIn('maxDelayMs', options.maxDelayMs, 0, 1000, SENDER_SYNC_DEFAULTS.maxDelayMs),
    intervalMs: numberIn('intervalMs', options.intervalMs, 100, 10_000, SENDER_SYNC_DEFAULTS.intervalMs),
  };
}

export interface SenderDelays {
  /** Delay added after the audio processing, ms. */
  audioDelayMs: number;
  /** Delay added to every processed video frame, ms. */
  videoDelayMs: number;
}

/**
 * The delays that make both processed paths equally late: the shorter one is delayed by the
 * difference (never both). `audioLatencyMs`/`videoLatencyMs` are the paths' own latencies without
 * any sync delay. The current delays are kept while the paths stay within `toleranceMs` of each
 * other with them, so measurement noise does not move them.
 */
export function planSenderSync(audioLatencyMs: number, videoLatencyMs: number, current: SenderDelays,
  settings: Required<SenderSyncOptions> = SENDER_SYNC_DEFAULTS): SenderDelays {
  if (!Number.isFinite(audioLatencyMs) || !Number.isFinite(videoLatencyMs)) return current;
  const mismatch = (audioLatencyMs + current.audioDelayMs) - (videoLatencyMs + current.videoDelayMs);
  if (Math.abs(mismatch) <= settings.toleranceMs) return current;
  const difference = videoLatencyMs - audioLatencyMs;
  const delay = Math.min(settings.maxDelayMs, Math.round(Math.abs(difference)));
  return difference >= 0 ? { audioDelayMs: delay, videoDelayMs: 0 } : { audioDelayMs: 0, videoDelayMs: delay };
}

/** What the receiver sync reads each time it runs (all in ms). */
export interface ReceiverSyncInput {
  /**
   * Audio: from a packet's arrival (on the fastest transit seen) to its first sample leaving the
   * page — the jitter buffer's current delay, the playout queue and the output latency — plus the
   * packet duration (the first sample was captured a packet earlier than the packet was sent).
   */
  audioPathMs: number;
  /** The part of audioPathMs spent in the audio jitter buffer (the rest is fixed: queue, output, packet), ms. */
  audioJitterBufferMs: number;
  /** Video: the jitter buffer delay of recent frames (arrival of a frame's first packet → decode). */
  videoJitterBufferMs: number;
  /** Video: the delay its jitter buffer would use by itself (jitterBufferMinimumDelay). */
  videoMinimumMs: number;
  /** Video: decode and render, after the jitter buffer. */
  videoPostMs: number;
  /** The jitterBufferTarget now applied, ms (0 when none). */
  currentTargetMs: number;
  /** The audio jitter buffer's minimum delay now applied, ms. */
  currentAudioMinimumMs: number;
}

export interface ReceiverSyncOptions {
  /** Offset left uncorrected, ms (0–50). Default 10. */
  toleranceMs?: number;
  /**
   * How far ahead of the video the audio may get while the video follows it down, ms (0–45).
   * Default 15. The audio jitter buffer's minimum delay is held so the audio cannot run further
   * ahead when it shrinks faster than the video's jitter buffer can follow.
   */
  audioLeadMs?: number;
  /** The largest jitterBufferTarget set on the video receiver, ms (0–4000). Default 2000. */
  maxVideoTargetMs?: number;
  /** How often the delays are re-read, ms (100–10000). Default 500. */
  intervalMs?: number;
}

export const RECEIVER_SYNC_DEFAULTS: Readonly<Required<ReceiverSyncOptions>> = Object.freeze({ toleranceMs: 10, audioLeadMs: 15, maxVideoTargetMs: 2000, intervalMs: 500 });

export function validateReceiverSyncOptions(options: ReceiverSyncOptions = {}): Required<ReceiverSyncOptions> {
  if (typeof options !== 'object' || options === null) throw new TypeError('receiver sync options must be an object');
  return {
    toleranceMs: numberIn('toleranceMs', options.toleranceMs, 0, 50, RECEIVER_SYNC_DEFAULTS.toleranceMs),
    audioLeadMs: numberIn('audioLeadMs', options.audioLeadMs, 0, 45, RECEIVER_SYNC_DEFAULTS.audioLeadMs),
    maxVideoTargetMs: numberIn('maxVideoTargetMs', options.maxVideoTargetMs, 0, 4000, RECEIVER_SYNC_DEFAULTS.maxVideoTargetMs),
    intervalMs: numberIn('intervalMs', options.intervalMs, 100, 10_000, RECEIVER_SYNC_DEFAULTS.intervalMs),
  };
}

export interface ReceiverSyncPlan {
  /** jitterBufferTarget for the video receiver, ms. */
  videoTargetMs: number;
  /**
   * Minimum delay for the audio jitter buffer, ms: what keeps the audio no more than audioLeadMs
   * ahead of the video as it is now (0 while the audio is the later one).
   */
  audioMinimumMs: number;
  /** Estimated A/V offset now (audio − video, ms; positive: audio late). */
  avOffsetMs: number;
}

/**
 * Makes audio and video leave the page together, each side following the other:
 *  - the video jitter buffer is asked to hold frames for the audio path's delay less what decode and
 *    render add (moved only when the offset exceeds `toleranceMs`);
 *  - the audio jitter buffer's minimum delay is set so the audio cannot get more than `audioLeadMs`
 *    ahead of the video (as it is now, or as its current target will make it): when the audio buffer
 *    shrinks (its jitter estimate fell) it comes down no faster than the video follows, and when even
 *    the video's own minimum is later than the audio, the audio waits for it.
 */
export function planReceiverSync(input: ReceiverSyncInput, settings: Required<ReceiverSyncOptions> = RECEIVER_SYNC_DEFAULTS): ReceiverSyncPlan {
  const videoPathMs = input.videoJitterBufferMs + input.videoPostMs;
  const avOffsetMs = input.audioPathMs - videoPathMs;
  const keep = { videoTargetMs: input.currentTargetMs, audioMinimumMs: input.currentAudioMinimumMs, avOffsetMs };
  if (![input.audioPathMs, input.audioJitterBufferMs, input.videoJitterBufferMs, input.videoMinimumMs, input.videoPostMs].every(Number.isFinite)) return keep;
  const audioFixedMs = input.audioPathMs - input.audioJitterBufferMs;
  // The video as it is now, never below what it can reach by itself, and — while it is still moving
  // up to its target — as late as that target will make it.
  const videoNowMs = Math.max(videoPathMs, input.videoMinimumMs + input.videoPostMs, input.currentTargetMs + input.videoPostMs);
  const audioMinimumMs = Math.max(0, Math.round(videoNowMs - settings.audioLeadMs - audioFixedMs));
  const wantedTargetMs = Math.round(Math.min(settings.maxVideoTargetMs, Math.max(0, input.audioPathMs - input.videoPostMs)));
  // Left alone while the offset is within the tolerance, and also while the target is already within
  // half of it of where it should be: Chromium's video delay does not land exactly on the target
  // (its jitterBufferDelay reads some ms below it), so the estimate can stay just outside the
  // tolerance with the target right, and re-setting it every interval (seen: 50–86 times a minute)
  // only re-times the video by the audio path's own noise.
  const videoTargetMs = Math.abs(avOffsetMs) <= settings.toleranceMs || Math.abs(wantedTargetMs - input.currentTargetMs) <= settings.toleranceMs / 2
    ? input.currentTargetMs : wantedTargetMs;
  return { videoTargetMs, audioMinimumMs, avOffsetMs };
}

/** Cumulative inbound-rtp counters of a video receiver (RTCInboundRtpStreamStats). */
export interface VideoReceiveCounters {
  jitterBufferDelay: number;
  jitterBufferMinimumDelay: number;
  jitterBufferEmittedCount: number;
  totalDecodeTime: number;
  framesDecoded: number;
}

/** Per-frame means between two readings of the counters, ms; null when no frame came out between them. */
export function videoDelaysBetween(previous: VideoReceiveCounters | null, current: VideoReceiveCounters):
  { jitterBufferMs: number; minimumMs: number; decodeMs: number } | null {
  const base = previous ?? { jitterBufferDelay: 0, jitterBufferMinimumDelay: 0, jitterBufferEmittedCount: 0, totalDecodeTime: 0, framesDecoded: 0 };
  const emitted = current.jitterBufferEmittedCount - base.jitterBufferEmittedCount;
  const decoded = current.framesDecoded - base.framesDecoded;
  if (!(emitted > 0)) return null;
  return {
    jitterBufferMs: (1000 * (current.jitterBufferDelay - base.jitterBufferDelay)) / emitted,
    minimumMs: (1000 * (current.jitterBufferMinimumDelay - base.jitterBufferMinimumDelay)) / emitted,
    decodeMs: decoded > 0 ? (1000 * (current.totalDecodeTime - base.totalDecodeTime)) / decoded : 0,
  };
}

/** Reads the counters from an RTCStatsReport (the first inbound-rtp entry), or null. */
export function videoCountersOf(report: RTCStatsReport | Map<string, Record<string, unknown>>): VideoReceiveCounters | null {
  for (const entry of (report as Map<string, Record<string, unknown>>).values()) {
    if (entry.type !== 'inbound-rtp') continue;
    const n = (key: string) => (typeof entry[key] === 'number' ? entry[key] as number : 0);
    return {
      jitterBufferDelay: n('jitterBufferDelay'), jitterBufferMinimumDelay: n('jitterBufferMinimumDelay'),
      jitterBufferEmittedCount: n('jitterBufferEmittedCount'), totalDecodeTime: n('totalDecodeTime'), framesDecoded: n('framesDecoded'),
    };
  }
  return null;
}

function numberIn(name: string, value: unknown, low: number, high: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < low || value > high) {
    throw new RangeError(`${name} must be a number from ${low} to ${high}, got ${String(value)}`);
  }
  return value;
}

/** The audio side of sender sync (AudioTrackProcessor). */
export interface SyncableAudioSender {
  /**
   * Latency of the processing alone, without the sync delay, ms. (Not AudioTrackProcessor.latencyMs,
   * which includes the sync delay: planned on that, an audio delay counted twice and the plan swung
   * between delaying the audio and delaying the video.)
   */
  readonly processingLatencyMs: number;
  readonly syncDelayMs: number;
  setSyncDelayMs(delayMs: number): void;
  readonly stopped: boolean;
}

/** The video side of sender sync (VideoTrackProcessor). */
export interface SyncableVideoSender {
  /** Smoothed latency of the processing alone, without the sync delay, ms (0 before the first frame). */
  readonly processingLatencyMs: number;
  readonly syncDelayMs: number;
  setSyncDelayMs(delayMs: number): void;
  readonly stopped: boolean;
}

export interface SenderSyncStats extends SenderDelays {
  audioLatencyMs: number;
  videoLatencyMs: number;
  /** (audio latency + audio delay) − (video latency + video delay), ms: 0 when in sync. */
  mismatchMs: number;
  adjustments: number;
}

/**
 * Keeps a processed audio track and a processed video track of one stream equally late: re-reads
 * both latencies every `intervalMs` and delays the shorter path (engine.syncSenders).
 */
export class SenderSync {
  private readonly settings: Required<SenderSyncOptions>;
  private readonly timer: ReturnType<typeof setInterval>;
  private delays: SenderDelays = { audioDelayMs: 0, videoDelayMs: 0 };
  private adjustments = 0;
  private stopped = false;

  constructor(private readonly audio: SyncableAudioSender, private readonly video: SyncableVideoSender, options?: SenderSyncOptions) {
    this.settings = validateSenderSyncOptions(options);
    this.timer = setInterval(() => this.check(), this.settings.intervalMs);
    this.check();
  }

  /** Re-reads the latencies and moves the delays if they drifted apart. */
  check(): void {
    if (this.stopped) return;
    if (this.audio.stopped || this.video.stopped) { this.stop(); return; }
    // No video frame measured yet: nothing to match.
    if (!(this.video.processingLatencyMs > 0)) return;
    const next = planSenderSync(this.audio.processingLatencyMs, this.video.processingLatencyMs, this.delays, this.settings);
    if (next === this.delays) return;
    this.delays = next;
    this.adjustments++;
    this.audio.setSyncDelayMs(next.audioDelayMs);
    this.video.setSyncDelayMs(next.videoDelayMs);
  }

  stats(): SenderSyncStats {
    const audioLatencyMs = this.audio.processingLatencyMs, videoLatencyMs = this.video.processingLatencyMs;
    return {
      ...this.delays, audioLatencyMs, videoLatencyMs, adjustments: this.adjustments,
      mismatchMs: audioLatencyMs + this.delays.audioDelayMs - (videoLatencyMs + this.delays.videoDelayMs),
    };
  }

  /** Stops re-checking and removes both delays (unless a processor already stopped). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    if (!this.audio.stopped) this.audio.setSyncDelayMs(0);
    if (!this.video.stopped) this.video.setSyncDelayMs(0);
  }
}

/** The audio side of receiver sync (ReceiverProcessor). */
export interface SyncableAudioReceiver {
  /**
   * From a packet's arrival on the fastest transit seen to its first sample leaving the page, plus
   * one packet duration, ms; null before the first statistics.
   */
  audioPathMs(): number | null;
  /** The part of audioPathMs spent in the jitter buffer, ms (null before the first statistics). */
  audioJitterBufferMs(): number | null;
  /** The audio jitter buffer's minimum delay imposed for sync, ms. */
  setSyncMinimumDelayMs(delayMs: number): void;
  readonly stopped: boolean;
}

/** The part of RTCRtpReceiver the receiver sync uses. */
export interface SyncableVideoReceiver {
  jitterBufferTarget: number | null;
  getStats(): Promise<RTCStatsReport>;
  readonly track: MediaStreamTrack;
}

/** Weight of each new, shorter audio path reading in ReceiverSync's average (every 500 ms: ≈ 2 s time constant). */
const AUDIO_PATH_SMOOTHING = 0.25;

/**
 * Decode-to-display time not in the receive statistics, ms: WebRTC's render delay (the time it
 * budgets for handing a decoded frame to the compositor, kDefaultRenderDelayMs).
 */
export const VIDEO_RENDER_DELAY_MS = 10;

export interface ReceiverSyncStats {
  /** Estimated A/V offset as the media leaves the page (audio − video, ms; positive: audio late); null before the first estimate. */
  avOffsetMs: number | null;
  /** The jitterBufferTarget set on the video receiver, ms (null: not set yet). */
  videoJitterBufferTargetMs: number | null;
  /** The audio jitter buffer's minimum delay set for sync, ms. */
  audioMinimumDelayMs: number;
  audioPathMs: number | null;
  videoPathMs: number | null;
  adjustments: number;
  error: string | null;
}

/**
 * Steers a video receiver's jitterBufferTarget so that its pictures leave the page with the audio
 * sazanami plays (ReceiverProcessor.syncWith). The browser's own A/V sync no longer sees that audio.
 */
export class ReceiverSync {
  private readonly settings: Required<ReceiverSyncOptions>;
  private readonly timer: ReturnType<typeof setInterval>;
  private previous: VideoReceiveCounters | null = null;
  /**
   * The audio path, followed at once when it grows (late audio must be caught up with quickly) and
   * smoothed over ~2 s when it shrinks: time stretching moves the instantaneous delay by ±10–20 ms,
   * and every jitterBufferTarget change makes the video re-time its frames.
   */
  private smoothedAudioPathMs: number | null = null;
  private readonly originalTarget: number | null;
  private latest: ReceiverSyncStats = { avOffsetMs: null, videoJitterBufferTargetMs: null, audioMinimumDelayMs: 0, audioPathMs: null, videoPathMs: null, adjustments: 0, error: null };
  private running = false;
  private stopped = false;

  constructor(private readonly audio: SyncableAudioReceiver, readonly video: SyncableVideoReceiver, options?: ReceiverSyncOptions) {
    if (video.track.kind !== 'video') throw new TypeError(`syncWith needs a video receiver, got a ${video.track.kind} one`);
    this.settings = validateReceiverSyncOptions(options);
    this.originalTarget = video.jitterBufferTarget;
    this.timer = setInterval(() => { void this.check(); }, this.settings.intervalMs);
  }

  /** Reads both paths' delays and moves the targets. Never throws (an error is kept in stats). */
  async check(): Promise<void> {
    if (this.stopped || this.running) return;
    if (this.audio.stopped) { this.stop(); return; }
    this.running = true;
    try {
      const counters = videoCountersOf(await this.video.getStats());
      if (counters === null || this.stopped) return;
      const delays = videoDelaysBetween(this.previous, counters);
      this.previous = counters;
      const rawAudioPathMs = this.audio.audioPathMs(), rawAudioJitterBufferMs = this.audio.audioJitterBufferMs();
      if (delays === null || rawAudioPathMs === null || rawAudioJitterBufferMs === null) return;
      const previousPathMs = this.smoothedAudioPathMs;
      const audioPathMs = previousPathMs === null || rawAudioPathMs > previousPathMs ? rawAudioPathMs
        : previousPathMs + AUDIO_PATH_SMOOTHING * (rawAudioPathMs - previousPathMs);
      this.smoothedAudioPathMs = audioPathMs;
      const audioJitterBufferMs = rawAudioJitterBufferMs + (audioPathMs - rawAudioPathMs);
      const current = this.latest;
      const videoPostMs = delays.decodeMs + VIDEO_RENDER_DELAY_MS;
      const plan = planReceiverSync({
        audioPathMs, audioJitterBufferMs, videoJitterBufferMs: delays.jitterBufferMs, videoMinimumMs: delays.minimumMs, videoPostMs,
        currentTargetMs: current.videoJitterBufferTargetMs ?? 0, currentAudioMinimumMs: current.audioMinimumDelayMs,
      }, this.settings);
      let adjustments = current.adjustments;
      if (plan.videoTargetMs !== (current.videoJitterBufferTargetMs ?? 0) || current.videoJitterBufferTargetMs === null) {
        this.video.jitterBufferTarget = plan.videoTargetMs;
        adjustments++;
      }
      // The audio minimum moves in steps of 5 ms at least (each update is a message to the worker).
      let audioMinimumMs = current.audioMinimumDelayMs;
      if (Math.abs(plan.audioMinimumMs - audioMinimumMs) >= 5 || (plan.audioMinimumMs === 0 && audioMinimumMs !== 0)) {
        audioMinimumMs = plan.audioMinimumMs;
        this.audio.setSyncMinimumDelayMs(audioMinimumMs);
        adjustments++;
      }
      this.latest = {
        avOffsetMs: plan.avOffsetMs, videoJitterBufferTargetMs: plan.videoTargetMs, audioMinimumDelayMs: audioMinimumMs,
        audioPathMs, videoPathMs: delays.jitterBufferMs + videoPostMs, adjustments, error: null,
      };
    } catch (error) {
      this.latest = { ...this.latest, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    } finally {
      this.running = false;
    }
  }

  stats(): ReceiverSyncStats {
    return { ...this.latest };
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Stops steering and gives the video receiver its previous jitterBufferTarget back. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    try {
      this.video.jitterBufferTarget = this.originalTarget;
    } catch {
      // The receiver is gone (its connection closed): nothing to restore.
    }
    if (!this.audio.stopped && this.latest.audioMinimumDelayMs !== 0) this.audio.setSyncMinimumDelayMs(0);
  }
}

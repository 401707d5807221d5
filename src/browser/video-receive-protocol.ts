// Messages between the main thread (video-receive-processor.ts) and the video receive worker
// (workers/video-receive.worker.ts). The settings travel in the RTCRtpScriptTransform's options, so
// the worker has them with its first frame; errors cross as { name, message }.
import { type FrameDependencyOptions, type FrameDependencyStats, validateFrameDependencyOptions } from '../core/video/frame-dependency-tracker.js';

export const VIDEO_RECEIVE_TRANSFORM_NAME = 'sazanami-video-receive';
export const VIDEO_RECEIVE_STATS_INTERVAL_MS = 250;
/** How often the worker checks held frames for expiry and repeats a pending key-frame request, ms. */
export const VIDEO_RECEIVE_TICK_MS = 20;

/** Everything the worker needs, validated on both sides of the thread boundary. */
export interface VideoReceiveSettings {
  reorderWaitMs: number;
  maxHeldFrames: number;
  keyFrameRetryMs: number;
  /** TEST HOOK: probability that a frame is dropped before the tracker (0 = off). */
  injectLossRate: number;
  /** TEST HOOK: seed of the loss generator (mulberry32). */
  seed: number;
  /** TEST HOOK: inject loss but forward every other frame untracked, with no key-frame requests (the browser alone, for comparison). */
  bypassTracker: boolean;
}

export interface VideoReceiveTransformOptions {
  name: typeof VIDEO_RECEIVE_TRANSFORM_NAME;
  settings: VideoReceiveSettings;
}

export type ToVideoReceiveWorker =
  | { type: 'stats'; id: number }
  | { type: 'stop' };

/** The tracker's statistics plus what the worker itself counts. */
export interface VideoReceiveWorkerStats extends FrameDependencyStats {
  /** Frames dropped by the loss test hook (each reported to the tracker as lost). */
  framesDroppedByTest: number;
  /** Forwarded frames whose references were not all forwarded, by an independent audit (must be 0). */
  forwardedWithMissingReference: number;
  /** Mean time a forwarded frame spends in the transform (read → written, holding included), ms. */
  latencyMs: number;
  maxLatencyMs: number;
  /** sendKeyFrameRequest() calls that were rejected, and the last reason. */
  keyFrameRequestErrors: number;
  lastKeyFrameRequestError: string | null;
  /** Frames written unchanged after stop() (pass-through). */
  framesPassedThrough: number;
  /** The codec of the last frame (metadata mimeType), e.g. 'video/VP8'. */
  mimeType: string | null;
}

export type FromVideoReceiveWorker =
  | { type: 'ready' }
  | { type: 'stats'; id: number | null; stats: VideoReceiveWorkerStats }
  | { type: 'error'; name: string; message: string }
  | { type: 'stopped' };

/**
 * Checks settings (from the public options, or received from another thread): the tracker's
 * options (defaults FRAME_DEPENDENCY_DEFAULTS) and the test hooks. Throws TypeError/RangeError.
 */
export function validateVideoReceiveSettings(value: unknown): VideoReceiveSettings {
  if (typeof value !== 'object' || value === null) throw new TypeError('video receive options must be an object');
  const v = value as FrameDependencyOptions & { injectLossRate?: unknown; seed?: unknown; bypassTracker?: unknown };
  const tracker = validateFrameDependencyOptions({ reorderWaitMs: v.reorderWaitMs, maxHeldFrames: v.maxHeldFrames, keyFrameRetryMs: v.keyFrameRetryMs });
  const injectLossRate = v.injectLossRate ?? 0;
  if (typeof injectLossRate !== 'number' || !(injectLossRate >= 0 && injectLossRate <= 1)) {
    throw new RangeError(`injectLossRate must be a probability 0–1, got ${String(injectLossRate)}`);
  }
  const seed = v.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer 0–4294967295, got ${String(seed)}`);
  }
  const bypassTracker = v.bypassTracker ?? false;
  if (typeof bypassTracker !== 'boolean') throw new TypeError(`testBypassTracker must be a boolean, got ${String(bypassTracker)}`);
  return { ...tracker, injectLossRate, seed, bypassTracker };
}

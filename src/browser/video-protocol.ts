// Messages between the main thread (VideoTrackProcessor) and the video worker
// (workers/video.worker.ts). Errors cross threads as { name, message }.
import { describeValue } from '../core/describe-value.js';
import { MAX_DENOISE_STRENGTH, MAX_SHARPEN_STRENGTH, type VideoCorrectionSettings } from '../core/video/video-options.js';
import type { VideoCorrectorStats } from '../core/video/video-corrector.js';

/** How frames reach the worker: the track itself (MediaStreamTrackProcessor + VideoTrackGenerator in
 * the worker), or the main thread's breakout-box streams transferred to it (Chrome). */
export type VideoProcessingPath = 'worker-track' | 'transferred-streams';

export interface VideoWorkerCapabilities {
  trackProcessor: boolean;
  trackGenerator: boolean;
}

export type ToVideoWorker =
  | { type: 'probe' }
  | { type: 'start'; module: WebAssembly.Module; flavor: 'simd' | 'scalar'; settings: VideoCorrectionSettings;
      track?: MediaStreamTrack; readable?: ReadableStream; writable?: WritableStream }
  | { type: 'update'; settings: VideoCorrectionSettings }
  | { type: 'stats'; id: number }
  /** Hold every processed frame this long before it is written (sync with a slower audio path). */
  | { type: 'sync-delay'; delayMs: number }
  | { type: 'stop' };

/** The longest sync delay the video worker holds frames for, ms. */
export const MAX_VIDEO_SYNC_DELAY_MS = 1000;
/** Frames the worker can hold for the sync delay (1 s at 30 fps, with room for 60 fps at 500 ms). */
export const VIDEO_HOLD_CAPACITY = 32;

const SETTING_LIMITS: Readonly<Record<keyof VideoCorrectionSettings, number>> = {
  exposureStrength: 1, whiteBalanceStrength: 1, denoiseStrength: MAX_DENOISE_STRENGTH, sharpenStrength: MAX_SHARPEN_STRENGTH,
};

/**
 * Checks a message received by the video worker and returns it typed; throws a TypeError/RangeError
 * naming the problem (never an engine error from reading a field of null). The worker calls this
 * first, so a malformed message is answered with a clear { type: 'error' }.
 */
export function validateToVideoWorker(data: unknown): ToVideoWorker {
  if (typeof data !== 'object' || data === null) throw new TypeError(`video worker message must be an object, got ${data === null ? 'null' : typeof data}`);
  const message = data as Record<string, unknown>;
  switch (message.type) {
    case 'probe': case 'stop': return message as ToVideoWorker;
    case 'stats':
      if (typeof message.id !== 'number' || !Number.isFinite(message.id)) throw new TypeError(`video worker 'stats' needs a numeric id, got ${describeValue(message.id)}`);
      return message as ToVideoWorker;
    case 'update':
      validateSettings(message.settings);
      return message as ToVideoWorker;
    case 'sync-delay':
      if (typeof message.delayMs !== 'number' || !(message.delayMs >= 0 && message.delayMs <= MAX_VIDEO_SYNC_DELAY_MS)) {
        throw new RangeError(`video worker 'sync-delay' delayMs must be a number from 0 to ${MAX_VIDEO_SYNC_DELAY_MS}, got ${describeValue(message.delayMs)}`);
      }
      return message as ToVideoWorker;
    case 'start': {
      if (!(message.module instanceof WebAssembly.Module)) throw new TypeError('video worker \'start\' needs module: a WebAssembly.Module');
      if (message.flavor !== 'simd' && message.flavor !== 'scalar') throw new TypeError(`video worker 'start' flavor must be simd or scalar, got ${describeValue(message.flavor)}`);
      validateSettings(message.settings);
      const hasTrack = message.track !== undefined;
      const hasStreams = message.readable !== undefined || message.writable !== undefined;
      if (hasTrack === hasStreams) throw new TypeError('video worker \'start\' needs either a track or a readable and a writable stream');
      if (hasTrack && (typeof message.track !== 'object' || message.track === null)) throw new TypeError(`video worker 'start' track must be a MediaStreamTrack, got ${describeValue(message.track)}`);
      if (hasStreams && (!(message.readable instanceof ReadableStream) || !(message.writable instanceof WritableStream))) {
        throw new TypeError('video worker \'start\' needs readable: a ReadableStream and writable: a WritableStream');
      }
      return message as ToVideoWorker;
    }
    default:
      throw new TypeError(`unknown video worker message type ${describeValue(message.type)}; accepted: probe, start, update, stats, sync-delay, stop`);
  }
}

function validateSettings(settings: unknown): asserts settings is VideoCorrectionSettings {
  if (typeof settings !== 'object' || settings === null) throw new TypeError(`video worker settings must be an object, got ${describeValue(settings)}`);
  for (const [key, limit] of Object.entries(SETTING_LIMITS)) {
    const value = (settings as Record<string, unknown>)[key];
    if (typeof value !== 'number' || !(value >= 0 && value <= limit)) throw new RangeError(`video worker setting ${key} must be a number from 0 to ${limit}, got ${describeValue(value)}`);
  }
}

export interface VideoTrackStats {
  path: VideoProcessingPath;
  framesIn: number;
  framesOut: number;
  /** Frames closed unprocessed because a newer one arrived while the worker was busy. */
  droppedFrames: number;
  /** Frames passed through unchanged (a format or size the kernel does not take, or a kernel error). */
  passedThroughFrames: number;
  /** Mean worker time per processed frame (copy in, correct, make the output frame), ms, over the last second. */
  msPerFrame: number;
  /**
   * Everything the worker adds to a frame, ms, smoothed: from the frame being read to the corrected
   * frame being accepted by the output track (processing, waiting for the sink, and the sync delay).
   */
  latencyMs: number;
  /** latencyMs without the sync delay, ms (what engine.syncSenders matches the audio to). */
  processingLatencyMs: number;
  /** The sync delay frames are held for, ms (0 unless engine.syncSenders asked for one). */
  syncDelayMs: number;
  /** Frames closed unwritten because the sync hold queue was full. */
  heldFramesDropped: number;
  /** Worst frame time over the same window, ms. */
  maxMsPerFrame: number;
  width: number;
  height: number;
  /** The input frames' pixel format (e.g. I420, NV12), or null before the first frame. */
  format: string | null;
  kernel: VideoCorrectorStats | null;
  /** Why frames are passed through, if they are. */
  passThroughReason: string | null;
}

export type FromVideoWorker =
  | { type: 'capabilities'; capabilities: VideoWorkerCapabilities }
  | { type: 'started'; track?: MediaStreamTrack }
  | { type: 'stats'; id: number | null; stats: VideoTrackStats }
  | { type: 'error'; name: string; message: string }
  | { type: 'stopped' };

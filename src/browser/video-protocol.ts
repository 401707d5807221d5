// Messages between the main thread (VideoTrackProcessor) and the video worker
// (workers/video.worker.ts). Errors cross threads as { name, message }.
import type { VideoCorrectionSettings } from '../core/video/video-options.js';
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
  | { type: 'stop' };

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

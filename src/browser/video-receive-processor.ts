// processVideoReceiver: keeps corrupt pictures off the screen when video frames are lost. A
// receiver-side RTCRtpScriptTransform (workers/video-receive.worker.ts) forwards a frame to the
// browser's decoder only when every frame it references was forwarded (FrameDependencyTracker),
// asks the sender for a key frame at once after a loss, and reports freezes and recovery times.
// It adds no delay except while a frame waits (≤ reorderWaitMs) for an out-of-order reference.
//
// Frame references are exact when the RTP dependency descriptor is negotiated
// (negotiateFrameDependencies on the sending transceiver, before the offer); otherwise every delta
// frame is taken to reference the one before it (right for single-layer VP8/VP9/AV1/H.264).
import { type FrameDependencyOptions, FRAME_DEPENDENCY_DEFAULTS, FrameDependencyTracker } from '../core/video/frame-dependency-tracker.js';
import { defaultVideoReceiveWorkerUrl } from './default-urls.js';
import {
  type FromVideoReceiveWorker, type ToVideoReceiveWorker, validateVideoReceiveSettings, VIDEO_RECEIVE_TRANSFORM_NAME,
  type VideoReceiveTransformOptions, type VideoReceiveWorkerStats,
} from './video-receive-protocol.js';

export type { VideoReceiveWorkerStats } from './video-receive-protocol.js';
export { FRAME_DEPENDENCY_DEFAULTS };

export interface VideoReceiverOptions extends FrameDependencyOptions {
  /** TEST HOOK: probability (0–1) that a frame is dropped in the transform before the tracker. Default 0. Never use in production. */
  injectLossRate?: number;
  /** TEST HOOK: seed of the loss generator. Default 1. */
  seed?: number;
  /**
   * TEST HOOK: with injectLossRate, forward every frame that was not dropped, untracked and without
   * key-frame requests — what the browser does on its own, for comparison. Default false.
   */
  testBypassTracker?: boolean;
}

export interface VideoReceiverConfig {
  /** URL of dist/workers/video-receive.worker.js. Default: resolved next to this module. */
  workerUrl?: string | URL;
}

/** What processVideoReceiver reports (all counts since start). */
export type VideoReceiverStats = VideoReceiveWorkerStats & { error: string | null };

export const DEPENDENCY_DESCRIPTOR_URI = 'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension';
const REPLY_TIMEOUT_MS = 10_000;

interface HeaderExtension { uri: string; direction: RTCRtpTransceiverDirection }
type TransceiverWithExtensions = RTCRtpTransceiver & {
  getHeaderExtensionsToNegotiate?(): HeaderExtension[];
  setHeaderExtensionsToNegotiate?(extensions: HeaderExtension[]): void;
};

/**
 * Offers the RTP dependency descriptor on `transceiver` (call on the sending side before
 * createOffer, or on the answering side before createAnswer), so that receivers get exact frame
 * references (frameId, dependencies) for VP8, VP9 and AV1. Chromium 156 supports it but does not
 * offer it by default. Returns false where the browser cannot negotiate it.
 */
export function negotiateFrameDependencies(transceiver: RTCRtpTransceiver): boolean {
  const t = transceiver as TransceiverWithExtensions;
  if (typeof t.getHeaderExtensionsToNegotiate !== 'function' || typeof t.setHeaderExtensionsToNegotiate !== 'function') return false;
  const extensions = t.getHeaderExtensionsToNegotiate();
  if (!extensions.some((e) => e.uri === DEPENDENCY_DESCRIPTOR_URI)) return false;
  t.setHeaderExtensionsToNegotiate(extensions.map((e) => (e.uri === DEPENDENCY_DESCRIPTOR_URI ? { ...e, direction: 'sendrecv' as const } : e)));
  return true;
}

export function isVideoReceiverProcessingSupported(): boolean {
  return typeof RTCRtpScriptTransform === 'function' && typeof Worker === 'function' && typeof RTCRtpReceiver === 'function';
}

export class VideoReceiverProcessor {
  private latest: VideoReceiveWorkerStats | null = null;
  private lastError: string | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, (stats: VideoReceiveWorkerStats) => void>();
  private stopping: Promise<void> | null = null;

  /** Use engine.processVideoReceiver(). */
  constructor(readonly receiver: RTCRtpReceiver, private readonly worker: Worker) {
    worker.addEventListener('message', (event: MessageEvent<FromVideoReceiveWorker>) => {
      const m = event.data as FromVideoReceiveWorker | null;
      if (typeof m !== 'object' || m === null) return;
      if (m.type === 'stats' && typeof m.stats === 'object' && m.stats !== null) {
        this.latest = m.stats;
        if (m.id !== null) { this.waiting.get(m.id)?.(m.stats); this.waiting.delete(m.id); }
      } else if (m.type === 'error') {
        this.lastError ??= `${m.name}: ${m.message}`;
      }
    });
  }

  get stopped(): boolean {
    return this.stopping !== null;
  }

  /** The latest statistics (the worker reports every 250 ms); zeros before the first report. */
  stats(): VideoReceiverStats {
    return { ...(this.latest ?? emptyStats()), error: this.lastError };
  }

  /** Fresh statistics from the worker. */
  async requestStats(): Promise<VideoReceiverStats> {
    if (this.stopping !== null) return this.stats();
    const id = this.nextId++;
    const fresh = await new Promise<VideoReceiveWorkerStats | null>((resolve) => {
      const timer = setTimeout(() => { this.waiting.delete(id); resolve(null); }, REPLY_TIMEOUT_MS);
      this.waiting.set(id, (stats) => { clearTimeout(timer); resolve(stats); });
      this.worker.postMessage({ type: 'stats', id } satisfies ToVideoReceiveWorker);
    });
    if (fresh !== null) this.latest = fresh;
    return this.stats();
  }

  /**
   * Stops filtering: every later frame is passed to the decoder unchanged (the transform stays
   * attached as a pass-through, as for processReceiver). The final statistics stay readable.
   */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      this.worker.addEventListener('message', (event: MessageEvent<FromVideoReceiveWorker>) => {
        if (event.data.type === 'stopped') { clearTimeout(timer); resolve(); }
      });
      this.worker.postMessage({ type: 'stop' } satisfies ToVideoReceiveWorker);
    });
    return this.stopping;
  }
}

/**
 * Filters `receiver`'s encoded video frames so that only cleanly decodable ones reach the decoder.
 * Call it from the peer connection's `track` event, before media flows (Chromium delivers no frames
 * to a transform attached to a running receiver). Resolves once the worker serves the transform.
 * Throws TypeError/RangeError for bad arguments, NotSupportedError where there is no
 * RTCRtpScriptTransform.
 */
export async function processVideoReceiver(receiver: RTCRtpReceiver, options: VideoReceiverOptions = {}, config: VideoReceiverConfig = {}): Promise<VideoReceiverProcessor> {
  if (typeof RTCRtpReceiver === 'undefined' || !(receiver instanceof RTCRtpReceiver)) throw new TypeError('processVideoReceiver needs an RTCRtpReceiver');
  if (receiver.track.kind !== 'video') throw new TypeError(`processVideoReceiver needs a video receiver, got a ${receiver.track.kind} one`);
  if (!isVideoReceiverProcessingSupported()) throw new DOMException('processVideoReceiver needs RTCRtpScriptTransform and Worker', 'NotSupportedError');
  if (typeof options !== 'object' || options === null) throw new TypeError('processVideoReceiver options must be an object');
  const settings = validateVideoReceiveSettings({
    reorderWaitMs: options.reorderWaitMs, maxHeldFrames: options.maxHeldFrames, keyFrameRetryMs: options.keyFrameRetryMs,
    injectLossRate: options.injectLossRate, seed: options.seed, bypassTracker: options.testBypassTracker,
  });
  // Attached synchronously (before any await): see above.
  const worker = new Worker(config.workerUrl ?? defaultVideoReceiveWorkerUrl(), { type: 'module', name: VIDEO_RECEIVE_TRANSFORM_NAME });
  const ready = waitForReady(worker);
  const transformOptions: VideoReceiveTransformOptions = { name: VIDEO_RECEIVE_TRANSFORM_NAME, settings };
  (receiver as RTCRtpReceiver & { transform: unknown }).transform = new RTCRtpScriptTransform(worker, transformOptions);
  await ready;
  return new VideoReceiverProcessor(receiver, worker);
}

function waitForReady(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`the video receive worker did not start within ${REPLY_TIMEOUT_MS / 1000} s`)); }, REPLY_TIMEOUT_MS);
    const onMessage = (event: MessageEvent<FromVideoReceiveWorker>) => {
      if (event.data.type === 'ready') { cleanup(); resolve(); }
    };
    const onError = (event: ErrorEvent) => { cleanup(); reject(new Error(`the video receive worker failed to load: ${event.message || 'see the console'}`)); };
    const cleanup = () => { clearTimeout(timer); worker.removeEventListener('message', onMessage); worker.removeEventListener('error', onError); };
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', onError);
  });
}

function emptyStats(): VideoReceiveWorkerStats {
  return {
    ...FrameDependencyTracker.zeroStats(), framesDroppedByTest: 0, forwardedWithMissingReference: 0, latencyMs: 0, maxLatencyMs: 0,
    keyFrameRequestErrors: 0, lastKeyFrameRequestError: null, framesPassedThrough: 0, mimeType: null,
  };
}

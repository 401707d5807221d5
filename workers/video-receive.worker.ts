// The video receive worker: serves an RTCRtpScriptTransform on a video RTCRtpReceiver and passes
// on only frames that decode cleanly (FrameDependencyTracker): a frame whose references were lost
// is dropped instead of reaching the decoder as a smeared picture, and a key frame is requested at
// once with transformer.sendKeyFrameRequest() (repeated every keyFrameRetryMs while waiting).
//
// What Chromium 156 puts in RTCEncodedVideoFrame.getMetadata() on a receiver (checked in a
// loopback call): always synchronizationSource, payloadType, contributingSources, rtpTimestamp,
// receiveTime, mimeType ('video/VP8' …), spatialIndex/temporalIndex (0 for single-layer), width
// and height (non-zero on key frames only); frame.type is 'key' or 'delta'. There is NO
// sequenceNumber for video. frameId and dependencies appear only when the RTP dependency
// descriptor extension is negotiated (not offered by default; see negotiateFrameDependencies):
// then for VP8, VP9 and AV1 alike, e.g. VP8 L1T1: {frameId: 20, dependencies: [19]}, key frames
// dependencies: []. Chromium re-delivers some frames at the start of a call (the first key frame up
// to 7 times, same frameId and rtpTimestamp); copies of a forwarded frame are dropped.
//
// Frames dropped here are not counted as lost by the browser (BROWSER.md). Its own reference finder
// also refuses frames after a gap (no corrupt picture), but asks for a key frame only after ≈ 3 s
// (measured in test/browser/video-receive.test.ts: 2 % loss → 9.1 s frozen out of 15 s, vs ≈ 0.6 s here).
// Test hooks: `injectLossRate` drops frames before the tracker (seeded), reported to it as lost;
// `bypassTracker` then forwards all other frames untracked (the browser alone, for comparison).
// After 'stop' every frame is passed through unchanged (the transform stays attached).
import { ForwardAudit, FRAME_DECISION, FrameDependencyTracker, type FrameDependencyStats } from '../src/core/video/frame-dependency-tracker.js';
import { seededRandom } from '../src/core/seeded-random.js';
import {
  type FromVideoReceiveWorker, type ToVideoReceiveWorker, validateVideoReceiveSettings, VIDEO_RECEIVE_STATS_INTERVAL_MS, VIDEO_RECEIVE_TICK_MS,
  VIDEO_RECEIVE_TRANSFORM_NAME, type VideoReceiveWorkerStats,
} from '../src/browser/video-receive-protocol.js';

interface EncodedVideoMetadata {
  frameId?: number; dependencies?: number[]; rtpTimestamp?: number; mimeType?: string; temporalIndex?: number;
}
interface EncodedVideoFrame {
  readonly type: 'key' | 'delta' | 'empty';
  readonly timestamp: number;
  getMetadata(): EncodedVideoMetadata;
}
interface Transformer {
  readonly readable: ReadableStream<EncodedVideoFrame>;
  readonly writable: WritableStream<EncodedVideoFrame>;
  readonly options?: unknown;
  sendKeyFrameRequest?(): Promise<void>;
}
interface WorkerScope {
  postMessage(message: FromVideoReceiveWorker): void;
  onmessage: ((event: MessageEvent<unknown>) => void) | null;
  onrtctransform: ((event: { transformer: Transformer }) => void) | null;
}

const scope = self as unknown as WorkerScope;
/** Weight of a new frame in the mean transform latency. */
const LATENCY_SMOOTHING = 1 / 32;

let transformer: Transformer | null = null;
let writer: WritableStreamDefaultWriter<EncodedVideoFrame> | null = null;
let tracker: FrameDependencyTracker | null = null;
const audit = new ForwardAudit();
let held: (EncodedVideoFrame | null)[] = [];
let heldSinceMs: Float64Array = new Float64Array(0);
let injectLossRate = 0;
let bypassTracker = false;
let uniform: () => number = () => 1;
let passThrough = false;
let stopped = false;
let tickTimer: ReturnType<typeof setInterval> | null = null;
let statsTimer: ReturnType<typeof setInterval> | null = null;
const trackerStats: FrameDependencyStats = FrameDependencyTracker.zeroStats();
const own = {
  framesDroppedByTest: 0, latencyMs: 0, maxLatencyMs: 0, keyFrameRequestErrors: 0, lastKeyFrameRequestError: null as string | null,
  framesPassedThrough: 0, mimeType: null as string | null,
};

scope.onmessage = (event) => {
  const message = event.data as ToVideoReceiveWorker | null;
  try {
    if (typeof message !== 'object' || message === null) return;
    if (message.type === 'stats' && typeof message.id === 'number') scope.postMessage({ type: 'stats', id: message.id, stats: snapshot() });
    else if (message.type === 'stop') stop();
  } catch (error) {
    postError(error);
  }
};

scope.onrtctransform = (event) => {
  const t = event.transformer;
  if (transformer !== null) {
    // One transform per worker: a second one is passed through untouched.
    postError(new DOMException('this worker already serves a transform', 'InvalidStateError'));
    void passThroughAll(t);
    return;
  }
  try {
    const options = t.options as { name?: unknown; settings?: unknown } | undefined;
    if (options?.name !== VIDEO_RECEIVE_TRANSFORM_NAME) throw new TypeError(`unexpected transform options name ${String(options?.name)}`);
    const settings = validateVideoReceiveSettings(options.settings);
    tracker = new FrameDependencyTracker(settings);
    held = new Array<EncodedVideoFrame | null>(settings.maxHeldFrames).fill(null);
    heldSinceMs = new Float64Array(settings.maxHeldFrames);
    injectLossRate = settings.injectLossRate;
    bypassTracker = settings.bypassTracker;
    uniform = seededRandom(settings.seed);
  } catch (error) {
    // Bad settings: stay a pass-through so the picture is never lost because of sazanami.
    passThrough = true;
    postError(error);
  }
  transformer = t;
  void serve(t);
  tickTimer = setInterval(tick, VIDEO_RECEIVE_TICK_MS);
  statsTimer = setInterval(() => scope.postMessage({ type: 'stats', id: null, stats: snapshot() }), VIDEO_RECEIVE_STATS_INTERVAL_MS);
  scope.postMessage({ type: 'ready' });
};

async function serve(t: Transformer): Promise<void> {
  const reader = t.readable.getReader();
  writer = t.writable.getWriter();
  try {
    for (;;) {
      const { value: frame, done } = await reader.read();
      if (done || frame === undefined) break;
      if (passThrough || tracker === null) {
        own.framesPassedThrough++;
        forward(frame);
        continue;
      }
      try {
        receive(frame, tracker);
      } catch (error) {
        // Never leave the receiver without a picture: from now on every frame goes through.
        passThrough = true;
        postError(error);
        forward(frame);
      }
    }
  } catch (error) {
    if (!stopped) postError(error);
  }
}

async function passThroughAll(t: Transformer): Promise<void> {
  try {
    await t.readable.pipeTo(t.writable);
  } catch (error) {
    if (!stopped) postError(error);
  }
}

function receive(frame: EncodedVideoFrame, t: FrameDependencyTracker): void {
  const now = performance.now();
  const metadata = frame.getMetadata();
  own.mimeType = metadata.mimeType ?? null;
  const isKey = frame.type === 'key';
  const dependencies = typeof metadata.frameId === 'number' && Array.isArray(metadata.dependencies) ? metadata.dependencies : null;
  const frameId = dependencies !== null ? (metadata.frameId as number) : -1;
  const rtpTimestamp = metadata.rtpTimestamp ?? frame.timestamp;
  if (injectLossRate > 0 && uniform() < injectLossRate) {
    own.framesDroppedByTest++;
    audit.lost();
    if (bypassTracker) return;
    // A base-layer frame is referenced by what follows: ask for the key frame now, not one frame later.
    t.markLost(frameId, now, (metadata.temporalIndex ?? 0) === 0);
  } else if (bypassTracker) {
    // Test comparison: the browser alone decides what to decode (the audit still counts).
    audit.received(true, isKey, frameId, dependencies);
    forward(frame);
    return;
  } else {
    const decision = t.push(isKey, frameId, dependencies, rtpTimestamp, now);
    if (decision === FRAME_DECISION.forward) {
      audit.received(true, isKey, frameId, dependencies);
      forward(frame);
      noteLatency(performance.now() - now);
    } else if (decision === FRAME_DECISION.hold) {
      held[t.heldSlot] = frame;
      heldSinceMs[t.heldSlot] = now;
    } else {
      audit.received(false, isKey, frameId, dependencies);
    }
  }
  settle(t, now);
}

/** Releases held frames that became decodable, discards expired ones, asks for a key frame when due. */
function settle(t: FrameDependencyTracker, now: number): void {
  for (let slot = t.nextReleased(now); slot >= 0; slot = t.nextReleased(now)) {
    const frame = held[slot];
    held[slot] = null;
    if (frame === null) continue;
    const metadata = frame.getMetadata();
    audit.received(true, frame.type === 'key', metadata.frameId ?? -1, metadata.dependencies ?? null);
    forward(frame);
    noteLatency(performance.now() - heldSinceMs[slot]);
  }
  for (let slot = t.nextExpired(now); slot >= 0; slot = t.nextExpired(now)) held[slot] = null;
  if (t.shouldRequestKeyFrame(now)) requestKeyFrame();
}

function tick(): void {
  if (tracker === null || passThrough || bypassTracker) return;
  try {
    settle(tracker, performance.now());
  } catch (error) {
    postError(error);
  }
}

function forward(frame: EncodedVideoFrame): void {
  writer?.write(frame).catch(onWriteError);
}

function onWriteError(error: unknown): void {
  if (!stopped) postError(error);
}

function noteLatency(ms: number): void {
  own.latencyMs += LATENCY_SMOOTHING * (ms - own.latencyMs);
  if (ms > own.maxLatencyMs) own.maxLatencyMs = ms;
}

function requestKeyFrame(): void {
  const t = transformer;
  if (t === null || typeof t.sendKeyFrameRequest !== 'function') {
    own.keyFrameRequestErrors++;
    own.lastKeyFrameRequestError = 'NotSupportedError: this transformer has no sendKeyFrameRequest()';
    return;
  }
  t.sendKeyFrameRequest().catch(onKeyFrameRequestError);
}

function onKeyFrameRequestError(error: unknown): void {
  own.keyFrameRequestErrors++;
  own.lastKeyFrameRequestError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function snapshot(): VideoReceiveWorkerStats {
  tracker?.stats(trackerStats);
  return {
    ...trackerStats,
    framesDroppedByTest: own.framesDroppedByTest,
    forwardedWithMissingReference: audit.forwardedWithMissingReference,
    latencyMs: own.latencyMs,
    maxLatencyMs: own.maxLatencyMs,
    keyFrameRequestErrors: own.keyFrameRequestErrors,
    lastKeyFrameRequestError: own.lastKeyFrameRequestError,
    framesPassedThrough: own.framesPassedThrough,
    mimeType: own.mimeType,
  };
}

function stop(): void {
  if (stopped) return;
  stopped = true;
  passThrough = true;
  if (tickTimer !== null) clearInterval(tickTimer);
  if (statsTimer !== null) clearInterval(statsTimer);
  // Frames still waiting for a reference are discarded (they may never be decodable). A picture
  // broken by a loss needs a key frame: the browser's own request would come only seconds later.
  held.fill(null);
  if (tracker?.waitingForKeyFrame === true) requestKeyFrame();
  scope.postMessage({ type: 'stats', id: null, stats: snapshot() });
  scope.postMessage({ type: 'stopped' });
}

function postError(error: unknown): void {
  const e = error instanceof Error ? error : new Error(String(error));
  scope.postMessage({ type: 'error', name: e.name, message: e.message });
}

// The video worker: reads VideoFrames (from the track via MediaStreamTrackProcessor where the worker
// has it, or from a transferred breakout-box stream), corrects them with the Wasm VideoCorrector
// and writes new frames with the same timestamps. Every frame is closed. Only the newest waiting
// frame is kept: when processing falls behind, older frames are dropped and counted, never queued.
// With a sync delay (engine.syncSenders) processed frames wait in a fixed ring until their read time
// + the delay, in order; each frame's latency (read → accepted by the output track) is smoothed for stats.
import { instantiateWasm } from '../src/core/wasm-loader.js';
import { VideoCorrector } from '../src/core/video/video-corrector.js';
import type { VideoExports, VideoPixelFormat } from '../src/core/video/video-exports.js';
import type { VideoCorrectionSettings } from '../src/core/video/video-options.js';
import {
  type FromVideoWorker, MAX_VIDEO_SYNC_DELAY_MS, type ToVideoWorker, VIDEO_HOLD_CAPACITY, type VideoProcessingPath, type VideoTrackStats, validateToVideoWorker,
} from '../src/browser/video-protocol.js';
import { LatencyTracker } from '../src/browser/av-sync.js';

interface WorkerScope {
  postMessage(message: FromVideoWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToVideoWorker>) => void) | null;
}
type TrackProcessorCtor = new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => { readable: ReadableStream<VideoFrame> };
type TrackGeneratorCtor = new () => { track: MediaStreamTrack; writable: WritableStream<VideoFrame> };

const scope = self as unknown as WorkerScope;
const globals = self as unknown as { MediaStreamTrackProcessor?: TrackProcessorCtor; VideoTrackGenerator?: TrackGeneratorCtor };
const STATS_INTERVAL_MS = 250;
const TIMING_WINDOW_MS = 1000;

let exports: VideoExports | null = null;
let settings: VideoCorrectionSettings | null = null;
let corrector: VideoCorrector | null = null;
let reader: ReadableStreamDefaultReader<VideoFrame> | null = null;
let writer: WritableStreamDefaultWriter<VideoFrame> | null = null;
let pending: VideoFrame | null = null;
/** performance.now() when `pending` was read. */
let pendingReadMs = 0;
/** Sync delay (engine.syncSenders): processed frames wait in a fixed ring until read time + this. */
let syncDelayMs = 0;
const heldFrames: (VideoFrame | null)[] = new Array<VideoFrame | null>(VIDEO_HOLD_CAPACITY).fill(null);
const heldDueMs = new Float64Array(VIDEO_HOLD_CAPACITY);
const heldReadMs = new Float64Array(VIDEO_HOLD_CAPACITY);
let heldHead = 0;
let heldCount = 0;
let flushing = false;
const totalLatency = new LatencyTracker();
const processingLatency = new LatencyTracker();
let busy = false;
let stopped = false;
let lastStatsPost = 0;
const timings: { at: number; ms: number }[] = [];
const stats: VideoTrackStats = {
  path: 'transferred-streams', framesIn: 0, framesOut: 0, droppedFrames: 0, passedThroughFrames: 0, msPerFrame: 0, maxMsPerFrame: 0,
  width: 0, height: 0, format: null, kernel: null, passThroughReason: null,
  latencyMs: 0, processingLatencyMs: 0, syncDelayMs: 0, heldFramesDropped: 0,
};

scope.onmessage = (event) => {
  try {
    // Validated first: a malformed message is answered with a clear error, never an engine error.
    const message = validateToVideoWorker(event.data);
    switch (message.type) {
      case 'probe':
        scope.postMessage({ type: 'capabilities', capabilities: { trackProcessor: typeof globals.MediaStreamTrackProcessor === 'function', trackGenerator: typeof globals.VideoTrackGenerator === 'function' } });
        break;
      case 'start': start(message); break;
      case 'update':
        settings = message.settings;
        corrector?.update(optionsOf(message.settings));
        break;
      case 'stats': scope.postMessage({ type: 'stats', id: message.id, stats: snapshot() }); break;
      case 'sync-delay':
        // Checked here too: a bad value must not hold frames forever.
        syncDelayMs = typeof message.delayMs === 'number' && message.delayMs >= 0 && message.delayMs <= MAX_VIDEO_SYNC_DELAY_MS ? message.delayMs : 0;
        break;
      case 'stop': void stop(); break;
    }
  } catch (error) {
    postError(error);
  }
};

function start(message: Extract<ToVideoWorker, { type: 'start' }>): void {
  exports = instantiateWasm(message.module, message.flavor).exports as unknown as VideoExports;
  settings = message.settings;
  let readable: ReadableStream<VideoFrame>, writable: WritableStream<VideoFrame>;
  let path: VideoProcessingPath = 'transferred-streams';
  let outputTrack: MediaStreamTrack | undefined;
  if (message.track !== undefined) {
    const Processor = globals.MediaStreamTrackProcessor, Generator = globals.VideoTrackGenerator;
    if (Processor === undefined || Generator === undefined) throw new DOMException('this worker has no MediaStreamTrackProcessor/VideoTrackGenerator', 'NotSupportedError');
    const generator = new Generator();
    readable = new Processor({ track: message.track, maxBufferSize: 2 }).readable;
    writable = generator.writable;
    outputTrack = generator.track;
    path = 'worker-track';
  } else if (message.readable !== undefined && message.writable !== undefined) {
    readable = message.readable as ReadableStream<VideoFrame>;
    writable = message.writable as WritableStream<VideoFrame>;
  } else {
    throw new TypeError('start needs a track or a readable and a writable stream');
  }
  stats.path = path;
  reader = readable.getReader();
  writer = writable.getWriter();
  scope.postMessage({ type: 'started', track: outputTrack }, outputTrack ? [outputTrack as unknown as Transferable] : []);
  void pump();
}

async function pump(): Promise<void> {
  try {
    while (!stopped && reader !== null) {
      const { value, done } = await reader.read();
      if (done || value === undefined) break;
      stats.framesIn++;
      if (stopped) { value.close(); break; }
      if (pending !== null) { pending.close(); stats.droppedFrames++; }
      pending = value;
      pendingReadMs = performance.now();
      if (!busy) void drain();
    }
  } catch (error) {
    if (!stopped) postError(error);
  }
}

/** Processes the newest waiting frame until none is left; only one drain runs at a time. */
async function drain(): Promise<void> {
  busy = true;
  try {
    while (pending !== null && !stopped) {
      const frame = pending, readMs = pendingReadMs;
      pending = null;
      const output = correct(frame);
      if (syncDelayMs > 0 || heldCount > 0) {
        // Held for the sync delay (in order, behind frames already held); the sink is fed by flush().
        hold(output, readMs);
        continue;
      }
      // Backpressure: while the sink is busy, newer frames replace `pending` (and count as dropped).
      await writeFrame(output, readMs);
    }
  } catch (error) {
    postError(error);
  } finally {
    busy = false;
  }
}

/** Writes one frame and records its latency (read → accepted by the output track). */
async function writeFrame(output: VideoFrame, readMs: number): Promise<void> {
  try {
    await writer?.write(output);
    stats.framesOut++;
    const writtenMs = performance.now();
    totalLatency.update(writtenMs - readMs);
    processingLatency.update(writtenMs - readMs);
    postStatsIfDue(writtenMs);
  } catch (error) {
    output.close();
    if (!stopped) throw error;
  }
}

/** Queues a processed frame until its read time + the sync delay; a full ring drops its oldest frame. */
function hold(output: VideoFrame, readMs: number): void {
  if (heldCount === VIDEO_HOLD_CAPACITY) {
    heldFrames[heldHead]?.close();
    heldFrames[heldHead] = null;
    heldHead = (heldHead + 1) % VIDEO_HOLD_CAPACITY;
    heldCount--;
    stats.heldFramesDropped++;
  }
  const slot = (heldHead + heldCount) % VIDEO_HOLD_CAPACITY;
  heldFrames[slot] = output;
  heldReadMs[slot] = readMs;
  heldDueMs[slot] = readMs + syncDelayMs;
  heldCount++;
  processingLatency.update(performance.now() - readMs);
  if (!flushing) void flush();
}

/** Writes held frames as they fall due, oldest first; only one flush runs at a time. */
async function flush(): Promise<void> {
  flushing = true;
  try {
    while (heldCount > 0 && !stopped) {
      const waitMs = heldDueMs[heldHead] - performance.now();
      if (waitMs > 0.5) {
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        continue;
      }
      const frame = heldFrames[heldHead], readMs = heldReadMs[heldHead];
      heldFrames[heldHead] = null;
      heldHead = (heldHead + 1) % VIDEO_HOLD_CAPACITY;
      heldCount--;
      if (frame === null) continue;
      try {
        await writer?.write(frame);
        stats.framesOut++;
        const writtenMs = performance.now();
        totalLatency.update(writtenMs - readMs);
        postStatsIfDue(writtenMs);
      } catch (error) {
        frame.close();
        if (!stopped) throw error;
      }
    }
  } catch (error) {
    postError(error);
  } finally {
    flushing = false;
  }
}

/** Returns the corrected frame and closes `frame`, or returns `frame` itself when it must pass through. */
function correct(frame: VideoFrame): VideoFrame {
  const started = performance.now();
  const format = frame.format;
  const width = frame.visibleRect?.width ?? frame.codedWidth, height = frame.visibleRect?.height ?? frame.codedHeight;
  stats.format = format;
  if (format !== 'I420' && format !== 'NV12') return passThrough(frame, `frames in ${String(format)} are passed through; accepted: I420, NV12`);
  if (width % 2 !== 0 || height % 2 !== 0) return passThrough(frame, `${width} × ${height} frames are passed through; accepted: even sizes`);
  if (exports === null || settings === null) return passThrough(frame, 'not started');
  try {
    if (corrector === null || corrector.width !== width || corrector.height !== height || corrector.format !== format) {
      corrector?.destroy();
      corrector = null;
      corrector = new VideoCorrector(exports, { width, height, format: format as VideoPixelFormat, options: optionsOf(settings) });
      stats.width = width;
      stats.height = height;
    }
    const input = corrector.input;
    // Packed planes of the visible rectangle, in the kernel's own buffer.
    void frame.copyTo(input);
    corrector.process();
    const output = new VideoFrame(corrector.output, {
      format, codedWidth: width, codedHeight: height, timestamp: frame.timestamp,
      ...(frame.duration !== null ? { duration: frame.duration } : {}),
      colorSpace: frame.colorSpace.toJSON(),
    } as VideoFrameBufferInit);
    frame.close();
    stats.passThroughReason = null;
    record(performance.now() - started);
    return output;
  } catch (error) {
    return passThrough(frame, `correction failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function passThrough(frame: VideoFrame, reason: string): VideoFrame {
  stats.passedThroughFrames++;
  stats.passThroughReason = reason;
  return frame;
}

function record(ms: number): void {
  const now = performance.now();
  timings.push({ at: now, ms });
  while (timings.length > 0 && timings[0].at < now - TIMING_WINDOW_MS) timings.shift();
  postStatsIfDue(now);
}

/** Posts the periodic stats (also for passed-through frames, which record() does not see). */
function postStatsIfDue(now: number): void {
  if (now - lastStatsPost >= STATS_INTERVAL_MS) {
    lastStatsPost = now;
    scope.postMessage({ type: 'stats', id: null, stats: snapshot() });
  }
}

function snapshot(): VideoTrackStats {
  const ms = timings.map((t) => t.ms);
  return {
    ...stats,
    msPerFrame: ms.length ? ms.reduce((a, b) => a + b, 0) / ms.length : 0,
    maxMsPerFrame: ms.length ? Math.max(...ms) : 0,
    kernel: corrector?.stats() ?? null,
    latencyMs: totalLatency.latencyMs, processingLatencyMs: processingLatency.latencyMs, syncDelayMs,
  };
}

function optionsOf(s: VideoCorrectionSettings) {
  return { exposure: s.exposureStrength, whiteBalance: s.whiteBalanceStrength, denoise: s.denoiseStrength, sharpen: s.sharpenStrength };
}

async function stop(): Promise<void> {
  stopped = true;
  pending?.close();
  pending = null;
  for (let i = 0; i < VIDEO_HOLD_CAPACITY; i++) { heldFrames[i]?.close(); heldFrames[i] = null; }
  heldCount = 0;
  try { await reader?.cancel(); } catch { /* already closed */ }
  try { await writer?.close(); } catch { /* already closed or errored */ }
  corrector?.destroy();
  corrector = null;
  scope.postMessage({ type: 'stopped' });
}

function postError(error: unknown): void {
  const e = error instanceof Error ? error : new Error(String(error));
  scope.postMessage({ type: 'error', name: e.name, message: e.message });
}

// processVideoTrack: corrects a camera track in a DedicatedWorker and returns the corrected track.
// Where the worker has MediaStreamTrackProcessor and VideoTrackGenerator (and tracks transfer to
// workers), the track goes to the worker; otherwise (Chrome) the breakout box runs on the main
// thread (MediaStreamTrackProcessor + MediaStreamTrackGenerator) and its streams are transferred
// to the worker; otherwise it throws a NotSupportedError saying what is missing.
import { isWasmSimdSupported, type WasmFlavor, type WasmSources } from '../core/wasm-loader.js';
import { type VideoCorrectionOptions, type VideoCorrectionSettings, validateVideoOptions } from '../core/video/video-options.js';
import { type FromVideoWorker, MAX_VIDEO_SYNC_DELAY_MS, type ToVideoWorker, type VideoProcessingPath, type VideoTrackStats, type VideoWorkerCapabilities } from './video-protocol.js';
import { type CompiledWasm, compileWasm } from './wasm-module.js';

export type { VideoTrackStats, VideoProcessingPath } from './video-protocol.js';

export interface VideoTrackConfig {
  /** A compiled build (the engine passes its own), or sources to compile. Default: the shipped builds. */
  wasm?: CompiledWasm | WasmSources;
  flavor?: WasmFlavor;
  /** URL of dist/workers/video.worker.js. Default: resolved next to this module. */
  workerUrl?: string | URL;
}

type TrackProcessorCtor = new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => { readable: ReadableStream };
type TrackGeneratorCtor = new (init: { kind: 'video' }) => MediaStreamTrack & { writable: WritableStream };

export function defaultVideoWorkerUrl(): URL {
  return new URL('../../workers/video.worker.js', import.meta.url);
}

/** True where processVideoTrack can run on the main thread's breakout box (the worker path is probed at start). */
export function isVideoProcessingSupported(): boolean {
  const g = globalThis as Record<string, unknown>;
  return typeof g.Worker === 'function' && typeof g.VideoFrame === 'function' && typeof g.WebAssembly === 'object'
    && ((typeof g.MediaStreamTrackProcessor === 'function' && typeof g.MediaStreamTrackGenerator === 'function') || typeof g.VideoTrackGenerator === 'function');
}

const EMPTY_STATS = (path: VideoProcessingPath): VideoTrackStats => ({
  path, framesIn: 0, framesOut: 0, droppedFrames: 0, passedThroughFrames: 0, msPerFrame: 0, maxMsPerFrame: 0,
  width: 0, height: 0, format: null, kernel: null, passThroughReason: null,
  latencyMs: 0, processingLatencyMs: 0, syncDelayMs: 0, heldFramesDropped: 0,
});

export class VideoTrackProcessor {
  /** The corrected track to send (e.g. `sender.replaceTrack(processor.track)`). */
  readonly track: MediaStreamTrack;
  readonly path: VideoProcessingPath;
  private settings: VideoCorrectionSettings;
  private latest: VideoTrackStats;
  private lastError: string | null = null;
  private stopping: Promise<void> | null = null;
  private nextId = 1;
  private syncDelay = 0;
  private readonly waiting = new Map<number, (stats: VideoTrackStats) => void>();

  /** Use processVideoTrack(). */
  constructor(private readonly worker: Worker, track: MediaStreamTrack, path: VideoProcessingPath, settings: VideoCorrectionSettings) {
    this.track = track;
    this.path = path;
    this.settings = settings;
    this.latest = EMPTY_STATS(path);
    worker.addEventListener('message', (event: MessageEvent<FromVideoWorker>) => {
      const m = event.data;
      if (m.type === 'stats') {
        this.latest = m.stats;
        if (m.id !== null) { this.waiting.get(m.id)?.(m.stats); this.waiting.delete(m.id); }
      } else if (m.type === 'error') {
        this.lastError = `${m.name}: ${m.message}`;
      }
    });
  }

  /** Changes options on the fly; unspecified ones keep their value. Throws TypeError/RangeError on bad options. */
  update(options: VideoCorrectionOptions): void {
    this.settings = validateVideoOptions(options, this.settings);
    this.post({ type: 'update', settings: this.settings });
  }

  /** The latest statistics the worker reported (every 250 ms while frames flow). */
  stats(): VideoTrackStats & { error: string | null; settings: VideoCorrectionSettings } {
    return { ...this.latest, error: this.lastError, settings: { ...this.settings } };
  }

  /** Smoothed latency the worker adds without the sync delay, ms (0 before the first frame). */
  get processingLatencyMs(): number {
    return this.latest.processingLatencyMs;
  }

  /** Everything the worker adds, ms (processing plus the sync delay; 0 before the first frame). */
  get latencyMs(): number {
    return this.latest.latencyMs;
  }

  /** The sync delay last asked for, ms. */
  get syncDelayMs(): number {
    return this.syncDelay;
  }

  get stopped(): boolean {
    return this.stopping !== null;
  }

  /**
   * Holds every corrected frame `delayMs` longer (0–1000), e.g. to match a slower audio path (see
   * engine.syncSenders). Frames keep their timestamps. Throws RangeError on a bad value.
   */
  setSyncDelayMs(delayMs: number): void {
    if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0 || delayMs > MAX_VIDEO_SYNC_DELAY_MS) {
      throw new RangeError(`sync delay must be a number from 0 to ${MAX_VIDEO_SYNC_DELAY_MS} ms, got ${String(delayMs)}`);
    }
    this.syncDelay = delayMs;
    this.post({ type: 'sync-delay', delayMs });
  }

  /** Fresh statistics from the worker. */
  requestStats(): Promise<VideoTrackStats> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.post({ type: 'stats', id });
    });
  }

  /** Stops processing, ends `track` and terminates the worker. The input track is left running. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const stopped = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        this.worker.addEventListener('message', (event: MessageEvent<FromVideoWorker>) => {
          if (event.data.type === 'stopped') { clearTimeout(timer); resolve(); }
        });
      });
      this.post({ type: 'stop' });
      await stopped;
      this.worker.terminate();
      this.track.stop();
    })();
    return this.stopping;
  }

  private post(message: ToVideoWorker): void {
    if (this.stopping === null) this.worker.postMessage(message);
  }
}

/**
 * Corrects a camera track. Resolves once the worker runs. Throws TypeError/RangeError for a bad
 * track or options, InvalidStateError for an ended track, NotSupportedError where neither path exists.
 */
export async function processVideoTrack(track: MediaStreamTrack, options?: VideoCorrectionOptions, config: VideoTrackConfig = {}): Promise<VideoTrackProcessor> {
  if (typeof MediaStreamTrack === 'undefined' || !(track instanceof MediaStreamTrack)) throw new TypeError('processVideoTrack needs a MediaStreamTrack');
  if (track.kind !== 'video') throw new TypeError(`processVideoTrack needs a video track, got a ${track.kind} track`);
  if (track.readyState === 'ended') throw new DOMException('the video track has ended', 'InvalidStateError');
  const settings = validateVideoOptions(options);
  const g = globalThis as unknown as { MediaStreamTrackProcessor?: TrackProcessorCtor; MediaStreamTrackGenerator?: TrackGeneratorCtor };
  if (typeof Worker !== 'function' || typeof VideoFrame !== 'function') {
    throw new DOMException('video correction is not supported here: it needs Worker and WebCodecs VideoFrame', 'NotSupportedError');
  }
  const wasm = isCompiled(config.wasm) ? config.wasm : await compileWasm(config.wasm, config.flavor ?? (isWasmSimdSupported() ? 'simd' : 'scalar'));
  const worker = new Worker(config.workerUrl ?? defaultVideoWorkerUrl(), { type: 'module', name: 'sazanami-video' });
  try {
    const capabilities = await request<{ type: 'capabilities'; capabilities: VideoWorkerCapabilities }>(worker, { type: 'probe' }, 'capabilities');
    const base = { type: 'start' as const, module: wasm.module, flavor: wasm.flavor, settings };
    if (capabilities.capabilities.trackProcessor && capabilities.capabilities.trackGenerator) {
      let transferred = false;
      const started = request<{ type: 'started'; track?: MediaStreamTrack }>(worker, null, 'started');
      try {
        worker.postMessage({ ...base, track }, [track as unknown as Transferable]);
        transferred = true;
      } catch {
        // MediaStreamTrack is not transferable here: fall through to the main-thread breakout box.
      }
      if (transferred) {
        const reply = await started;
        if (reply.track === undefined) throw new Error('the video worker did not return a track');
        return new VideoTrackProcessor(worker, reply.track, 'worker-track', settings);
      }
    }
    if (g.MediaStreamTrackProcessor === undefined || g.MediaStreamTrackGenerator === undefined) {
      throw new DOMException('video correction is not supported in this browser: it needs MediaStreamTrackProcessor and '
        + 'VideoTrackGenerator in a worker, or MediaStreamTrackProcessor and MediaStreamTrackGenerator on the main thread', 'NotSupportedError');
    }
    // maxBufferSize 2: the browser drops older frames itself when the worker falls behind.
    const processor = new g.MediaStreamTrackProcessor({ track, maxBufferSize: 2 });
    const generator = new g.MediaStreamTrackGenerator({ kind: 'video' });
    const started = request(worker, null, 'started');
    worker.postMessage({ ...base, readable: processor.readable, writable: generator.writable } satisfies ToVideoWorker,
      [processor.readable as unknown as Transferable, generator.writable as unknown as Transferable]);
    await started;
    return new VideoTrackProcessor(worker, generator, 'transferred-streams', settings);
  } catch (error) {
    worker.terminate();
    throw error;
  }
}

function isCompiled(wasm: VideoTrackConfig['wasm']): wasm is CompiledWasm {
  return typeof wasm === 'object' && wasm !== null && 'module' in wasm && (wasm as CompiledWasm).module instanceof WebAssembly.Module;
}

/** Posts `message` (if any) and resolves with the first reply of `type`; rejects on a worker error or after 10 s. */
function request<T extends FromVideoWorker>(worker: Worker, message: ToVideoWorker | null, type: T['type']): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`the video worker did not answer '${type}' within 10 s`)); }, 10_000);
    const onMessage = (event: MessageEvent<FromVideoWorker>) => {
      if (event.data.type === type) { cleanup(); resolve(event.data as T); }
      else if (event.data.type === 'error') { cleanup(); reject(Object.assign(new Error(event.data.message), { name: event.data.name })); }
    };
    const onError = (event: ErrorEvent) => { cleanup(); reject(new Error(`the video worker failed to load: ${event.message || 'see the console'}`)); };
    const cleanup = () => { clearTimeout(timer); worker.removeEventListener('message', onMessage); worker.removeEventListener('error', onError); };
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', onError);
    if (message !== null) worker.postMessage(message);
  });
}

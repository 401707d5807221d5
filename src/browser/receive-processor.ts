// processReceiver: plays a remote audio RTCRtpReceiver through sazanami's own receive path instead
// of the browser's jitter buffer:
//   receiver → RTCRtpScriptTransform (workers/receive.worker.ts: Opus → AudioDecoder → Wasm
//   ReceiveChain: reorder, delay manager, time stretch, concealment) → shared ring
//   → AudioWorkletNode "sazanami-playout" (worklets/playout.worklet.ts) → context.destination.
// The whole path runs at 48 kHz (Opus's rate): the playout AudioContext must be 48 kHz.
// stop() puts the transform in pass-through (frames go back to the browser's own playout).
import { isWasmSimdSupported } from '../core/wasm-loader.js';
import { FloatRingBuffer } from '../core/receive/ring-buffer.js';
import type { ReceiveStats } from '../core/receive/receive-chain.js';
import { type JitterBufferOptions, type JitterBufferSettings, validateJitterBufferOptions } from '../core/receive/receive-options.js';
import {
  type FromReceiveWorker, PLAYOUT_COUNTER, PLAYOUT_COUNTER_COUNT, PLAYOUT_PROCESSOR_NAME, PLAYOUT_QUEUE_MS, PLAYOUT_RING_SAMPLES, type PlayoutWorkletOptions,
  RECEIVE_SAMPLE_RATE_HZ, type ReceiveImpairments, type ReceiveImpairmentSettings, type ReceiveWorkerStats, type ToReceiveWorker,
} from './receive-protocol.js';
import { isReceiverProcessingSupported } from './receive-support.js';
import { ReceiverSync, type ReceiverSyncOptions, type ReceiverSyncStats, type SyncableVideoReceiver } from './av-sync.js';
import { type CompiledWasm, compileWasm } from './wasm-module.js';

export type { ReceiveImpairments, ReceiveWorkerStats } from './receive-protocol.js';

export interface ReceiverOptions {
  /** Jitter buffer settings (see JitterBufferOptions; defaults JITTER_BUFFER_DEFAULTS). */
  jitterBuffer?: JitterBufferOptions;
  /** A 48 kHz AudioContext to play on (never closed by sazanami). Default: a new 48 kHz context, closed by stop(). */
  context?: AudioContext;
  /** Connect the playout node to `context.destination`. Default true. */
  playout?: boolean;
  /** TEST HOOK: seeded loss/delay injected before the jitter buffer. Default: none. Never use in production. */
  testImpairments?: ReceiveImpairments;
}

export interface ReceiverConfig {
  wasm?: CompiledWasm;
  /** URL of dist/workers/receive.worker.js. Default: resolved next to this module. */
  workerUrl?: string | URL;
  /** URL of dist/worklets/playout.worklet.js. Default: resolved next to this module. */
  playoutWorkletUrl?: string | URL;
}

export interface ReceiverStats {
  /** Delay of the next played sample above the fastest transit seen, ms. */
  currentDelayMs: number;
  targetDelayMs: number;
  /** Packets that arrived after their time was played (or concealed) / packets expected. */
  lateLossRate: number;
  concealedMs: number;
  accelerateCount: number;
  decelerateCount: number;
  /** Render quanta the playout worklet found the queue empty after playout started. */
  underruns: number;
  /** Audio queued between the worker and the playout worklet, ms (adds to the delay). */
  queuedMs: number;
  /**
   * What the receive path adds, ms: from a packet's arrival (on the fastest transit seen) to its
   * first sample leaving the page — jitter buffer (currentDelayMs), the playout queue and the
   * AudioContext's output latency.
   */
  latencyMs: number;
  /**
   * Estimated A/V offset against the video receiver given to syncWith() as both leave the page,
   * ms (audio − video; positive: audio late); null without syncWith() or before its first estimate.
   */
  avOffsetMs: number | null;
  /** The video receiver's jitterBufferTarget set by syncWith(), ms, or null. */
  videoJitterBufferTargetMs: number | null;
  /** The sync controller's full state (null without syncWith()). */
  sync: ReceiverSyncStats | null;
  /** Everything the worker reports (frame counts, pull statuses, the chain's full statistics). */
  worker: ReceiveWorkerStats | null;
  /** The chain's full statistics (null before the worker reported). */
  chain: ReceiveStats | null;
  quantaPlayed: number;
  /** Underrun quanta including those before the first audio. */
  underrunQuantaTotal: number;
  error: string | null;
}

export function defaultReceiveWorkerUrl(): URL {
  return new URL('../../workers/receive.worker.js', import.meta.url);
}

export function defaultPlayoutWorkletUrl(): URL {
  return new URL('../../worklets/playout.worklet.js', import.meta.url);
}

const REPLY_TIMEOUT_MS = 10_000;
const workletsLoaded = new WeakMap<BaseAudioContext, Promise<void>>();

export class ReceiverProcessor {
  /** The playout node (connect it elsewhere, e.g. as the echo canceller's far end). */
  readonly node: AudioWorkletNode;
  readonly context: AudioContext;
  private latest: ReceiveWorkerStats | null = null;
  private lastError: string | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, (stats: ReceiveWorkerStats) => void>();
  private stopping: Promise<void> | null = null;
  private readonly counters: Int32Array;
  private sync: ReceiverSync | null = null;
  /** The jitter buffer's minimum and maximum delay as the app set them; sync only ever raises the minimum, up to the maximum. */
  private appMinimumDelayMs: number;
  private appMaximumDelayMs: number;
  private syncMinimumDelayMs = 0;

  /** Use engine.processReceiver(). */
  constructor(
    readonly receiver: RTCRtpReceiver, private readonly worker: Worker, node: AudioWorkletNode, context: AudioContext,
    counters: SharedArrayBuffer, private readonly ownsContext: boolean,
    jitterBuffer: { minDelayMs: number; maxDelayMs: number } = { minDelayMs: 0, maxDelayMs: 1000 },
    /** Extra delay injected by the test hook before the jitter buffer (audio only), ms. */
    private readonly testDelayMs = 0,
  ) {
    this.appMinimumDelayMs = jitterBuffer.minDelayMs;
    this.appMaximumDelayMs = jitterBuffer.maxDelayMs;
    this.node = node;
    this.context = context;
    this.counters = new Int32Array(counters);
    worker.addEventListener('message', (event: MessageEvent<FromReceiveWorker>) => {
      const m = event.data;
      if (m.type === 'stats') {
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

  /** The latest statistics (the worker reports every 250 ms; underruns are read live). */
  stats(): ReceiverStats {
    return this.compose(this.latest);
  }

  /** Fresh statistics from the worker. */
  async requestStats(): Promise<ReceiverStats> {
    if (this.stopping !== null) return this.stats();
    const id = this.nextId++;
    const fresh = await new Promise<ReceiveWorkerStats | null>((resolve) => {
      const timer = setTimeout(() => { this.waiting.delete(id); resolve(null); }, REPLY_TIMEOUT_MS);
      this.waiting.set(id, (stats) => { clearTimeout(timer); resolve(stats); });
      this.worker.postMessage({ type: 'stats', id } satisfies ToReceiveWorker);
    });
    return this.compose(fresh ?? this.latest);
  }

  /** Changes jitter-buffer settings on the fly. Throws TypeError/RangeError on bad options. */
  update(options: { jitterBuffer?: JitterBufferOptions }): void {
    if (this.stopping !== null) throw new DOMException('this receiver processor was stopped', 'InvalidStateError');
    if (options.jitterBuffer === undefined) return;
    validateJitterBufferOptions(options.jitterBuffer);
    const jitterBuffer = { ...options.jitterBuffer };
    if (jitterBuffer.maxDelayMs !== undefined) this.appMaximumDelayMs = jitterBuffer.maxDelayMs;
    if (jitterBuffer.minDelayMs !== undefined) this.appMinimumDelayMs = jitterBuffer.minDelayMs;
    // The sync's minimum stays in force (below the maximum) whatever the app changes.
    if (this.syncMinimumDelayMs > 0 || jitterBuffer.minDelayMs !== undefined) jitterBuffer.minDelayMs = this.effectiveMinimumDelayMs();
    this.worker.postMessage({ type: 'update', jitterBuffer } satisfies ToReceiveWorker);
  }

  /**
   * Lip sync with the remote video of the same stream: the browser's own A/V sync no longer sees
   * this audio, so from now on the video receiver's `jitterBufferTarget` is steered (every
   * `intervalMs`) so that its pictures leave the page with this audio — and the audio jitter
   * buffer's minimum delay is held so the audio never gets more than `audioLeadMs` ahead of the
   * video (when the video cannot be that fast, or follows a falling delay late). stats().avOffsetMs reports
   * the estimated offset. Returns the controller (stop() hands the video its previous target back);
   * a second call replaces the first. Throws TypeError for a non-video receiver, RangeError for bad options.
   */
  syncWith(videoReceiver: RTCRtpReceiver | SyncableVideoReceiver, options?: ReceiverSyncOptions): ReceiverSync {
    if (this.stopping !== null) throw new DOMException('this receiver processor was stopped', 'InvalidStateError');
    if (typeof videoReceiver !== 'object' || videoReceiver === null || typeof videoReceiver.getStats !== 'function' || !('jitterBufferTarget' in videoReceiver)) {
      throw new TypeError('syncWith needs an RTCRtpReceiver with jitterBufferTarget');
    }
    this.sync?.stop();
    const processor = this;
    const sync = new ReceiverSync({
      audioPathMs: () => processor.audioPathMs(),
      audioJitterBufferMs: () => processor.latest?.chain?.currentDelayMs ?? null,
      setSyncMinimumDelayMs: (delayMs) => processor.setSyncMinimumDelayMs(delayMs),
      get stopped() { return processor.stopping !== null; },
    }, videoReceiver, options);
    this.sync = sync;
    return sync;
  }

  /** What the path adds from arrival to leaving the page, ms (see ReceiverStats.latencyMs). */
  get latencyMs(): number {
    const chain = this.latest?.chain;
    return (chain?.currentDelayMs ?? 0) + PLAYOUT_QUEUE_MS + 1000 * (this.context.outputLatency || this.context.baseLatency || 0);
  }

  /**
   * For sync: the audio's delay from the arrival its picture would have had to leaving the page, ms:
   * latencyMs, plus the test hook's injected delay (audio only), plus one packet (its first sample
   * was captured a packet before the packet left the sender). Null before the worker decoded audio.
   */
  private audioPathMs(): number | null {
    const worker = this.latest;
    if (worker === null || worker.chain === null || !(worker.packetMs > 0)) return null;
    return this.latencyMs + this.testDelayMs + worker.packetMs;
  }

  private setSyncMinimumDelayMs(delayMs: number): void {
    if (this.stopping !== null) return;
    this.syncMinimumDelayMs = Math.max(0, Math.min(5000, delayMs));
    this.worker.postMessage({ type: 'update', jitterBuffer: { minDelayMs: this.effectiveMinimumDelayMs() } } satisfies ToReceiveWorker);
  }

  private effectiveMinimumDelayMs(): number {
    return Math.max(this.appMinimumDelayMs, Math.min(this.syncMinimumDelayMs, this.appMaximumDelayMs));
  }

  /**
   * Stops: the worker hands every following frame back to the browser (normal playout resumes),
   * frees the jitter buffer and decoder, and the playout node is disconnected. The final statistics
   * stay readable through stats().
   *
   * The transform stays attached in pass-through mode: in Chromium 156, `receiver.transform = null`
   * (with or without a pass-through first) leaves the browser's playout silent — verified in a
   * loopback call — so the worker lives on as a pass-through as long as the receiver does.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const stopped = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        this.worker.addEventListener('message', (event: MessageEvent<FromReceiveWorker>) => {
          if (event.data.type === 'stopped') { clearTimeout(timer); resolve(); }
        });
      });
      this.sync?.stop();
      this.worker.postMessage({ type: 'stop' } satisfies ToReceiveWorker);
      await stopped;
      this.node.port.postMessage({ type: 'stop' });
      this.node.disconnect();
      if (this.ownsContext && this.context.state !== 'closed') await this.context.close();
    })();
    return this.stopping;
  }

  private compose(worker: ReceiveWorkerStats | null): ReceiverStats {
    const chain = worker?.chain ?? null;
    return {
      currentDelayMs: chain?.currentDelayMs ?? 0,
      targetDelayMs: chain?.targetDelayMs ?? 0,
      lateLossRate: chain?.lateLossRate ?? 0,
      concealedMs: chain?.concealedMs ?? 0,
      accelerateCount: chain?.accelerateCount ?? 0,
      decelerateCount: chain?.decelerateCount ?? 0,
      underruns: Atomics.load(this.counters, PLAYOUT_COUNTER.underrunsAfterStart),
      queuedMs: worker?.queuedMs ?? 0,
      latencyMs: this.latencyMs,
      avOffsetMs: this.sync?.stats().avOffsetMs ?? null,
      videoJitterBufferTargetMs: this.sync?.stats().videoJitterBufferTargetMs ?? null,
      sync: this.sync?.stats() ?? null,
      worker,
      chain,
      quantaPlayed: Atomics.load(this.counters, PLAYOUT_COUNTER.quantaPlayed),
      underrunQuantaTotal: Atomics.load(this.counters, PLAYOUT_COUNTER.underrunQuanta),
      error: this.lastError ?? chain?.error ?? null,
    };
  }
}

/**
 * Plays `receiver`'s audio through sazanami's receive path. Resolves once the worker and the
 * playout node run. Call it from the peer connection's `track` event handler, before the receiver
 * gets media: Chromium (156) delivers no frames to a transform attached to a running receiver. Throws TypeError/RangeError for bad arguments, NotSupportedError (saying what
 * is missing) where the browser or page cannot run it.
 */
export async function processReceiver(receiver: RTCRtpReceiver, options: ReceiverOptions = {}, config: ReceiverConfig = {}): Promise<ReceiverProcessor> {
  if (typeof RTCRtpReceiver === 'undefined' || !(receiver instanceof RTCRtpReceiver)) throw new TypeError('processReceiver needs an RTCRtpReceiver');
  if (receiver.track.kind !== 'audio') throw new TypeError(`processReceiver needs an audio receiver, got a ${receiver.track.kind} one`);
  if (typeof options !== 'object' || options === null) throw new TypeError('processReceiver options must be an object');
  const support = isReceiverProcessingSupported();
  if (!support.supported) throw new DOMException(`receive processing is not supported here; missing: ${support.missing.join(', ')}`, 'NotSupportedError');
  const jitterBuffer: JitterBufferSettings = validateJitterBufferOptions(options.jitterBuffer);
  const impairments = validateImpairments(options.testImpairments);
  if (options.context !== undefined) {
    if (!(options.context instanceof AudioContext)) throw new TypeError('processReceiver options.context must be an AudioContext');
    if (options.context.state === 'closed') throw new DOMException('the AudioContext is closed', 'InvalidStateError');
    if (options.context.sampleRate !== RECEIVE_SAMPLE_RATE_HZ) {
      throw new RangeError(`processReceiver plays at ${RECEIVE_SAMPLE_RATE_HZ} Hz (Opus); options.context runs at ${options.context.sampleRate} Hz`);
    }
  }
  // Chromium delivers no frames to a transform attached after the receiver started, so the
  // transform is attached now, synchronously (before any await); the worker drops frames until it runs.
  const worker = new Worker(config.workerUrl ?? defaultReceiveWorkerUrl(), { type: 'module', name: 'sazanami-receive' });
  const ready = waitFor(worker, 'ready');
  (receiver as RTCRtpReceiver & { transform: unknown }).transform = new RTCRtpScriptTransform(worker, { name: 'sazanami-receive' });
  const ownsContext = options.context === undefined;
  const context = options.context ?? new AudioContext({ sampleRate: RECEIVE_SAMPLE_RATE_HZ, latencyHint: 'interactive' });
  try {
    const wasm = config.wasm ?? await compileWasm(undefined, isWasmSimdSupported() ? 'simd' : 'scalar');
    await loadPlayoutWorklet(context, config.playoutWorkletUrl ?? defaultPlayoutWorkletUrl());
    const ring = FloatRingBuffer.create(PLAYOUT_RING_SAMPLES);
    const counters = new SharedArrayBuffer(PLAYOUT_COUNTER_COUNT * 4);
    worker.postMessage({
      type: 'start', module: wasm.module, flavor: wasm.flavor, ring: ring.buffer as SharedArrayBuffer, jitterBuffer, impairments,
    } satisfies ToReceiveWorker);
    await ready;
    const node = new AudioWorkletNode(context, PLAYOUT_PROCESSOR_NAME, {
      numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [1],
      processorOptions: { ring: ring.buffer as SharedArrayBuffer, counters } satisfies PlayoutWorkletOptions,
    });
    if (options.playout !== false) node.connect(context.destination);
    if (context.state === 'suspended') context.resume().catch(() => undefined);
    return new ReceiverProcessor(receiver, worker, node, context, counters, ownsContext, jitterBuffer, impairments?.delayMs ?? 0);
  } catch (error) {
    // Hand the frames back to the browser (a detached transform would leave its playout silent).
    worker.postMessage({ type: 'stop' } satisfies ToReceiveWorker);
    if (ownsContext) await context.close().catch(() => undefined);
    throw error;
  }
}

function loadPlayoutWorklet(context: BaseAudioContext, url: string | URL): Promise<void> {
  let loading = workletsLoaded.get(context);
  if (loading === undefined) {
    loading = context.audioWorklet.addModule(String(url));
    workletsLoaded.set(context, loading);
    loading.catch(() => workletsLoaded.delete(context));
  }
  return loading.catch((error: unknown) => {
    throw new Error(`could not load the playout worklet from ${String(url)}: ${error instanceof Error ? error.message : String(error)}`);
  });
}

function validateImpairments(value: ReceiveImpairments | undefined): ReceiveImpairmentSettings | null {
  if (value === undefined) return null;
  if (typeof value !== 'object' || value === null) throw new TypeError('testImpairments must be an object');
  const number = (key: 'seed' | 'lossRate' | 'delayMs' | 'jitterMs', low: number, high: number, fallback: number): number => {
    const v = value[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < low || v > high) throw new RangeError(`testImpairments.${key} must be a number from ${low} to ${high}, got ${String(v)}`);
    return v;
  };
  const ge = value.gilbertElliott;
  if (ge !== undefined) {
    for (const key of ['p', 'r', 'lossInGood', 'lossInBad'] as const) {
      const v = ge?.[key];
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new RangeError(`testImpairments.gilbertElliott.${key} must be a probability 0–1, got ${String(v)}`);
    }
  }
  return {
    seed: Math.trunc(number('seed', 0, 2 ** 32 - 1, 1)), lossRate: number('lossRate', 0, 1, 0),
    delayMs: number('delayMs', 0, 1000, 0), jitterMs: number('jitterMs', 0, 500, 0), gilbertElliott: ge === undefined ? null : { ...ge },
  };
}

function waitFor(worker: Worker, type: FromReceiveWorker['type']): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`the receive worker did not answer '${type}' within ${REPLY_TIMEOUT_MS / 1000} s`)); }, REPLY_TIMEOUT_MS);
    const onMessage = (event: MessageEvent<FromReceiveWorker>) => {
      if (event.data.type === type) { cleanup(); resolve(); }
      else if (event.data.type === 'error') { cleanup(); reject(Object.assign(new Error(event.data.message), { name: event.data.name })); }
    };
    const onError = (event: ErrorEvent) => { cleanup(); reject(new Error(`the receive worker failed to load: ${event.message || 'see the console'}`)); };
    const cleanup = () => { clearTimeout(timer); worker.removeEventListener('message', onMessage); worker.removeEventListener('error', onError); };
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', onError);
  });
}

// The main-thread side of one "sazanami-capture" AudioWorkletNode on any BaseAudioContext (a live
// AudioContext or an OfflineAudioContext): construction, the control protocol, stats and release.
import { type CaptureOptions, validateCaptureOptions } from '../core/options.js';
import {
  CAPTURE_PROCESSOR_NAME, type CaptureControlMessage, FAR_END_INPUT, type CaptureEventMessage, type CaptureWorkletOptions,
  type CaptureWorkletStats, LIVE_STATS, liveStatsByteLength,
} from '../../worklets/capture-protocol.js';
import type { CompiledWasm } from './wasm-module.js';
import type { ValidatedAudioTrackOptions } from './audio-track-options.js';

/** How long to wait for the processor's answer before giving up (construction, stats, stop). */
const REPLY_TIMEOUT_MS = 5000;

export interface CaptureNodeConfig {
  wasm: CompiledWasm;
  options: ValidatedAudioTrackOptions;
  /** Enables the worklet's `{type:'fail'}` fault-injection hook (tests only). */
  enableTestHooks?: boolean;
}

export class CaptureNode {
  readonly node: AudioWorkletNode;
  readonly channelCount: 1 | 2;
  /** True when the node has the far-end input (index FAR_END_INPUT) for the echo canceller. */
  readonly hasFarEndInput: boolean;
  /** Called once with the first kernel error; the node passes audio through from then on. */
  onError: ((message: string) => void) | null = null;
  /** Called with each rejected control message (validation happens before posting, so rare). */
  onRejected: ((message: string) => void) | null = null;
  private latest: CaptureWorkletStats | null = null;
  private errorMessages: string[] = [];
  private nextRequestId = 1;
  private readonly pendingStats = new Map<number, (stats: CaptureWorkletStats) => void>();
  private options: Required<CaptureOptions>;
  private stopping: Promise<void> | null = null;
  private resolveStopped: (() => void) | null = null;
  private readonly readyPromise: Promise<CaptureWorkletStats>;
  private readonly liveSequence: Int32Array | null = null;
  private readonly liveValues: Float64Array | null = null;
  private readonly liveCopy = new Float64Array(LIVE_STATS.valueCount);
  /** Sources this node connected to its far-end input (disconnected on stop). */
  private readonly farEndSources = new Set<AudioNode>();

  /** Use Engine.createCaptureNode: it loads the worklet module into the context first. */
  constructor(context: BaseAudioContext, config: CaptureNodeConfig) {
    const { wasm, options, enableTestHooks = false } = config;
    this.channelCount = options.channelCount;
    this.hasFarEndInput = options.farEndInput;
    this.options = options.capture;
    const processorOptions: CaptureWorkletOptions = {
      module: wasm.module, flavor: wasm.flavor, options: options.capture, channelCount: options.channelCount, enableTestHooks,
    };
    // The NS-only node keeps its single input (and so its exact output); echo cancellation adds the far end.
    if (options.farEndInput) processorOptions.farEndInput = true;
    // Cross-origin isolated pages read live stats from shared memory every call; others get messages.
    if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true && typeof SharedArrayBuffer === 'function') {
      const shared = new SharedArrayBuffer(liveStatsByteLength());
      this.liveSequence = new Int32Array(shared, 0, 1);
      this.liveValues = new Float64Array(shared, LIVE_STATS.valuesByteOffset, LIVE_STATS.valueCount);
      processorOptions.liveStats = shared;
    }
    this.node = new AudioWorkletNode(context, CAPTURE_PROCESSOR_NAME, {
      numberOfInputs: options.farEndInput ? 2 : 1,
      numberOfOutputs: 1,
      outputChannelCount: [options.channelCount],
      channelCount: options.channelCount,
      channelCountMode: 'explicit',
      channelInterpretation: 'speakers',
      processorOptions,
    });
    let settle: { resolve(stats: CaptureWorkletStats): void; reject(error: Error): void } | null = null;
    this.readyPromise = new Promise<CaptureWorkletStats>((resolve, reject) => { settle = { resolve, reject }; });
    // Keep an unobserved rejection from being reported as unhandled; callers await `ready`.
    this.readyPromise.catch(() => undefined);
    const timer = setTimeout(() => settle?.reject(new Error(`the ${CAPTURE_PROCESSOR_NAME} processor did not start within ${REPLY_TIMEOUT_MS} ms`)), REPLY_TIMEOUT_MS);
    this.node.onprocessorerror = () => {
      clearTimeout(timer);
      settle?.reject(new Error(`the ${CAPTURE_PROCESSOR_NAME} processor failed to start`));
    };
    this.node.port.onmessage = (event: MessageEvent<CaptureEventMessage>) => {
      const message = event.data;
      switch (message.type) {
        case 'ready':
          clearTimeout(timer);
          this.latest = message.stats;
          settle?.resolve(message.stats);
          break;
        case 'init-error':
          clearTimeout(timer);
          settle?.reject(new Error(`the ${CAPTURE_PROCESSOR_NAME} processor could not start: ${message.message}`));
          break;
        case 'stats': {
          this.latest = message.stats;
          const resolve = message.requestId !== undefined ? this.pendingStats.get(message.requestId) : undefined;
          if (resolve !== undefined) {
            this.pendingStats.delete(message.requestId!);
            resolve(message.stats);
          }
          break;
        }
        case 'error':
          this.errorMessages.push(message.message);
          this.onError?.(message.message);
          break;
        case 'rejected':
          this.onRejected?.(message.message);
          break;
        case 'stopped':
          this.resolveStopped?.();
          break;
      }
    };
  }

  /** Resolves with the first stats once the processor runs; rejects if it could not be built. */
  get ready(): Promise<CaptureWorkletStats> {
    return this.readyPromise;
  }

  /** Constant input-to-output delay in samples at the context rate (known once `ready`). */
  get latencySamples(): number {
    return this.latest?.latencySamples ?? 0;
  }

  /** Errors reported by the processor (at most one per node). */
  get errors(): readonly string[] {
    return this.errorMessages;
  }

  get stopped(): boolean {
    return this.stopping !== null;
  }

  get currentOptions(): Readonly<Required<CaptureOptions>> {
    return this.options;
  }

  /**
   * Feeds `source` (an AudioNode on this node's context: what the speakers play) to the echo
   * canceller as its far end. Several sources are summed. Throws when the node has no far-end
   * input (built without echo cancellation or farEnd) or the contexts differ.
   */
  connectFarEnd(source: AudioNode): void {
    if (this.stopping !== null) throw new DOMException('this capture node was stopped', 'InvalidStateError');
    if (typeof AudioNode === 'undefined' || !(source instanceof AudioNode)) throw new TypeError('connectFarEnd needs an AudioNode');
    if (!this.hasFarEndInput) {
      throw new DOMException('this capture node has no far-end input: create it with echoCancellation or farEnd', 'InvalidStateError');
    }
    if (source.context !== this.node.context) {
      throw new DOMException('the far-end node belongs to another AudioContext; play the remote audio through the capture context', 'InvalidAccessError');
    }
    source.connect(this.node, 0, FAR_END_INPUT);
    this.farEndSources.add(source);
  }

  /** Stops feeding `source` (connected with connectFarEnd) to the echo canceller. */
  disconnectFarEnd(source: AudioNode): void {
    if (!this.farEndSources.delete(source)) return;
    try {
      source.disconnect(this.node, 0, FAR_END_INPUT);
    } catch {
      // Already disconnected.
    }
  }

  /** Validates and applies new options; throws TypeError/RangeError here, never in the worklet. */
  update(options: CaptureOptions): void {
    if (this.stopping !== null) throw new DOMException('this capture node was stopped', 'InvalidStateError');
    const next = validateCaptureOptions({ ...this.options, ...options });
    this.options = next;
    this.post({ type: 'update', options: next });
  }

  /** True when stats() reads live values from shared memory (cross-origin isolated pages). */
  get sharedStats(): boolean {
    return this.liveValues !== null;
  }

  /**
   * The latest stats, or null before the processor started: live from shared memory where the page
   * is cross-origin isolated (updated every render quantum), else as last posted (4× per second).
   */
  stats(): CaptureWorkletStats | null {
    const latest = this.latest;
    if (latest === null || this.liveValues === null || !this.readLive()) return latest;
    const v = this.liveCopy;
    const cpu = v[LIVE_STATS.cpuUsPerFrame];
    return {
      ...latest,
      speechProbability: v[LIVE_STATS.speechProbability],
      noiseLevelDbfs: v[LIVE_STATS.noiseLevelDbfs],
      underruns: v[LIVE_STATS.underruns],
      invalidInputSamples: v[LIVE_STATS.invalidInputSamples],
      bypassed: latest.bypassed || v[LIVE_STATS.bypassed] === 1,
      cpuUsPerFrame: Number.isNaN(cpu) ? latest.cpuUsPerFrame : cpu,
    };
  }

  /** Frames the processor has rendered (live where shared memory is used, else as last posted). */
  get framesProcessed(): number | null {
    return this.liveValues !== null && this.readLive() ? this.liveCopy[LIVE_STATS.framesProcessed] : null;
  }

  /** Seqlock read of the shared values into liveCopy; false if the writer never wrote or kept writing. */
  private readLive(): boolean {
    const sequence = this.liveSequence!, values = this.liveValues!;
    for (let attempt = 0; attempt < 4; attempt++) {
      const before = Atomics.load(sequence, 0);
      if (before === 0) return false;
      if (before & 1) continue;
      this.liveCopy.set(values);
      if (Atomics.load(sequence, 0) === before) return true;
    }
    return false;
  }

  /** Asks the processor for fresh stats; the answer also proves earlier messages were handled. */
  requestStats(): Promise<CaptureWorkletStats> {
    if (this.stopping !== null) return Promise.reject(new DOMException('this capture node was stopped', 'InvalidStateError'));
    const requestId = this.nextRequestId++;
    return new Promise<CaptureWorkletStats>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingStats.delete(requestId);
        reject(new Error(`no stats from the ${CAPTURE_PROCESSOR_NAME} processor within ${REPLY_TIMEOUT_MS} ms`));
      }, REPLY_TIMEOUT_MS);
      this.pendingStats.set(requestId, (stats) => { clearTimeout(timer); resolve(stats); });
      this.post({ type: 'get-stats', requestId });
    });
  }

  /**
   * Disconnects the node, lets the processor free its kernels and end, and closes the port.
   * Idempotent; resolves once the processor acknowledged (or could not: closed context, timeout).
   */
  stop(): Promise<void> {
    if (this.stopping !== null) return this.stopping;
    this.stopping = (async () => {
      try {
        this.node.disconnect();
      } catch {
        // Already disconnected.
      }
      for (const source of [...this.farEndSources]) this.disconnectFarEnd(source);
      if (this.node.context.state !== 'closed') {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, REPLY_TIMEOUT_MS);
          this.resolveStopped = () => { clearTimeout(timer); resolve(); };
          this.post({ type: 'stop' });
        });
      }
      this.resolveStopped = null;
      this.node.port.onmessage = null;
      this.node.onprocessorerror = null;
      this.node.port.close();
      this.pendingStats.clear();
    })();
    return this.stopping;
  }

  private post(message: CaptureControlMessage): void {
    this.node.port.postMessage(message);
  }
}

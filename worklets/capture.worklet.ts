// The "sazanami-capture" AudioWorkletProcessor: a thin host around CaptureProcessor. It receives
// the compiled Wasm module in processorOptions, instantiates it synchronously, runs one
// CaptureProcessor per channel (1 or 2) on 128-frame render quanta, and reports stats and errors
// through its port. It never throws on the audio thread: on any failure it passes input through.
import { CaptureProcessor, type CaptureStats, idleCaptureStats } from '../src/core/capture-processor.js';
import { validateCaptureOptions, type CaptureOptions } from '../src/core/options.js';
import { instantiateWasm } from '../src/core/wasm-loader.js';
import type { SazanamiExports } from '../src/core/wasm-exports.js';
import { describeValue } from '../src/core/describe-value.js';
import {
  CAPTURE_PROCESSOR_NAME, FAR_END_INPUT, LIVE_STATS, liveStatsByteLength, RENDER_QUANTUM_FRAMES, STATS_INTERVAL_MS, STATS_INTERVAL_SHARED_MS,
  type CaptureEventMessage, type CaptureWorkletOptions, type CaptureWorkletStats,
} from './capture-protocol.js';

// AudioWorkletGlobalScope is not in TypeScript's DOM lib; these are its globals.
declare const sampleRate: number;
declare function registerProcessor(name: string, ctor: new (options: AudioWorkletNodeOptions) => AudioWorkletProcessorBase): void;
declare class AudioWorkletProcessorBase {
  readonly port: MessagePort;
  constructor(options?: AudioWorkletNodeOptions);
}
const AudioWorkletProcessorClass = (globalThis as unknown as { AudioWorkletProcessor: typeof AudioWorkletProcessorBase }).AudioWorkletProcessor;

/**
 * `performance` is not exposed in every AudioWorkletGlobalScope (Chromium 156 has none, and its
 * Date.now() does not advance within a render quantum), so without it CPU time is reported as null;
 * the main thread can time the same worklet in an OfflineAudioContext instead.
 */
const clock: { now(): number } | null =
  typeof (globalThis as { performance?: { now?: unknown } }).performance?.now === 'function' ? globalThis.performance : null;

let liveProcessorsInScope = 0;

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Wraps the exports so that `captureProcess` throws once when armed (the `fail` test hook). The
 * throw happens inside CaptureProcessor's guarded kernel call, exactly where a Wasm trap would.
 */
function faultInjectableExports(exports: SazanamiExports): { exports: SazanamiExports; arm(): void } {
  let armed = false;
  const captureProcess = exports.captureProcess;
  const wrapped = Object.create(exports, {
    captureProcess: {
      value(handle: number, count: number): number {
        if (armed) {
          armed = false;
          throw new Error('injected fault (test hook)');
        }
        return captureProcess(handle, count);
      },
    },
  }) as SazanamiExports;
  return { exports: wrapped, arm: () => { armed = true; } };
}

class SazanamiCaptureProcessor extends AudioWorkletProcessorClass {
  private readonly processors: CaptureProcessor[] = [];
  private readonly channelCount: number;
  private readonly flavor: CaptureWorkletOptions['flavor'];
  private armFault: (() => void) | null = null;
  /** Set once the first error was posted; from then on every channel passes through here. */
  private failed = false;
  private stopped = false;
  private counted = false;
  private readonly statsIntervalFrames: number;
  /** Fed to the chain while no source is connected, so the delay line flushes and timing stays continuous. */
  private readonly silence = new Float32Array(RENDER_QUANTUM_FRAMES);
  /** The node has a far-end input; its channels are mixed to mono here (no allocation per quantum). */
  private readonly farEndInput: boolean;
  private readonly farMix = new Float32Array(RENDER_QUANTUM_FRAMES);
  private framesSinceStats = 0;
  private cpuMs = 0;
  private framesProcessed = 0;
  private readonly liveSequence: Int32Array | null = null;
  private readonly liveValues: Float64Array | null = null;
  private readonly testHooks: boolean;
  /** The `load` test hook: busy-loop iterations per enabled stage per render quantum (a slow device). */
  private testLoadIterations = 0;
  private testLoadStages = 0;
  private burnSink = 0;

  constructor(nodeOptions: AudioWorkletNodeOptions) {
    super(nodeOptions);
    const init = (nodeOptions.processorOptions ?? {}) as Partial<CaptureWorkletOptions>;
    this.channelCount = init.channelCount === 2 ? 2 : 1;
    this.flavor = init.flavor === 'scalar' ? 'scalar' : 'simd';
    this.farEndInput = init.farEndInput === true;
    this.testHooks = init.enableTestHooks === true;
    if (typeof SharedArrayBuffer === 'function' && init.liveStats instanceof SharedArrayBuffer &&
        init.liveStats.byteLength >= liveStatsByteLength()) {
      this.liveSequence = new Int32Array(init.liveStats, 0, 1);
      this.liveValues = new Float64Array(init.liveStats, LIVE_STATS.valuesByteOffset, LIVE_STATS.valueCount);
    }
    const intervalMs = this.liveValues !== null ? STATS_INTERVAL_SHARED_MS : STATS_INTERVAL_MS;
    this.statsIntervalFrames = Math.max(RENDER_QUANTUM_FRAMES, Math.round((sampleRate * intervalMs) / 1000));
    this.port.onmessage = (event: MessageEvent) => this.onControl(event.data);
    try {
      if (!(init.module instanceof WebAssembly.Module)) throw new TypeError('processorOptions.module must be a WebAssembly.Module');
      const options = validateCaptureOptions(init.options);
      let { exports } = instantiateWasm(init.module, this.flavor);
      if (init.enableTestHooks === true) {
        const injectable = faultInjectableExports(exports);
        exports = injectable.exports;
        this.armFault = injectable.arm;
      }
      for (let ch = 0; ch < this.channelCount; ch++) {
        const processor = new CaptureProcessor(exports, { sampleRate, maxBlockSize: RENDER_QUANTUM_FRAMES, ...options });
        processor.onError = (message) => this.reportError(message);
        this.processors.push(processor);
      }
      liveProcessorsInScope++;
      this.counted = true;
      this.post({ type: 'ready', stats: this.collectStats() });
    } catch (error) {
      this.failed = true;
      this.post({ type: 'init-error', message: messageOf(error) });
    }
  }

  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    if (this.stopped) return false;
    const input = inputs[0];
    const output = outputs[0];
    if (output === undefined || output.length === 0) return true;
    const connected = input !== undefined && input.length > 0;
    const started = clock !== null ? clock.now() : 0;
    // Far end: null on a node without the input (the NS-only path is unchanged) and while nothing is
    // connected to it (the canceller then sees silence and removes nothing).
    const far = this.farEndInput ? this.mixFarEnd(inputs[FAR_END_INPUT]) : null;
    for (let ch = 0; ch < output.length; ch++) {
      const source = connected ? input[ch < input.length ? ch : input.length - 1] : this.silence;
      const target = output[ch];
      if (this.failed || this.processors.length === 0) {
        target.set(source);
      } else if (ch < this.processors.length) {
        // Returns false (after passing through) on a kernel error; onError reports it.
        this.processors[ch].process(source, target, far);
      } else {
        target.set(output[0]);
      }
    }
    if (this.testLoadIterations > 0 && !this.failed) this.burn(this.testLoadIterations * this.testLoadStages);
    if (clock !== null) this.cpuMs += clock.now() - started;
    this.framesSinceStats += RENDER_QUANTUM_FRAMES;
    this.framesProcessed += RENDER_QUANTUM_FRAMES;
    if (this.liveValues !== null) this.writeLiveStats(this.liveValues, this.liveSequence!);
    if (this.framesSinceStats >= this.statsIntervalFrames) this.postStats();
    return true;
  }

  /** The far-end block as mono (one channel as is, several averaged into farMix), or null when unconnected. */
  private mixFarEnd(far: Float32Array[] | undefined): Float32Array | null {
    if (far === undefined || far.length === 0) return null;
    if (far.length === 1) return far[0];
    const mix = this.farMix;
    mix.set(far[0]);
    for (let ch = 1; ch < far.length; ch++) {
      const channel = far[ch];
      for (let i = 0; i < mix.length; i++) mix[i] += channel[i];
    }
    const scale = 1 / far.length;
    for (let i = 0; i < mix.length; i++) mix[i] *= scale;
    return mix;
  }

  /** Seqlock write: the sequence is odd while values change, so readers retry instead of tearing. */
  private writeLiveStats(values: Float64Array, sequence: Int32Array): void {
    Atomics.add(sequence, 0, 1);
    const first = this.processors[0];
    if (first !== undefined) first.writeLiveStats(values, LIVE_STATS.speechProbability);
    if (this.failed) values[LIVE_STATS.bypassed] = 1;
    const framesOf10Ms = this.framesSinceStats / (sampleRate / 100);
    values[LIVE_STATS.cpuUsPerFrame] = clock !== null && framesOf10Ms > 0 ? (1000 * this.cpuMs) / framesOf10Ms : NaN;
    values[LIVE_STATS.framesProcessed] = this.framesProcessed;
    Atomics.add(sequence, 0, 1);
  }

  private reportError(message: string): void {
    if (this.failed) return;
    // A trap may leave the shared instance inconsistent, so every channel bypasses from now on.
    this.failed = true;
    this.post({ type: 'error', message });
  }

  private onControl(data: unknown): void {
    try {
      const type = typeof data === 'object' && data !== null ? (data as { type?: unknown }).type : undefined;
      switch (type) {
        case 'update': {
          const requested = (data as { options?: unknown }).options;
          if (typeof requested !== 'object' || requested === null) throw new TypeError('update needs an options object');
          const base = this.processors[0]?.currentOptions;
          const next = validateCaptureOptions({ ...base, ...(requested as CaptureOptions) });
          for (const processor of this.processors) processor.update(next);
          this.countTestLoadStages();
          this.postStats();
          return;
        }
        case 'get-stats': {
          const requestId = (data as { requestId?: unknown }).requestId;
          this.postStats(typeof requestId === 'number' ? requestId : undefined);
          return;
        }
        case 'stop':
          this.release();
          this.post({ type: 'stopped' });
          return;
        case 'fail':
          if (this.armFault === null) throw new TypeError("'fail' is a test hook; enable it with processorOptions.enableTestHooks");
          this.armFault();
          return;
        case 'load': {
          if (!this.testHooks) throw new TypeError("'load' is a test hook; enable it with processorOptions.enableTestHooks");
          const iterations = (data as { iterationsPerStage?: unknown }).iterationsPerStage;
          if (typeof iterations !== 'number' || !Number.isInteger(iterations) || iterations < 0 || iterations > 1e8) {
            throw new RangeError('load needs iterationsPerStage, an integer from 0 to 1e8');
          }
          this.testLoadIterations = iterations;
          this.countTestLoadStages();
          return;
        }
        default:
          throw new TypeError(`unknown control message type '${describeValue(type)}'; accepted: update, get-stats, stop${this.testHooks ? ', fail, load' : ''}`);
      }
    } catch (error) {
      this.post({ type: 'rejected', message: messageOf(error) });
    }
  }

  /** Stages the `load` hook charges for: what a slower device would pay for (bypassed stages cost nothing). */
  private countTestLoadStages(): void {
    const options = this.processors[0]?.currentOptions;
    this.testLoadStages = options === undefined ? 0
      : (options.noiseSuppression !== 'off' ? 1 : 0) + (options.echoCancellation !== 'off' ? 1 : 0) + (options.gainControl ? 1 : 0);
  }

  /** The `load` hook's busy loop (no allocation; the sink keeps it from being optimised away). */
  private burn(iterations: number): void {
    let x = this.burnSink;
    for (let i = 0; i < iterations; i++) x = (x * 1.000001 + 1e-7) % 1024;
    this.burnSink = x;
  }

  private release(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const processor of this.processors) {
      try {
        processor.destroy();
      } catch {
        // The instance may be unusable after a trap; it is dropped with this processor anyway.
      }
    }
    this.processors.length = 0;
    if (this.counted) liveProcessorsInScope--;
    this.counted = false;
    this.port.onmessage = null;
  }

  private postStats(requestId?: number): void {
    this.post(requestId === undefined ? { type: 'stats', stats: this.collectStats() } : { type: 'stats', stats: this.collectStats(), requestId });
    this.framesSinceStats = 0;
    this.cpuMs = 0;
  }

  private collectStats(): CaptureWorkletStats {
    const first = this.processors[0];
    const base: CaptureStats = first !== undefined ? first.stats() : idleCaptureStats();
    const framesOf10Ms = this.framesSinceStats / (sampleRate / 100);
    return {
      ...base,
      bypassed: base.bypassed || this.failed,
      cpuUsPerFrame: clock !== null && framesOf10Ms > 0 ? (1000 * this.cpuMs) / framesOf10Ms : null,
      liveProcessorsInScope,
      channelCount: this.channelCount,
      flavor: this.flavor,
      options: first !== undefined ? { ...first.currentOptions } : validateCaptureOptions(undefined),
    };
  }

  private post(message: CaptureEventMessage): void {
    try {
      this.port.postMessage(message);
    } catch {
      // A closed port must not break the audio thread.
    }
  }
}

registerProcessor(CAPTURE_PROCESSOR_NAME, SazanamiCaptureProcessor);

// Messages between the capture AudioWorkletNode (main thread) and the "sazanami-capture"
// processor (audio thread). Shared by the worklet and the public API so both sides agree on shapes.
import type { CaptureStats } from '../src/core/capture-processor.js';
import type { CaptureOptions } from '../src/core/options.js';
import type { WasmFlavor } from '../src/core/wasm-loader.js';

/** Name passed to registerProcessor / new AudioWorkletNode. */
export const CAPTURE_PROCESSOR_NAME = 'sazanami-capture';

/** Input index of the far end (the echo canceller's reference) on a node built with `farEndInput`. */
export const FAR_END_INPUT = 1;

/** Render quantum of Web Audio; the processor's CaptureProcessors are built for this block size. */
export const RENDER_QUANTUM_FRAMES = 128;

/** Stats are posted about this often (in audio time)… */
export const STATS_INTERVAL_MS = 250;
/** …or this often when live stats are shared through a SharedArrayBuffer (cross-origin isolated pages). */
export const STATS_INTERVAL_SHARED_MS = 2000;

/**
 * Layout of the live-stats SharedArrayBuffer: an Int32 sequence number (odd while the audio thread
 * writes: a seqlock, so readers never see a torn update) followed by Float64 values.
 */
export const LIVE_STATS = {
  sequenceIndex: 0,
  /** Byte offset of the Float64 values. */
  valuesByteOffset: 8,
  speechProbability: 0,
  noiseLevelDbfs: 1,
  underruns: 2,
  invalidInputSamples: 3,
  bypassed: 4,
  cpuUsPerFrame: 5,
  /** Frames processed since the node started (audio time = framesProcessed / sampleRate). */
  framesProcessed: 6,
  valueCount: 7,
} as const;

export function liveStatsByteLength(): number {
  return LIVE_STATS.valuesByteOffset + 8 * LIVE_STATS.valueCount;
}

/** `processorOptions` of the capture AudioWorkletNode. */
export interface CaptureWorkletOptions {
  /** The compiled sazanami Wasm module (structured-cloned into the worklet scope). */
  module: WebAssembly.Module;
  flavor: WasmFlavor;
  /** Capture options; validated again inside the worklet. */
  options: CaptureOptions;
  /** 1: process input channel 0 (the node down-mixes); 2: one CaptureProcessor per channel. */
  channelCount: 1 | 2;
  /**
   * True when the node has a second input (index FAR_END_INPUT) carrying the far end — what the
   * speakers play — for the echo canceller. Its channels are averaged to mono. Default false.
   */
  farEndInput?: boolean;
  /**
   * Test hook: when true the processor accepts `{type:'fail'}`, which makes the next kernel call
   * throw inside CaptureProcessor's guarded path (fault-injection tests). Off in production.
   */
  enableTestHooks?: boolean;
  /** Live stats written by the audio thread every render quantum (only where SharedArrayBuffer is usable). */
  liveStats?: SharedArrayBuffer;
}

/** Main thread → processor. Anything else is ignored and answered with `rejected`. */
export type CaptureControlMessage =
  | { type: 'update'; options: CaptureOptions }
  /** Asks for a `stats` message now (also a barrier: replies arrive after earlier messages). */
  | { type: 'get-stats'; requestId?: number }
  /** Releases the kernels; the processor answers `stopped` and ends (process returns false). */
  | { type: 'stop' }
  /** Test hook (needs `enableTestHooks`): the next kernel call throws. */
  | { type: 'fail' }
  /** Test hook (needs `enableTestHooks`): a busy loop per enabled stage per quantum, as on a slow device. */
  | { type: 'load'; iterationsPerStage: number };

export interface CaptureWorkletStats extends CaptureStats {
  /** Processing time per 10 ms of audio (all channels) in µs, or null where `performance` is missing. */
  cpuUsPerFrame: number | null;
  /** Processors alive in this AudioWorkletGlobalScope (a leak check for tests). */
  liveProcessorsInScope: number;
  channelCount: number;
  flavor: WasmFlavor;
  options: Required<CaptureOptions>;
}

/** Processor → main thread. */
export type CaptureEventMessage =
  | { type: 'ready'; stats: CaptureWorkletStats }
  /** The processor could not be built (bad module, unsupported rate); it outputs silence-free pass-through. */
  | { type: 'init-error'; message: string }
  /** Periodic, or the answer to `get-stats` (then carrying its requestId). */
  | { type: 'stats'; stats: CaptureWorkletStats; requestId?: number }
  /** Posted once per node on the first kernel failure; the node passes audio through from then on. */
  | { type: 'error'; message: string }
  /** An invalid or unknown control message; nothing changed. */
  | { type: 'rejected'; message: string }
  | { type: 'stopped' };

// Messages and shared-memory layouts between the main thread (receive-processor.ts), the receive
// worker (workers/receive.worker.ts) and the playout AudioWorklet (worklets/playout.worklet.ts).
// Errors cross threads as { name, message }.
import { describeValue } from '../core/describe-value.js';
import type { GilbertElliott } from '../core/receive/network-trace.js';
import { type JitterBufferSettings, type JitterBufferOptions, validateJitterBufferOptions } from '../core/receive/receive-options.js';
import type { ReceiveStats } from '../core/receive/receive-chain.js';
import type { DecodeSequencerStats } from '../core/receive/decode-sequencer.js';

export const PLAYOUT_PROCESSOR_NAME = 'sazanami-playout';
/** The receive path runs at Opus's decoding rate end to end (the playout AudioContext too). */
export const RECEIVE_SAMPLE_RATE_HZ = 48000;
/** One pulled frame of the chain: 10 ms. */
export const RECEIVE_FRAME_SAMPLES = RECEIVE_SAMPLE_RATE_HZ / 100;
/** The worker keeps this much audio queued for the playout worklet (absorbs worker timer jitter). */
export const PLAYOUT_QUEUE_MS = 40;
/** Ring capacity (a power of two above PLAYOUT_QUEUE_MS): 8192 samples ≈ 170 ms. */
export const PLAYOUT_RING_SAMPLES = 8192;
/** How often the worker tops up the ring, ms. */
export const PUMP_INTERVAL_MS = 5;
export const RECEIVE_STATS_INTERVAL_MS = 250;

/** Int32 slots of the playout worklet's shared counters. */
export const PLAYOUT_COUNTER = { quantaPlayed: 0, underrunQuanta: 1, underrunsAfterStart: 2, started: 3, errors: 4 } as const;
export const PLAYOUT_COUNTER_COUNT = 5;

/**
 * TEST HOOKS: network impairments applied in the worker to each encoded frame, before the jitter
 * buffer (the browser does not count frames dropped in a transform as lost, so this is how a test
 * gets loss it can predict). Reproducible from `seed`. Never use in production.
 */
export interface ReceiveImpairments {
  /** Seed of the generator (mulberry32). Default 1. */
  seed?: number;
  /** Independent (Bernoulli) loss probability, 0–1. Default 0. Ignored when `gilbertElliott` is given. */
  lossRate?: number;
  /** Bursty loss: Gilbert–Elliott states Good/Bad (p = P(G→B), r = P(B→G), loss probability per state). */
  gilbertElliott?: GilbertElliott;
  /** Extra delay of every frame, ms (0–1000). Default 0. */
  delayMs?: number;
  /** Extra delay |N(0, 1)| · jitterMs on top of delayMs, ms (0–500). Default 0. Frames may overtake each other. */
  jitterMs?: number;
}
export type ReceiveImpairmentSettings = Required<Omit<ReceiveImpairments, 'gilbertElliott'>> & { gilbertElliott: GilbertElliott | null };

export type ToReceiveWorker =
  | { type: 'start'; module: WebAssembly.Module; flavor: 'simd' | 'scalar'; ring: SharedArrayBuffer; jitterBuffer: JitterBufferSettings;
      impairments: ReceiveImpairmentSettings | null }
  | { type: 'update'; jitterBuffer: JitterBufferOptions }
  | { type: 'stats'; id: number }
  | { type: 'stop' };

/**
 * Checks a message received by the receive worker and returns it typed; throws a TypeError/RangeError
 * naming the problem (never an engine error from reading a field of null). The worker calls this
 * first, so a malformed message is answered with a clear { type: 'error' }.
 */
export function validateToReceiveWorker(data: unknown): ToReceiveWorker {
  if (typeof data !== 'object' || data === null) throw new TypeError(`receive worker message must be an object, got ${data === null ? 'null' : typeof data}`);
  const message = data as Record<string, unknown>;
  switch (message.type) {
    case 'stop': return message as ToReceiveWorker;
    case 'stats':
      if (typeof message.id !== 'number' || !Number.isFinite(message.id)) throw new TypeError(`receive worker 'stats' needs a numeric id, got ${describeValue(message.id)}`);
      return message as ToReceiveWorker;
    case 'update':
      if (typeof message.jitterBuffer !== 'object' || message.jitterBuffer === null) throw new TypeError(`receive worker 'update' needs a jitterBuffer object, got ${describeValue(message.jitterBuffer)}`);
      validateJitterBufferOptions(message.jitterBuffer as JitterBufferOptions);
      return message as ToReceiveWorker;
    case 'start': {
      if (!(message.module instanceof WebAssembly.Module)) throw new TypeError('receive worker \'start\' needs module: a WebAssembly.Module');
      if (message.flavor !== 'simd' && message.flavor !== 'scalar') throw new TypeError(`receive worker 'start' flavor must be simd or scalar, got ${describeValue(message.flavor)}`);
      if (typeof SharedArrayBuffer !== 'function' || !(message.ring instanceof SharedArrayBuffer)) throw new TypeError('receive worker \'start\' needs ring: a SharedArrayBuffer');
      if (typeof message.jitterBuffer !== 'object' || message.jitterBuffer === null) throw new TypeError(`receive worker 'start' needs jitterBuffer settings, got ${describeValue(message.jitterBuffer)}`);
      validateJitterBufferOptions(message.jitterBuffer as JitterBufferOptions);
      if (message.impairments !== null) validateImpairmentSettings(message.impairments);
      return message as ToReceiveWorker;
    }
    default:
      throw new TypeError(`unknown receive worker message type ${describeValue(message.type)}; accepted: start, update, stats, stop`);
  }
}

function validateImpairmentSettings(value: unknown): void {
  if (typeof value !== 'object' || value === null) throw new TypeError(`receive worker impairments must be null or an object, got ${describeValue(value)}`);
  const v = value as Record<string, unknown>;
  for (const [key, high] of [['seed', 2 ** 32 - 1], ['lossRate', 1], ['delayMs', 1000], ['jitterMs', 500]] as const) {
    const x = v[key];
    if (typeof x !== 'number' || !(x >= 0 && x <= high)) throw new RangeError(`receive worker impairments.${key} must be a number from 0 to ${high}, got ${describeValue(x)}`);
  }
  const ge = v.gilbertElliott;
  if (ge === null) return;
  if (typeof ge !== 'object' || ge === undefined) throw new TypeError(`receive worker impairments.gilbertElliott must be null or an object, got ${describeValue(ge)}`);
  for (const key of ['p', 'r', 'lossInGood', 'lossInBad'] as const) {
    const x = (ge as Record<string, unknown>)[key];
    if (typeof x !== 'number' || !(x >= 0 && x <= 1)) throw new RangeError(`receive worker impairments.gilbertElliott.${key} must be a probability 0–1, got ${describeValue(x)}`);
  }
}

/** What the worker counts besides the chain's own statistics. */
export interface ReceiveWorkerStats {
  /** Encoded frames the transform read. */
  framesIn: number;
  /** Frames dropped by the impairment test hook. */
  framesDroppedByTest: number;
  /** Frames decoded and put into the chain. */
  framesDecoded: number;
  /** Of those, frames that came after a later one, decoded apart (the late lane). */
  framesDecodedLate: number;
  decodeErrors: number;
  lastDecodeError: string | null;
  /** Frames with an empty payload (not decodable; concealed like lost ones). */
  emptyFrames: number;
  /** Decoded frames that could not be matched to their RTP metadata. */
  unmatchedOutputs: number;
  /** 10 ms frames pulled from the chain, by status. */
  pulls: Record<string, number>;
  /** Frames that arrived before the worker was started (dropped). */
  framesBeforeStart: number;
  /** Pushes refused because the ring was full (should stay 0). */
  ringOverflows: number;
  /** Audio queued for the playout worklet now, ms. */
  queuedMs: number;
  /** Duration of the last decoded packet, ms (0 before the first); used by A/V sync. */
  packetMs: number;
  /** Last frame's metadata, for diagnostics. */
  lastSequenceNumber: number | null;
  lastRtpTimestamp: number | null;
  /** performance.now() − metadata.receiveTime of the last frame, ms (null where receiveTime is missing). */
  receiveTimeLagMs: number | null;
  /** Frames passed to the browser's own playout after stop (pass-through). */
  framesPassedThrough: number;
  /**
   * Decode order (src/core/receive/decode-sequencer.ts): placeholders the decoder concealed itself
   * (single lost packets), gaps given up, packets that came after their place was given up.
   */
  sequencer: DecodeSequencerStats;
  chain: ReceiveStats | null;
}

export type FromReceiveWorker =
  | { type: 'ready' }
  | { type: 'stats'; id: number | null; stats: ReceiveWorkerStats }
  | { type: 'error'; name: string; message: string }
  | { type: 'stopped' };

export interface PlayoutWorkletOptions {
  ring: SharedArrayBuffer;
  counters: SharedArrayBuffer;
}

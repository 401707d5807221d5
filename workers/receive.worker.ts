// The receive worker: serves an RTCRtpScriptTransform on an audio RTCRtpReceiver and plays its
// packets through sazanami's own receive chain instead of the browser's jitter buffer.
//
// Arrangement (why decode comes first): the Wasm ReceiveChain (src/core/receive/receive-chain.ts)
// stores *decoded PCM* packets keyed by RTP sequence number and timestamp; its reordering, delay
// manager, WSOLA time stretching and loss concealment all work on PCM. So each encoded Opus frame
// is decoded by WebCodecs AudioDecoder (48 kHz, mono) as soon as it arrives, in arrival order,
// through a DecodeSequencer (src/core/receive/decode-sequencer.ts): in front of a frame that follows
// a single missing one it decodes a 1-byte placeholder, so the decoder runs its own concealment and
// keeps its state in step (the chain hands over to that concealment: putDecoderConcealment). Each
// frame's PCM is put into the chain with its RTP metadata (sequenceNumber, rtpTimestamp) and arrival
// time. A frame lost in a longer gap is never put: the chain conceals it when its turn comes. A
// reordered frame is decoded when it comes, on a second decoder warmed up with the two frames before
// it — on the main one, decoded after a later frame, it would carry that frame's sound into its own
// (earlier) place — and played if its time has not passed. Opus's in-band FEC is not used. The chain is pulled every 10 ms of *played* audio: a timer tops up the
// shared ring (src/core/receive/ring-buffer.ts) to PLAYOUT_QUEUE_MS, so pulls follow the playout
// worklet's clock; each pull is stamped with the time it is due (heard − PLAYOUT_QUEUE_MS).
//
// Encoded frames are NOT written to the transform's writable while processing, so the browser's own
// playout of this track gets nothing. After 'stop' the worker passes frames through (writes them),
// so normal playout resumes; it stays attached as a pass-through because in Chromium 156 setting
// receiver.transform = null leaves the browser's playout silent.
//
// Test hooks (ReceiveImpairments, off unless the main thread passes them): seeded loss (Bernoulli
// or Gilbert–Elliott) and seeded extra delay/jitter, applied to each encoded frame before decoding.
import { instantiateWasm } from '../src/core/wasm-loader.js';
import { ReceiveChain, RECEIVE_MAX_PACKET_MS } from '../src/core/receive/receive-chain.js';
import { DecodeSequencer, type SequencedKind } from '../src/core/receive/decode-sequencer.js';
import type { ReceiveExports } from '../src/core/receive/receive-exports.js';
import { seededUniform } from '../src/core/receive/network-trace.js';
import { FloatRingBuffer } from '../src/core/receive/ring-buffer.js';
import {
  PLAYOUT_QUEUE_MS, PUMP_INTERVAL_MS, RECEIVE_FRAME_SAMPLES, RECEIVE_SAMPLE_RATE_HZ, RECEIVE_STATS_INTERVAL_MS,
  type FromReceiveWorker, type ReceiveImpairmentSettings, type ReceiveWorkerStats, type ToReceiveWorker, validateToReceiveWorker,
} from '../src/browser/receive-protocol.js';

interface EncodedAudioFrame {
  readonly data: ArrayBuffer;
  getMetadata(): { sequenceNumber?: number; rtpTimestamp?: number; receiveTime?: number };
}
interface Transformer { readonly readable: ReadableStream<EncodedAudioFrame>; readonly writable: WritableStream<EncodedAudioFrame>; readonly options?: unknown }
interface WorkerScope {
  postMessage(message: FromReceiveWorker): void;
  onmessage: ((event: MessageEvent<ToReceiveWorker>) => void) | null;
  onrtctransform: ((event: { transformer: Transformer }) => void) | null;
}

const scope = self as unknown as WorkerScope;
const MAX_PACKET_SAMPLES = (RECEIVE_SAMPLE_RATE_HZ * RECEIVE_MAX_PACKET_MS) / 1000;
const QUEUE_SAMPLES = (RECEIVE_SAMPLE_RATE_HZ * PLAYOUT_QUEUE_MS) / 1000;
/** Decoder chunks are stamped 20 ms apart in decode order (only order matters, see onDecoded). */
const CHUNK_TIMESTAMP_STEP_US = 20_000;

/** 'warm-up': decoded only to set the late lane's decoder state; its output is dropped. */
interface PendingDecode { kind: SequencedKind | 'warm-up'; sequence: number; timestamp: number; arrivalMs: number }
/** One AudioDecoder and the frames it still owes output for (Opus: one output per chunk, in order). */
interface DecoderLane { decoder: AudioDecoder | null; readonly pending: PendingDecode[]; index: number }
/** Encoded frames remembered to warm the late lane up (by sequence number modulo RECENT). */
const RECENT = 16;

let chain: ReceiveChain | null = null;
let ring: FloatRingBuffer | null = null;
/** The main lane decodes frames in arrival order with placeholders; the late lane, reordered frames. */
const mainLane: DecoderLane = { decoder: null, pending: [], index: 0 };
const lateLane: DecoderLane = { decoder: null, pending: [], index: 0 };
const recentSequences = new Int32Array(RECENT).fill(-1);
const recentFrames: (Uint8Array | null)[] = new Array<Uint8Array | null>(RECENT).fill(null);
let impairments: ReceiveImpairmentSettings | null = null;
let uniform: () => number = () => 1;
let lossStateBad = false;
let pumpTimer: ReturnType<typeof setInterval> | null = null;
let statsTimer: ReturnType<typeof setInterval> | null = null;
let passThrough = false;
let stopped = false;
const sequencer = new DecodeSequencer(decode);
const pcm = new Float32Array(MAX_PACKET_SAMPLES);
const stats: Omit<ReceiveWorkerStats, 'chain' | 'queuedMs'> = {
  framesIn: 0, framesDroppedByTest: 0, framesDecoded: 0, framesDecodedLate: 0, decodeErrors: 0, unmatchedOutputs: 0,
  pulls: { normal: 0, concealed: 0, merged: 0, accelerated: 0, decelerated: 0, waiting: 0 },
  ringOverflows: 0, framesBeforeStart: 0, emptyFrames: 0, packetMs: 0, lastDecodeError: null, lastSequenceNumber: null, lastRtpTimestamp: null, receiveTimeLagMs: null, framesPassedThrough: 0,
  sequencer: sequencer.stats,
};

scope.onmessage = (event) => {
  try {
    // Validated first: a malformed message is answered with a clear error, never an engine error.
    const message = validateToReceiveWorker(event.data);
    switch (message.type) {
      case 'start': start(message); break;
      case 'update': chain?.update(message.jitterBuffer); break;
      case 'stats': scope.postMessage({ type: 'stats', id: message.id, stats: snapshot() }); break;
      case 'stop': stop(); break;
    }
  } catch (error) {
    postError(error);
  }
};

scope.onrtctransform = (event) => {
  void serve(event.transformer);
};

function start(message: Extract<ToReceiveWorker, { type: 'start' }>): void {
  if (typeof AudioDecoder !== 'function') throw new DOMException('this worker has no WebCodecs AudioDecoder', 'NotSupportedError');
  const exports = instantiateWasm(message.module, message.flavor).exports as unknown as ReceiveExports;
  chain = new ReceiveChain(exports, { sampleRate: RECEIVE_SAMPLE_RATE_HZ, maxPacketSamples: MAX_PACKET_SAMPLES, jitterBuffer: message.jitterBuffer });
  ring = new FloatRingBuffer(message.ring);
  impairments = message.impairments;
  if (impairments !== null) uniform = seededUniform(impairments.seed);
  mainLane.decoder = createDecoder(mainLane);
  pumpTimer = setInterval(pump, PUMP_INTERVAL_MS);
  statsTimer = setInterval(() => scope.postMessage({ type: 'stats', id: null, stats: snapshot() }), RECEIVE_STATS_INTERVAL_MS);
  scope.postMessage({ type: 'ready' });
}

/** A mono 48 kHz Opus decoder for `lane`; after a decoding error (it then closes) the next decode makes a new one. */
function createDecoder(lane: DecoderLane): AudioDecoder {
  const created = new AudioDecoder({
    output: (data) => onDecoded(lane, data),
    error: (error) => {
      stats.decodeErrors++;
      stats.lastDecodeError = `${error.name}: ${error.message}`;
      // The frames still in this decoder produce no output.
      lane.pending.length = 0;
    },
  });
  created.configure({ codec: 'opus', sampleRate: RECEIVE_SAMPLE_RATE_HZ, numberOfChannels: 1 });
  return created;
}

/** Reads every encoded frame; writes none while processing (the browser's playout gets nothing). */
async function serve(transformer: Transformer): Promise<void> {
  const reader = transformer.readable.getReader();
  const writer = transformer.writable.getWriter();
  try {
    for (;;) {
      const { value: frame, done } = await reader.read();
      if (done || frame === undefined) break;
      if (chain === null && !stopped) { stats.framesBeforeStart++; continue; }
      if (passThrough) {
        stats.framesPassedThrough++;
        await writer.write(frame);
        continue;
      }
      try {
        receive(frame);
      } catch (error) {
        // Never leave the receiver silent: hand this and every later frame back to the browser.
        passThrough = true;
        postError(error);
        await writer.write(frame);
      }
    }
  } catch (error) {
    if (!stopped) postError(error);
  }
}

function receive(frame: EncodedAudioFrame): void {
  const now = performance.now();
  const metadata = frame.getMetadata();
  stats.framesIn++;
  if (metadata.sequenceNumber === undefined || metadata.rtpTimestamp === undefined) {
    throw new DOMException('encoded audio frames carry no sequenceNumber/rtpTimestamp metadata here', 'NotSupportedError');
  }
  stats.lastSequenceNumber = metadata.sequenceNumber;
  stats.lastRtpTimestamp = metadata.rtpTimestamp;
  stats.receiveTimeLagMs = metadata.receiveTime !== undefined ? now - metadata.receiveTime : null;
  let extraDelayMs = 0;
  if (impairments !== null) {
    if (isLostByTest(impairments)) { stats.framesDroppedByTest++; return; }
    extraDelayMs = impairments.delayMs + (impairments.jitterMs > 0 ? Math.abs(gaussian()) * impairments.jitterMs : 0);
  }
  // receiveTime is on this worker's performance.now() clock (checked in Chromium 156); fall back to now.
  const arrivedMs = metadata.receiveTime !== undefined && metadata.receiveTime <= now && metadata.receiveTime > now - 1000 ? metadata.receiveTime : now;
  const { sequenceNumber, rtpTimestamp } = metadata;
  if (extraDelayMs > 0) setTimeout(() => arrive(sequenceNumber, rtpTimestamp, arrivedMs + extraDelayMs, frame.data), extraDelayMs);
  else arrive(sequenceNumber, rtpTimestamp, arrivedMs, frame.data);
}

function arrive(sequence: number, timestamp: number, arrivalMs: number, data: ArrayBuffer): void {
  if (stopped) return;
  // Chromium's decoder rejects empty payloads (and then closes): such a frame is treated as lost.
  if (data.byteLength === 0) { stats.emptyFrames++; return; }
  sequencer.push(sequence, timestamp, arrivalMs, new Uint8Array(data));
}

function isLostByTest(settings: ReceiveImpairmentSettings): boolean {
  const model = settings.gilbertElliott;
  if (model === null) return uniform() < settings.lossRate;
  lossStateBad = lossStateBad ? uniform() >= model.r : uniform() < model.p;
  return uniform() < (lossStateBad ? model.lossInBad : model.lossInGood);
}

function gaussian(): number {
  return Math.sqrt(-2 * Math.log(Math.max(uniform(), 1e-12))) * Math.cos(2 * Math.PI * uniform());
}

/** The sequencer's sink: decodes one frame (or a 1-byte placeholder for a lost one). */
function decode(kind: SequencedKind, sequence: number, timestamp: number, arrivalMs: number, data: Uint8Array): void {
  if (stopped) return;
  if (kind !== 'late') {
    if (kind === 'packet') {
      recentSequences[sequence % RECENT] = sequence;
      recentFrames[sequence % RECENT] = data;
    }
    submit(mainLane, kind, sequence, timestamp, arrivalMs, data);
    return;
  }
  // A reordered frame: the late lane's decoder is brought near the right state by the two frames before it.
  stats.framesDecodedLate++;
  for (let back = 2; back >= 1; back--) {  // no array literal: this runs per reordered frame
    const previous = (sequence - back) & 0xffff;
    const frame = recentSequences[previous % RECENT] === previous ? recentFrames[previous % RECENT] : null;
    if (frame !== null) submit(lateLane, 'warm-up', previous, 0, 0, frame);
  }
  submit(lateLane, 'late', sequence, timestamp, arrivalMs, data);
}

function submit(lane: DecoderLane, kind: PendingDecode['kind'], sequence: number, timestamp: number, arrivalMs: number, data: Uint8Array): void {
  if (lane.decoder === null || lane.decoder.state === 'closed') lane.decoder = createDecoder(lane);
  lane.pending.push({ kind, sequence, timestamp, arrivalMs });
  try {
    lane.decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: lane.index++ * CHUNK_TIMESTAMP_STEP_US, data }));
  } catch (error) {
    lane.pending.pop();
    stats.decodeErrors++;
    postError(error);
  }
}

/**
 * Puts a decoded frame into the chain with its RTP metadata. Chromium's AudioDecoder re-stamps its
 * outputs (first chunk's timestamp + decoded duration), so outputs are matched to chunks by order:
 * Opus gives exactly one output per chunk, in decode order.
 */
function onDecoded(lane: DecoderLane, data: AudioData): void {
  try {
    const entry = lane.pending.shift();
    if (entry === undefined || chain === null) { stats.unmatchedOutputs++; return; }
    if (entry.kind === 'warm-up') return;
    const frames = Math.min(data.numberOfFrames, MAX_PACKET_SAMPLES);
    const samples = pcm.subarray(0, frames);
    data.copyTo(samples, { planeIndex: 0, format: 'f32-planar', frameCount: frames });
    if (entry.kind === 'placeholder') {
      chain.putDecoderConcealment(entry.sequence, entry.timestamp, samples);
      return;
    }
    chain.put(entry.sequence, entry.timestamp, entry.arrivalMs, samples);
    stats.framesDecoded++;
    stats.packetMs = (frames * 1000) / RECEIVE_SAMPLE_RATE_HZ;
  } catch (error) {
    stats.decodeErrors++;
    postError(error);
  } finally {
    data.close();
  }
}

/** Tops up the playout ring to PLAYOUT_QUEUE_MS with 10 ms frames pulled from the chain. */
function pump(): void {
  if (chain === null || ring === null || stopped) return;
  while (ring.availableRead() + RECEIVE_FRAME_SAMPLES <= QUEUE_SAMPLES) {
    // Stamped with the time it is heard (once the audio queued before it has played) minus the
    // nominal queue: the chain sees its own buffering only (the queue is reported as queuedMs), and
    // a burst of pulls after a late timer gets the times the pulls were due, not one time.
    const dueMs = performance.now() + (ring.availableRead() * 1000) / RECEIVE_SAMPLE_RATE_HZ - PLAYOUT_QUEUE_MS;
    const status = chain.pull(dueMs);
    stats.pulls[status] = (stats.pulls[status] ?? 0) + 1;
    if (!ring.push(chain.output)) { stats.ringOverflows++; break; }
  }
}

function snapshot(): ReceiveWorkerStats {
  return {
    ...stats,
    pulls: { ...stats.pulls },
    sequencer: { ...stats.sequencer },
    queuedMs: ring !== null ? (ring.availableRead() * 1000) / RECEIVE_SAMPLE_RATE_HZ : 0,
    chain: chain?.stats() ?? null,
  };
}

function stop(): void {
  if (stopped) return;
  stopped = true;
  passThrough = true;
  if (pumpTimer !== null) clearInterval(pumpTimer);
  if (statsTimer !== null) clearInterval(statsTimer);
  const final = snapshot();
  for (const lane of [mainLane, lateLane]) {
    try { if (lane.decoder !== null && lane.decoder.state !== 'closed') lane.decoder.close(); } catch { /* already closed */ }
    lane.decoder = null;
    lane.pending.length = 0;
  }
  recentFrames.fill(null);
  chain?.destroy();
  chain = null;
  sequencer.reset();
  scope.postMessage({ type: 'stats', id: null, stats: final });
  scope.postMessage({ type: 'stopped' });
}

function postError(error: unknown): void {
  const e = error instanceof Error ? error : new Error(String(error));
  scope.postMessage({ type: 'error', name: e.name, message: e.message });
}

// Plays a signal through a packet trace as a receiver would: the signal is cut into packets
// (20 ms by default), each packet is put into a ReceiveChain at its arrival time (lost ones never),
// and a 10 ms frame is pulled every 10 ms of the receiver's clock. The output is aligned so the
// first played packet sits where it was sent; playout-delay changes (time stretching) remain.
import { ReceiveChain } from './receive-chain.js';
import type { PullStatus, ReceiveExports } from './receive-exports.js';
import type { JitterBufferOptions } from './receive-options.js';
import type { ReceiveStats } from './receive-chain.js';
import { DEFAULT_PACKET_MS, type TraceRow } from './network-trace.js';

export interface SimulationResult {
  /** Same length as the input. */
  output: Float32Array;
  stats: ReceiveStats;
  /** Status of every pulled frame (waiting frames before playout included). */
  frameStatuses: PullStatus[];
  /** Delay at each played frame, ms (for plots and percentiles). */
  delayMsPerFrame: number[];
  /** Receiver-clock ms at which playout started (the first non-waiting frame). */
  playoutStartMs: number;
  /** Samples of silence before the first played packet in `output` (its position in the input). */
  alignmentSamples: number;
}

export function packetCountFor(samples: number, sampleRate: number, packetMs = DEFAULT_PACKET_MS): number {
  return Math.ceil(samples / ((sampleRate * packetMs) / 1000));
}

export function simulateReceive(
  exports: ReceiveExports, signal: Float32Array, sampleRate: number, trace: readonly TraceRow[],
  options: { jitterBuffer?: JitterBufferOptions; packetMs?: number; simd?: boolean } = {},
): SimulationResult {
  const packetMs = options.packetMs ?? DEFAULT_PACKET_MS;
  const packetSamples = (sampleRate * packetMs) / 1000;
  if (!Number.isInteger(packetSamples)) throw new RangeError(`${packetMs} ms is not a whole number of samples at ${sampleRate} Hz`);
  const chain = new ReceiveChain(exports, { sampleRate, maxPacketSamples: packetSamples, jitterBuffer: options.jitterBuffer });
  try {
    if (options.simd !== undefined) chain.setSimd(options.simd);
    const arrivals = trace.filter((r) => r.arrivalMs !== null).sort((a, b) => (a.arrivalMs as number) - (b.arrivalMs as number) || a.seq - b.seq);
    const packet = new Float32Array(packetSamples);
    const frame = chain.frameSamples;
    const firstArrival = arrivals.length > 0 ? (arrivals[0].arrivalMs as number) : 0;
    const lastArrival = arrivals.length > 0 ? (arrivals[arrivals.length - 1].arrivalMs as number) : 0;
    const playedSamples: Float32Array[] = [];
    const frameStatuses: PullStatus[] = [];
    const delayMsPerFrame: number[] = [];
    let next = 0;
    let playoutStartMs = -1;
    let startSeq = 0;
    let minSeqPut = Infinity;
    let played = 0;
    const wanted = signal.length + packetSamples;
    // Ticks every 10 ms from the first arrival until all packets are in and the stream is played out.
    for (let tick = 0; ; tick++) {
      const nowMs = Math.floor(firstArrival / 10) * 10 + tick * 10;
      while (next < arrivals.length && (arrivals[next].arrivalMs as number) <= nowMs) {
        const row = arrivals[next++];
        const start = row.seq * packetSamples;
        packet.fill(0);
        packet.set(signal.subarray(start, Math.min(signal.length, start + packetSamples)));
        chain.put(row.seq & 0xffff, (row.seq * packetSamples) >>> 0, row.arrivalMs as number, packet);
        minSeqPut = Math.min(minSeqPut, row.seq);
      }
      const status = chain.pull(nowMs);
      frameStatuses.push(status);
      if (status !== 'waiting') {
        if (playoutStartMs < 0) { playoutStartMs = nowMs; startSeq = minSeqPut; }
        playedSamples.push(chain.output.slice());
        delayMsPerFrame.push(chain.stats().currentDelayMs);
        played += frame;
      }
      if (nowMs > lastArrival + 2000 || (next >= arrivals.length && playoutStartMs >= 0 && startSeq * packetSamples + played >= wanted)) break;
    }
    const output = new Float32Array(signal.length);
    const alignmentSamples = startSeq * packetSamples;
    let position = alignmentSamples;
    for (const block of playedSamples) {
      if (position >= output.length) break;
      output.set(block.subarray(0, Math.min(block.length, output.length - position)), position);
      position += block.length;
    }
    return { output, stats: chain.stats(), frameStatuses, delayMsPerFrame, playoutStartMs, alignmentSamples };
  } finally {
    chain.destroy();
  }
}

// The receive chain on decoded PCM, after WebRTC NetEq: packets (20 ms of f32 samples, or any
// size up to MAX_PACKET_MS) are put with their sequence number, timestamp and arrival time; every
// 10 ms pull() plays one frame out of a sync buffer, which it refills from the packet buffer in
// timestamp order. A packet missing at its turn is concealed (Concealer); whether the stream clock
// advances over the concealment depends on the evidence: a later packet already here means the
// missing one is presumed lost (conceal and advance), an empty buffer means a delay spike (conceal
// without advancing, so the packet still plays when it comes: the delay grows instead of a late
// loss). The playout delay is steered to the DelayManager's target by WSOLA accelerate/decelerate.
import { frameSamples, ptr, SIMD_BUILD } from '../common';
import { Concealer } from './concealer';
import { DelayManager } from './delay-manager';
import { PacketBuffer } from './packet-buffer';
import {
  CONCEAL_MERGED, msToSamples, PULL_ACCELERATED, PULL_CONCEALED, PULL_DECELERATED, PULL_MERGED, PULL_NORMAL, PULL_WAITING,
  PUT_DUPLICATE, PUT_INVALID, PUT_LATE, PUT_OK, PUT_OVERFLOW,
} from './receive-common';
import { TimeStretcher } from './time-stretch';

/** Accelerate when the delay is this far above target, decelerate this far below. */
const ACCELERATE_ABOVE_MS: f64 = 8;
const DECELERATE_BELOW_MS: f64 = 8;
/** Sequence numbers remembered to tell a duplicate from a late packet. */
const SEEN_SEQUENCES: i32 = 1024;
/**
 * A packet whose transit (arrival − media time) is this much below the fastest transit seen cannot
 * belong to the stream's timeline (nothing arrives earlier than the fastest path): the sender's RTP
 * timestamps jumped, or the packet is stray. Likewise this much above: later than any buffer waits.
 */
const OFF_TIMELINE_EARLY_MS: f64 = 1000;
const OFF_TIMELINE_LATE_MS: f64 = 10000;
/**
 * Off-timeline packets in a row that must agree (within RESYNC_AGREE_MS of transit) before the chain
 * re-syncs to their timeline, as NetEq flushes on a timestamp jump; fewer are refused as stray.
 */
const RESYNC_PACKETS: i32 = 3;
const RESYNC_AGREE_MS: f64 = 200;
/**
 * A backlog this far above the target delay (pulls stopped for a while, e.g. a throttled tab, while
 * packets kept coming) is skipped: playout jumps to the target delay, the packets it passes are
 * dropped as late (NetEq flushes its buffer likewise); without it a chain that cannot accelerate
 * would stay seconds behind for good, and accelerating (at most a pitch period per 10 ms) takes
 * minutes to remove seconds. Measured from the target, not the largest delay allowed: with
 * maxDelayMs 5000 the fuzzing left chains 3.8–4.9 s behind a 20–28 ms target after 3 s of clean audio.
 */
const SKIP_AHEAD_ABOVE_TARGET_MS: f64 = 1000;

export class ReceiveChain {
  readonly sampleRate: i32;
  readonly frameSamples: i32;
  readonly maxPacketSamples: i32;
  readonly packets: PacketBuffer;
  readonly delay: DelayManager = new DelayManager();
  readonly stretcher: TimeStretcher;
  readonly concealer: Concealer;
  readonly output: StaticArray<f32>;
  useSimd: bool = SIMD_BUILD;
  timeStretching: bool = true;

  private readonly sync: StaticArray<f32>;
  private readonly syncCapacity: i32;
  private syncLength: i32 = 0;
  private readonly seen: StaticArray<i64> = new StaticArray<i64>(SEEN_SEQUENCES);
  private started: bool = false;
  private haveOrigin: bool = false;
  private originTimestamp: i64 = 0;
  private streamTimestamp: i64 = 0;
  /** Concealed samples not yet charged to stream time (played while waiting for a delayed packet). */
  private unpaidSamples: i64 = 0;
  /** Off-timeline packets in a row agreeing on one new timeline, and its transit. */
  private offTimelineRun: i32 = 0;
  private offTimelineTransitMs: f64 = 0;
  /** Times the chain re-synced to a new timeline (a timestamp jump), and skipped a backlog. */
  resyncs: i32 = 0;
  skipsAhead: i32 = 0;

  // ---- statistics ----
  packetsReceived: i32 = 0;
  packetsPlayed: i32 = 0;
  packetsLate: i32 = 0;
  packetsPartlyLate: i32 = 0;
  duplicates: i32 = 0;
  overflowDrops: i32 = 0;
  invalidPackets: i32 = 0;
  concealedSamples: i64 = 0;
  accelerateCount: i32 = 0;
  decelerateCount: i32 = 0;
  mergeCount: i32 = 0;
  /** Decoder concealments put (see put()) and played. */
  decoderConcealmentsPut: i32 = 0;
  decoderConcealmentsPlayed: i32 = 0;
  removedSamples: i64 = 0;
  insertedSamples: i64 = 0;
  addedDelaySumMs: f64 = 0;
  framesPlayed: i64 = 0;
  lowestSequence: i64 = 0;
  highestSequence: i64 = 0;
  lastDelayMs: f64 = 0;

  constructor(sampleRate: i32, capacityPackets: i32, maxPacketSamples: i32) {
    const frame = frameSamples(sampleRate);
    const stretcher = new TimeStretcher(sampleRate);
    this.sampleRate = sampleRate;
    this.frameSamples = frame;
    this.maxPacketSamples = maxPacketSamples;
    this.packets = new PacketBuffer(capacityPackets, maxPacketSamples << 2);
    this.stretcher = stretcher;
    const block = maxPacketSamples > frame ? maxPacketSamples : frame;
    this.concealer = new Concealer(sampleRate, block, SIMD_BUILD);
    this.output = new StaticArray<f32>(frame);
    const capacity = 2 * maxPacketSamples + 2 * stretcher.requiredSamples + 2 * frame;
    this.syncCapacity = capacity;
    this.sync = new StaticArray<f32>(capacity);
    this.reset();
  }

  setSimd(on: bool): void {
    this.useSimd = on && SIMD_BUILD;
    this.concealer.setSimd(this.useSimd);
    this.stretcher.search.useSimd = this.useSimd;
  }

  reset(): void {
    this.packets.reset();
    this.delay.reset();
    this.concealer.reset();
    for (let i = 0; i < SEEN_SEQUENCES; i++) unchecked(this.seen[i] = -1);
    this.syncLength = 0;
    this.started = false;
    this.haveOrigin = false;
    this.unpaidSamples = 0;
    this.packetsReceived = 0; this.packetsPlayed = 0; this.packetsLate = 0; this.packetsPartlyLate = 0;
    this.duplicates = 0; this.overflowDrops = 0; this.invalidPackets = 0; this.concealedSamples = 0;
    this.accelerateCount = 0; this.decelerateCount = 0; this.mergeCount = 0;
    this.decoderConcealmentsPut = 0; this.decoderConcealmentsPlayed = 0;
    this.removedSamples = 0; this.insertedSamples = 0; this.addedDelaySumMs = 0; this.framesPlayed = 0;
    this.lastDelayMs = 0;
    this.offTimelineRun = 0;
    this.resyncs = 0;
    this.skipsAhead = 0;
  }

  /** Forgets the old timeline (buffered packets, delay history, origin) and starts over; the concealer keeps its history so the join stays smooth. */
  private resync(): void {
    this.packets.reset();
    this.delay.reset();
    for (let i = 0; i < SEEN_SEQUENCES; i++) unchecked(this.seen[i] = -1);
    this.syncLength = 0;
    this.started = false;
    this.haveOrigin = false;
    this.unpaidSamples = 0;
    this.offTimelineRun = 0;
    this.resyncs++;
  }

  /** Pointer to the packet input (maxPacketSamples f32): write a packet's samples there, then put(). */
  get inputPointer(): usize { return ptr(this.packets.input); }

  private mediaMs(timestamp: i64): f64 {
    return <f64>(timestamp - this.originTimestamp) * 1000.0 / <f64>this.sampleRate;
  }

  /**
   * Puts the `samples` samples in the input as packet (sequence, timestamp) arrived at `arrivalMs`.
   * Returns a PUT_* status. With `decoderConcealment` the samples are not the packet but the codec
   * decoder's concealment of it (it was lost): they are played through Concealer.concealToward, do
   * not count as received or update the delay statistics, and give way to the real packet if it
   * still comes; refused (PUT_LATE, not counted) before the stream has started or once its time has passed.
   */
  put(sequence: i32, timestamp: u32, arrivalMs: f64, samples: i32, decoderConcealment: bool = false): i32 {
    if (samples <= 0 || samples > this.maxPacketSamples || !isFinite(arrivalMs)) { this.invalidPackets++; return PUT_INVALID; }
    if (decoderConcealment) return this.putDecoderConcealment(sequence, timestamp, samples);
    let seq = this.packets.unwrapSequence(sequence);
    let seenIndex = <i32>(seq & <i64>(SEEN_SEQUENCES - 1));
    if (unchecked(this.seen[seenIndex]) == seq) { this.duplicates++; return PUT_DUPLICATE; }
    let ts = this.packets.unwrapTimestamp(timestamp);
    if (this.haveOrigin && this.delay.packets > 0) {
      const transit = arrivalMs - this.mediaMs(ts);
      const base = this.delay.baseTransitMs;
      if (transit < base - OFF_TIMELINE_EARLY_MS || transit > base + OFF_TIMELINE_LATE_MS) {
        if (this.offTimelineRun > 0 && Math.abs(transit - this.offTimelineTransitMs) <= RESYNC_AGREE_MS) this.offTimelineRun++;
        else { this.offTimelineRun = 1; this.offTimelineTransitMs = transit; }
        if (this.offTimelineRun < RESYNC_PACKETS) { this.invalidPackets++; return PUT_INVALID; }
        this.resync();
        seq = this.packets.unwrapSequence(sequence);
        seenIndex = <i32>(seq & <i64>(SEEN_SEQUENCES - 1));
        ts = this.packets.unwrapTimestamp(timestamp);
      } else {
        this.offTimelineRun = 0;
      }
    }
    if (!this.haveOrigin) { this.originTimestamp = ts; this.haveOrigin = true; this.lowestSequence = seq; this.highestSequence = seq; }
    this.delay.update(arrivalMs, this.mediaMs(ts));
    if (this.started && ts + <i64>samples <= this.streamTimestamp) {
      unchecked(this.seen[seenIndex] = seq);
      this.packetsLate++;
      this.noteSequence(seq);
      return PUT_LATE;
    }
    const status = this.packets.put(sequence, timestamp, arrivalMs, samples << 2);
    if (status == PUT_INVALID) { this.invalidPackets++; return status; }
    unchecked(this.seen[seenIndex] = seq);
    this.packetsReceived++;
    this.noteSequence(seq);
    if (status == PUT_OVERFLOW) this.overflowDrops++;
    return status;
  }

  private putDecoderConcealment(sequence: i32, timestamp: u32, samples: i32): i32 {
    if (!this.haveOrigin) return PUT_LATE;
    const seq = this.packets.unwrapSequence(sequence);
    if (unchecked(this.seen[<i32>(seq & <i64>(SEEN_SEQUENCES - 1))]) == seq) return PUT_DUPLICATE;
    const ts = this.packets.unwrapTimestamp(timestamp);
    if (this.started && ts + <i64>samples <= this.streamTimestamp) return PUT_LATE;
    const status = this.packets.put(sequence, timestamp, 0, samples << 2, true);
    if (status == PUT_OK || status == PUT_OVERFLOW) this.decoderConcealmentsPut++;
    if (status == PUT_OVERFLOW) this.overflowDrops++;
    return status;
  }

  private noteSequence(seq: i64): void {
    if (seq < this.lowestSequence) this.lowestSequence = seq;
    if (seq > this.highestSequence) this.highestSequence = seq;
  }

  /** Delay now from the fastest possible arrival of the next sample to be played, in ms. */
  currentDelayMs(nowMs: f64): f64 {
    if (!this.started) return 0;
    const nextSample = this.streamTimestamp - <i64>this.syncLength;
    return nowMs - (this.delay.baseTransitMs + this.mediaMs(nextSample));
  }

  /** Plays the next 10 ms into `output`. Returns a PULL_* status; never fails. */
  pull(nowMs: f64): i32 {
    const n = this.frameSamples;
    const out = ptr(this.output);
    if (!this.started) {
      const first = this.packets.oldestSlot();
      const waited = first >= 0
        ? nowMs - (this.delay.baseTransitMs + this.mediaMs(this.packets.timestampOf(first)))
        : 0;
      // A full buffer starts at once: waiting longer would only drop its oldest packets for ever
      // (found by fuzzing: 4 slots of 10 ms packets never reached a 40 ms target).
      if (first < 0 || (waited < this.delay.targetDelayMs && this.packets.size < this.packets.capacity)) {
        memory.fill(out, 0, <usize>n << 2);
        return PULL_WAITING;
      }
      this.started = true;
      this.streamTimestamp = this.packets.timestampOf(first);
    }
    if (this.currentDelayMs(nowMs) > this.delay.targetDelayMs + SKIP_AHEAD_ABOVE_TARGET_MS) {
      const next = this.originTimestamp + <i64>((nowMs - this.delay.baseTransitMs - this.delay.targetDelayMs) * <f64>this.sampleRate / 1000.0);
      const stream = next + <i64>this.syncLength;
      if (stream > this.streamTimestamp) { this.streamTimestamp = stream; this.unpaidSamples = 0; this.skipsAhead++; }
    }
    const errorMs = this.currentDelayMs(nowMs) - this.delay.targetDelayMs;
    const wantFaster = this.timeStretching && errorMs > ACCELERATE_ABOVE_MS;
    const wantSlower = this.timeStretching && errorMs < -DECELERATE_BELOW_MS;
    const need = wantFaster || wantSlower ? n + this.stretcher.requiredSamples : n;
    const sync = ptr(this.sync);
    let status = PULL_NORMAL;
    let concealed = false;
    while (this.syncLength < need) {
      let slot = this.packets.oldestSlot();
      while (slot >= 0 && this.packets.timestampOf(slot) + <i64>(this.packets.bytesOf(slot) >> 2) <= this.streamTimestamp) {
        if (!this.packets.isConcealment(slot)) this.packetsLate++;  // its time passed while it waited behind a gap: late
        this.packets.release(slot);
        slot = this.packets.oldestSlot();
      }
      if (slot >= 0) {
        const ts = this.packets.timestampOf(slot);
        if (ts > this.streamTimestamp && this.unpaidSamples > 0) {
          const gap = ts - this.streamTimestamp;
          const pay = gap < this.unpaidSamples ? gap : this.unpaidSamples;
          this.streamTimestamp += pay;
          this.unpaidSamples -= pay;
        }
        if (ts <= this.streamTimestamp) {
          const samples = this.packets.bytesOf(slot) >> 2;
          const skip = <i32>(this.streamTimestamp - ts);
          const length = samples - skip;
          if (this.syncLength + length > this.syncCapacity) break;
          if (this.packets.isConcealment(slot)) {
            this.concealer.concealToward(this.packets.payloadOf(slot) + (<usize>skip << 2), sync + (<usize>this.syncLength << 2), length, skip, samples);
            this.decoderConcealmentsPlayed++;
            this.concealedSamples += <i64>length;
            concealed = true;
            this.syncLength += length;
            this.streamTimestamp = ts + <i64>samples;
            this.unpaidSamples = 0;
            this.packets.release(slot);
            continue;
          }
          const playoutMs = nowMs + <f64>this.syncLength * 1000.0 / <f64>this.sampleRate;
          this.addedDelaySumMs += playoutMs - this.packets.arrivalOf(slot);
          const merged = this.concealer.real(this.packets.payloadOf(slot) + (<usize>skip << 2), sync + (<usize>this.syncLength << 2), length);
          if (merged == CONCEAL_MERGED) { this.mergeCount++; status = PULL_MERGED; }
          if (skip > 0) this.packetsPartlyLate++;
          this.packetsPlayed++;
          this.syncLength += length;
          this.streamTimestamp = ts + <i64>samples;
          this.unpaidSamples = 0;
          this.packets.release(slot);
          continue;
        }
      }
      if (this.syncLength >= n) break;
      let k = n - this.syncLength;
      if (slot >= 0 && this.packets.size >= this.packets.capacity) {
        // Full of packets ahead of playout: concealing up to them would let newer arrivals evict
        // each one before its turn, for ever. Jump to the oldest and play it now.
        this.streamTimestamp = this.packets.timestampOf(slot);
        this.unpaidSamples = 0;
        this.skipsAhead++;
        continue;
      }
      if (slot >= 0) {
        // A later packet is here: the missing one is presumed lost; conceal up to the later one.
        const gap = this.packets.timestampOf(slot) - this.streamTimestamp;
        if (<i64>k > gap) k = <i32>gap;
        this.streamTimestamp += <i64>k;
      } else {
        this.unpaidSamples += <i64>k;
      }
      this.concealer.conceal(sync + (<usize>this.syncLength << 2), k);
      this.syncLength += k;
      this.concealedSamples += <i64>k;
      concealed = true;
    }
    if (concealed) status = PULL_CONCEALED;
    if (this.syncLength >= need && (wantFaster || wantSlower)) {
      this.stretcher.quietRms = 2 * this.concealer.floorRms;
      if (wantFaster) {
        const removed = this.stretcher.accelerate(sync, this.syncLength);
        if (removed > 0) {
          this.syncLength -= removed;
          this.removedSamples += <i64>removed;
          this.accelerateCount++;
          status = PULL_ACCELERATED;
        }
      } else {
        const added = this.stretcher.decelerate(sync, this.syncLength, this.syncCapacity);
        if (added > 0) {
          this.syncLength += added;
          this.insertedSamples += <i64>added;
          this.decelerateCount++;
          status = PULL_DECELERATED;
        }
      }
    }
    memory.copy(out, sync, <usize>n << 2);
    this.syncLength -= n;
    memory.copy(sync, sync + (<usize>n << 2), <usize>this.syncLength << 2);
    this.framesPlayed++;
    this.lastDelayMs = this.currentDelayMs(nowMs + 10);
    return status;
  }
}


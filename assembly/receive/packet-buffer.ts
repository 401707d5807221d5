// The packet store of the jitter buffer (after speexdsp's jitter.c and NetEq's PacketBuffer): a
// fixed number of slots, each holding one packet's payload bytes with its sequence number,
// timestamp and arrival time. 16-bit RTP sequence numbers and 32-bit timestamps are unwrapped to
// 64-bit so reordering across a wrap-around keeps its order; duplicates are refused; when full the
// oldest packet makes room. Every buffer is sized at construction; put() and take() never allocate.
import { ptr } from '../common';
import { PUT_DUPLICATE, PUT_INVALID, PUT_OK, PUT_OVERFLOW } from './receive-common';

/** Timestamps further than this from the newest packet are refused (about 2^30 samples: hours). */
const MAX_TIMESTAMP_JUMP: i64 = 1 << 30;

export class PacketBuffer {
  readonly capacity: i32;
  readonly maxPayloadBytes: i32;
  /** Bytes of the packet being put; written by JS or by the chain before put(). */
  readonly input: StaticArray<u8>;
  private readonly payloads: StaticArray<u8>;
  private readonly used: StaticArray<bool>;
  private readonly sequences: StaticArray<i64>;
  private readonly timestamps: StaticArray<i64>;
  private readonly arrivalsMs: StaticArray<f64>;
  private readonly sizes: StaticArray<i32>;
  /** True for a decoder's concealment of a lost packet (see ReceiveChain.put), false for real audio. */
  private readonly concealments: StaticArray<bool>;
  private count: i32 = 0;
  private haveReference: bool = false;
  private lastSequence: i64 = 0;
  private lastTimestamp: i64 = 0;
  /** Unwrapped sequence number and timestamp of the last put(), whatever its status. */
  lastPutSequence: i64 = 0;
  lastPutTimestamp: i64 = 0;

  constructor(capacity: i32, maxPayloadBytes: i32) {
    this.capacity = capacity;
    this.maxPayloadBytes = maxPayloadBytes;
    this.input = new StaticArray<u8>(maxPayloadBytes);
    this.payloads = new StaticArray<u8>(capacity * maxPayloadBytes);
    this.used = new StaticArray<bool>(capacity);
    this.sequences = new StaticArray<i64>(capacity);
    this.timestamps = new StaticArray<i64>(capacity);
    this.arrivalsMs = new StaticArray<f64>(capacity);
    this.sizes = new StaticArray<i32>(capacity);
    this.concealments = new StaticArray<bool>(capacity);
  }

  get size(): i32 { return this.count; }

  reset(): void {
    for (let i = 0; i < this.capacity; i++) unchecked(this.used[i] = false);
    this.count = 0;
    this.haveReference = false;
  }

  /** Unwraps a 16-bit sequence number next to the last one seen (the nearer of the candidates). */
  unwrapSequence(sequence: i32): i64 {
    const s = <i64>(sequence & 0xffff);
    if (!this.haveReference) return s + (1 << 16);  // start one cycle up so early reordering stays positive
    const delta = <i64><i16>(<i32>(s - (this.lastSequence & 0xffff)));
    return this.lastSequence + delta;
  }

  /** Unwraps a 32-bit timestamp next to the last one seen. */
  unwrapTimestamp(timestamp: u32): i64 {
    if (!this.haveReference) return <i64>timestamp + (<i64>1 << 32);
    const delta = <i64><i32>(timestamp - <u32>(this.lastTimestamp & 0xffffffff));
    return this.lastTimestamp + delta;
  }

  /**
   * Stores the `bytes` in `input` as packet (sequence, timestamp). Returns PUT_OK, PUT_DUPLICATE,
   * PUT_OVERFLOW (stored; the oldest packet was dropped) or PUT_INVALID.
   */
  put(sequence: i32, timestamp: u32, arrivalMs: f64, bytes: i32, concealment: bool = false): i32 {
    if (bytes < 0 || bytes > this.maxPayloadBytes) return PUT_INVALID;
    const seq = this.unwrapSequence(sequence);
    const ts = this.unwrapTimestamp(timestamp);
    this.lastPutSequence = seq;
    this.lastPutTimestamp = ts;
    if (this.haveReference && (ts - this.lastTimestamp > MAX_TIMESTAMP_JUMP || this.lastTimestamp - ts > MAX_TIMESTAMP_JUMP)) return PUT_INVALID;
    for (let i = 0; i < this.capacity; i++) {
      if (unchecked(this.used[i]) && unchecked(this.sequences[i]) == seq) {
        // The real packet replaces a decoder's concealment of it; anything else is a duplicate.
        if (!unchecked(this.concealments[i]) || concealment) return PUT_DUPLICATE;
        this.release(i);
        break;
      }
    }
    let status = PUT_OK;
    let slot = -1;
    for (let i = 0; i < this.capacity; i++) if (!unchecked(this.used[i])) { slot = i; break; }
    if (slot < 0) {
      slot = this.oldestSlot();
      status = PUT_OVERFLOW;
      this.count--;
    }
    unchecked(this.used[slot] = true);
    unchecked(this.sequences[slot] = seq);
    unchecked(this.timestamps[slot] = ts);
    unchecked(this.arrivalsMs[slot] = arrivalMs);
    unchecked(this.sizes[slot] = bytes);
    unchecked(this.concealments[slot] = concealment);
    memory.copy(ptr(this.payloads) + <usize>slot * <usize>this.maxPayloadBytes, ptr(this.input), <usize>bytes);
    this.count++;
    if (!this.haveReference || seq > this.lastSequence) this.lastSequence = seq;
    if (!this.haveReference || ts > this.lastTimestamp) this.lastTimestamp = ts;
    this.haveReference = true;
    return status;
  }

  /** Slot of the packet with the smallest timestamp (−1 when empty). */
  oldestSlot(): i32 {
    let best = -1;
    for (let i = 0; i < this.capacity; i++) {
      if (unchecked(this.used[i]) && (best < 0 || unchecked(this.timestamps[i]) < unchecked(this.timestamps[best]))) best = i;
    }
    return best;
  }

  /** Slot of the newest timestamp (−1 when empty). */
  newestSlot(): i32 {
    let best = -1;
    for (let i = 0; i < this.capacity; i++) {
      if (unchecked(this.used[i]) && (best < 0 || unchecked(this.timestamps[i]) > unchecked(this.timestamps[best]))) best = i;
    }
    return best;
  }

  isUsed(slot: i32): bool { return unchecked(this.used[slot]); }
  timestampOf(slot: i32): i64 { return unchecked(this.timestamps[slot]); }
  sequenceOf(slot: i32): i64 { return unchecked(this.sequences[slot]); }
  arrivalOf(slot: i32): f64 { return unchecked(this.arrivalsMs[slot]); }
  bytesOf(slot: i32): i32 { return unchecked(this.sizes[slot]); }
  isConcealment(slot: i32): bool { return unchecked(this.concealments[slot]); }
  payloadOf(slot: i32): usize { return ptr(this.payloads) + <usize>slot * <usize>this.maxPayloadBytes; }

  /** Frees a slot (after its payload was consumed or discarded). */
  release(slot: i32): void {
    if (slot >= 0 && slot < this.capacity && unchecked(this.used[slot])) {
      unchecked(this.used[slot] = false);
      this.count--;
    }
  }
}

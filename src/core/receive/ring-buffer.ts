// A lock-free single-producer / single-consumer queue of float samples on a SharedArrayBuffer
// (the pattern of GoogleChromeLabs/web-audio-samples' free-queue): the receive worker pushes 10 ms
// frames, the playout AudioWorklet pulls 128-sample quanta. Read and write positions are 32-bit
// counters that only grow (and wrap); the capacity is a power of two so `counter & mask` indexes
// the data. push() and pull() move all samples or none and return booleans; neither allocates.

/** Int32 slots of the header: positions as running counters (wrapping at 2^32). */
const READ_SLOT = 0;
const WRITE_SLOT = 1;
const HEADER_BYTES = 8;
/** Largest capacity (samples): keeps counter differences unambiguous in 32 bits. */
export const RING_MAX_CAPACITY = 1 << 24;

export class FloatRingBuffer {
  /** Samples the queue holds at most (a power of two). */
  readonly capacity: number;
  /** The shared memory: pass it to the other thread and wrap it there with `new FloatRingBuffer(buffer)`. */
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
  private readonly positions: Int32Array;
  private readonly data: Float32Array;
  private readonly mask: number;

  /** Bytes of a queue of `capacity` samples (rounded up to a power of two). */
  static byteLengthFor(capacity: number): number {
    return HEADER_BYTES + FloatRingBuffer.roundCapacity(capacity) * 4;
  }

  /** A new queue of at least `capacity` samples on a fresh SharedArrayBuffer. */
  static create(capacity: number): FloatRingBuffer {
    return new FloatRingBuffer(new SharedArrayBuffer(FloatRingBuffer.byteLengthFor(capacity)));
  }

  private static roundCapacity(capacity: number): number {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > RING_MAX_CAPACITY) {
      throw new RangeError(`ring buffer capacity must be an integer from 1 to ${RING_MAX_CAPACITY} samples, got ${String(capacity)}`);
    }
    let size = 1;
    while (size < capacity) size <<= 1;
    return size;
  }

  /** Wraps memory made by create()/byteLengthFor() (a plain ArrayBuffer works on one thread, for tests). */
  constructor(buffer: SharedArrayBuffer | ArrayBuffer) {
    const capacity = (buffer.byteLength - HEADER_BYTES) / 4;
    if (!Number.isInteger(capacity) || capacity < 1 || (capacity & (capacity - 1)) !== 0 || capacity > RING_MAX_CAPACITY) {
      throw new RangeError(`a ring buffer needs ${HEADER_BYTES} + 4 × (a power of two) bytes, got ${buffer.byteLength}`);
    }
    this.buffer = buffer;
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.positions = new Int32Array(buffer, 0, 2);
    this.data = new Float32Array(buffer, HEADER_BYTES, capacity);
  }

  /** Samples waiting to be pulled. */
  availableRead(): number {
    return (Atomics.load(this.positions, WRITE_SLOT) - Atomics.load(this.positions, READ_SLOT)) | 0;
  }

  /** Samples that can be pushed now. */
  availableWrite(): number {
    return this.capacity - this.availableRead();
  }

  /** Producer only: appends the first `count` samples of `samples`, or nothing if they do not fit. */
  push(samples: Float32Array, count: number = samples.length): boolean {
    if (count < 0 || count > samples.length) return false;
    const write = Atomics.load(this.positions, WRITE_SLOT);
    const read = Atomics.load(this.positions, READ_SLOT);
    if (this.capacity - ((write - read) | 0) < count) return false;
    const start = write & this.mask;
    const first = Math.min(count, this.capacity - start);
    this.data.set(first === samples.length ? samples : samples.subarray(0, first), start);
    if (first < count) this.data.set(samples.subarray(first, count), 0);
    Atomics.store(this.positions, WRITE_SLOT, (write + count) | 0);
    return true;
  }

  /** Consumer only: fills the first `count` samples of `out`, or leaves it untouched if fewer are waiting. */
  pull(out: Float32Array, count: number = out.length): boolean {
    if (count < 0 || count > out.length) return false;
    const read = Atomics.load(this.positions, READ_SLOT);
    const write = Atomics.load(this.positions, WRITE_SLOT);
    if (((write - read) | 0) < count) return false;
    const start = read & this.mask;
    const first = Math.min(count, this.capacity - start);
    out.set(this.data.subarray(start, start + first), 0);
    if (first < count) out.set(this.data.subarray(0, count - first), first);
    Atomics.store(this.positions, READ_SLOT, (read + count) | 0);
    return true;
  }

  /** Consumer only: drops everything waiting. */
  clear(): void {
    Atomics.store(this.positions, READ_SLOT, Atomics.load(this.positions, WRITE_SLOT));
  }
}

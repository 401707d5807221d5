// A linear first-in-first-out sample buffer with fixed capacity: frame adaptation between
// arbitrary block sizes and fixed 10 ms kernel frames. Compacts on write; never allocates.
import { ptr } from './common';

export class SampleFifo {
  readonly capacity: i32;
  private data: StaticArray<f32>;
  private start: i32 = 0;
  private end: i32 = 0;

  constructor(capacity: i32) {
    this.capacity = capacity;
    this.data = new StaticArray<f32>(capacity);
  }

  get length(): i32 {
    return this.end - this.start;
  }

  /** Pointer to the oldest sample. */
  get head(): usize {
    return ptr(this.data) + (<usize>this.start << 2);
  }

  clear(): void {
    this.start = 0;
    this.end = 0;
  }

  /** Appends up to `count` samples; returns how many fitted. */
  write(source: usize, count: i32): i32 {
    const n = min<i32>(count, this.reserve(count));
    memory.copy(ptr(this.data) + (<usize>this.end << 2), source, <usize>n << 2);
    this.end += n;
    return n;
  }

  /** Appends `count` zeros; returns how many fitted. */
  writeZeros(count: i32): i32 {
    const n = min<i32>(count, this.reserve(count));
    memory.fill(ptr(this.data) + (<usize>this.end << 2), 0, <usize>n << 2);
    this.end += n;
    return n;
  }

  /** Makes room for `count` samples at the end; returns the free space after compaction. */
  reserve(count: i32): i32 {
    if (this.end + count > this.capacity && this.start > 0) {
      const n = this.end - this.start;
      const d = ptr(this.data);
      memory.copy(d, d + (<usize>this.start << 2), <usize>n << 2);
      this.start = 0;
      this.end = n;
    }
    return this.capacity - this.end;
  }

  /** Pointer where the next `reserve`d samples go; call commit() with how many were written. */
  get tail(): usize {
    return ptr(this.data) + (<usize>this.end << 2);
  }

  commit(count: i32): void {
    this.end += count;
  }

  /** Copies `count` samples to `target` and drops them. */
  read(target: usize, count: i32): i32 {
    const n = min<i32>(count, this.length);
    memory.copy(target, this.head, <usize>n << 2);
    this.start += n;
    if (this.start == this.end) { this.start = 0; this.end = 0; }
    return n;
  }

  discard(count: i32): void {
    this.start += min<i32>(count, this.length);
    if (this.start == this.end) { this.start = 0; this.end = 0; }
  }
}

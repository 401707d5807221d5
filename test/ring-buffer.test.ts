// FloatRingBuffer (the worker → playout worklet queue): all-or-nothing push/pull, wrap-around,
// capacity rounding, and counters that keep working across 32-bit wrap.
import { describe, expect, it } from 'vitest';
import { FloatRingBuffer } from '../src/core/receive/ring-buffer.js';

describe('FloatRingBuffer', () => {
  it('rounds the capacity up to a power of two and rejects bad capacities', () => {
    expect(FloatRingBuffer.create(1000).capacity).toBe(1024);
    expect(() => FloatRingBuffer.create(0)).toThrow(RangeError);
    expect(() => new FloatRingBuffer(new ArrayBuffer(8 + 4 * 3))).toThrow(RangeError);
  });

  it('moves 480-sample frames in and 128-sample quanta out in order across wrap-around, all or nothing', () => {
    const ring = FloatRingBuffer.create(1024);
    const frame = new Float32Array(480);
    const quantum = new Float32Array(128);
    let written = 0, read = 0;
    for (let round = 0; round < 200; round++) {
      while (ring.availableWrite() >= frame.length) {
        for (let i = 0; i < frame.length; i++) frame[i] = written + i;
        expect(ring.push(frame)).toBe(true);
        written += frame.length;
      }
      expect(ring.push(frame)).toBe(false);  // does not fit: nothing written
      expect(ring.availableRead()).toBe(written - read);
      for (let q = 0; q < 5 && ring.availableRead() >= 128; q++) {
        expect(ring.pull(quantum)).toBe(true);
        for (let i = 0; i < 128; i++) expect(quantum[i]).toBe(read + i);
        read += 128;
      }
    }
    const before = quantum.slice();
    const empty = FloatRingBuffer.create(256);
    expect(empty.pull(quantum)).toBe(false);
    expect(quantum).toEqual(before);
  });

  it('keeps counting correctly when the 32-bit positions wrap', () => {
    const ring = FloatRingBuffer.create(8);
    const positions = new Int32Array(ring.buffer, 0, 2);
    positions[0] = 0x7ffffffc;
    positions[1] = 0x7ffffffc;
    const block = Float32Array.from([1, 2, 3, 4, 5, 6]);
    expect(ring.push(block)).toBe(true);
    expect(ring.availableRead()).toBe(6);
    const out = new Float32Array(6);
    expect(ring.pull(out)).toBe(true);
    expect(Array.from(out)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ring.availableRead()).toBe(0);
  });
});

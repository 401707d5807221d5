// The receive chain's jitter buffer on scripted packet arrivals: order after reordering, duplicates,
// sequence/timestamp wrap-around, late packets, delay spikes, clock drift, target adaptation, bad
// packets, and zero allocation while running. Each packet carries a constant level (its identity),
// so the played order can be read back from the output.
import { beforeAll, describe, expect, it } from 'vitest';
import { ReceiveChain } from '../src/core/receive/receive-chain.js';
import { generateTrace, NETWORK_PROFILES, type TraceRow } from '../src/core/receive/network-trace.js';
import { simulateReceive } from '../src/core/receive/simulate.js';
import type { ReceiveExports } from '../src/core/receive/receive-exports.js';
import { allocationCursor, type BothBuilds, loadBothBuilds } from './helpers/wasm.js';
import { gaussianNoise } from './helpers/random.js';

const RATE = 16000;
const PACKET = 320;       // 20 ms
const FRAME = 160;        // 10 ms
let builds: BothBuilds;
let exports: ReceiveExports;

beforeAll(async () => {
  builds = await loadBothBuilds();
  exports = builds.simd.exports as unknown as ReceiveExports;
});

/** Packet k is the constant level (k + 1) / 1000, so a played frame names its packet. */
function packetOf(k: number): Float32Array {
  return new Float32Array(PACKET).fill((k + 1) / 1000);
}

interface Arrival { k: number; atMs: number; seq?: number; ts?: number }

/** Puts the arrivals at their times and pulls every 10 ms from 0 to `untilMs`; returns the packet id per played frame (−1 = other). */
function play(chain: ReceiveChain, arrivals: Arrival[], untilMs: number): { ids: number[]; statuses: string[]; puts: string[] } {
  const sorted = [...arrivals].sort((a, b) => a.atMs - b.atMs);
  const ids: number[] = [], statuses: string[] = [], puts: string[] = [];
  let next = 0;
  for (let now = 0; now <= untilMs; now += 10) {
    while (next < sorted.length && sorted[next].atMs <= now) {
      const a = sorted[next++];
      puts.push(chain.put(a.seq ?? a.k, a.ts ?? a.k * PACKET, a.atMs, packetOf(a.k)));
    }
    const status = chain.pull(now);
    statuses.push(status);
    if (status === 'waiting') continue;
    const level = chain.output[FRAME >> 1];
    const id = Math.round(level * 1000) - 1;
    ids.push(Math.abs(level * 1000 - Math.round(level * 1000)) < 1e-3 && status === 'normal' ? id : -1);
  }
  return { ids, statuses, puts };
}

function newChain(options = {}): ReceiveChain {
  return new ReceiveChain(exports, { sampleRate: RATE, maxPacketSamples: PACKET, jitterBuffer: { timeStretching: false, ...options } });
}

/** The packet ids in the order they were played (each 20 ms packet is two frames). */
function playedOrder(ids: number[]): number[] {
  const order: number[] = [];
  for (const id of ids) if (id >= 0 && order[order.length - 1] !== id) order.push(id);
  return order;
}

describe('jitter buffer (ReceiveChain)', () => {
  it('plays reordered packets in sequence order with no late loss', () => {
    const chain = newChain({ minDelayMs: 60 });
    // Pairs swapped: 1 before 0, 3 before 2, …; all within 15 ms of their nominal time.
    const arrivals = Array.from({ length: 20 }, (_, k) => ({ k, atMs: 40 + k * 20 + (k % 2 === 0 ? 15 : 0) }));
    const { ids } = play(chain, arrivals, 800);
    expect(playedOrder(ids)).toEqual(Array.from({ length: 20 }, (_, k) => k));
    const stats = chain.stats();
    expect(stats.packetsLate).toBe(0);
    expect(stats.packetsPlayed).toBe(20);
    chain.destroy();
  });

  it('refuses a duplicate packet and plays the original once', () => {
    const chain = newChain({ minDelayMs: 40 });
    const arrivals = Array.from({ length: 10 }, (_, k) => ({ k, atMs: 20 + k * 20 }));
    arrivals.push({ k: 4, atMs: 105 }, { k: 2, atMs: 400 });  // one while buffered, one long after playing
    const { ids, puts } = play(chain, arrivals, 500);
    expect(puts.filter((p) => p === 'duplicate')).toHaveLength(2);
    expect(playedOrder(ids)).toEqual(Array.from({ length: 10 }, (_, k) => k));
    expect(chain.stats().duplicates).toBe(2);
    expect(chain.stats().packetsPlayed).toBe(10);
    chain.destroy();
  });

  it('keeps order across 16-bit sequence and 32-bit timestamp wrap-around, reordered at the wrap', () => {
    const chain = newChain({ minDelayMs: 60 });
    const firstSeq = 65530, firstTs = 2 ** 32 - 5 * PACKET;
    const arrivals = Array.from({ length: 14 }, (_, k) => ({
      k, seq: (firstSeq + k) & 0xffff, ts: (firstTs + k * PACKET) >>> 0, atMs: 40 + k * 20 + (k === 5 ? 25 : 0),
    }));
    const { ids, puts } = play(chain, arrivals, 600);
    expect(puts.every((p) => p === 'ok')).toBe(true);
    expect(playedOrder(ids)).toEqual(Array.from({ length: 14 }, (_, k) => k));
    expect(chain.stats().packetsLate).toBe(0);
    chain.destroy();
  });

  it('conceals a packet that comes after its turn and reports it late', () => {
    const chain = newChain({ minDelayMs: 20, maxDelayMs: 20 });
    const arrivals = Array.from({ length: 12 }, (_, k) => ({ k, atMs: 20 + k * 20 + (k === 6 ? 200 : 0) }));
    const { ids, puts, statuses } = play(chain, arrivals, 500);
    expect(puts).toContain('late');
    const stats = chain.stats();
    expect(stats.packetsLate).toBe(1);
    expect(stats.concealedMs).toBeGreaterThanOrEqual(20);
    expect(statuses).toContain('concealed');
    expect(playedOrder(ids)).toEqual([0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11]);
    chain.destroy();
  });

  it('rides out a delay spike with nothing newer in the buffer: conceals, then plays the delayed packets (no late loss)', () => {
    const chain = newChain({ minDelayMs: 20, maxDelayMs: 20 });
    // From packet 5 on the network holds everything up to 240 ms; the queue then drains at once.
    const arrivals = Array.from({ length: 20 }, (_, k) => ({ k, atMs: k >= 5 ? Math.max(240, 20 + k * 20) : 20 + k * 20 }));
    const { ids } = play(chain, arrivals, 900);
    const stats = chain.stats();
    expect(stats.packetsLate).toBe(0);
    expect(stats.concealedMs).toBeGreaterThan(0);
    expect(playedOrder(ids)).toEqual(Array.from({ length: 20 }, (_, k) => k));
    chain.destroy();
  });

  it.each([[+1000], [-1000]])('follows a %i ppm clock drift over 30 s: delay stays within 30 ms of target with < 1 % late loss', (ppm) => {
    // Real audio so time stretching has periods to cut or repeat (seeded noise through a resonance).
    const seconds = 30;
    const noise = gaussianNoise(seconds * RATE, 11, 0.1);
    const voiced = new Float32Array(noise.length);
    for (let i = 2; i < noise.length; i++) voiced[i] = noise[i] + 1.8 * Math.cos(2 * Math.PI * 150 / RATE) * voiced[i - 1] * 0.99 - 0.98 * voiced[i - 2];
    const trace: TraceRow[] = Array.from({ length: seconds * 50 }, (_, seq) => ({ seq, sendMs: seq * 20, arrivalMs: seq * 20 * (1 + ppm * 1e-6) + 30 }));
    const result = simulateReceive(exports, voiced, RATE, trace, { jitterBuffer: { minDelayMs: 40 } });
    const s = result.stats;
    expect(s.lateLossRate).toBeLessThan(0.01);
    // The last 5 s of the call, without the end of the stream (concealment after the last packet).
    const tail = result.delayMsPerFrame.slice(-550, -50);
    for (const d of tail) expect(Math.abs(d - s.targetDelayMs)).toBeLessThan(30);
    if (ppm > 0) expect(s.decelerateCount + s.concealedMs / 10).toBeGreaterThan(0);
    else expect(s.accelerateCount).toBeGreaterThan(0);
  });

  it('targets a delay over 40 ms higher under 25 ms exponential jitter than on a jitter-free path', () => {
    const jittery = generateTrace(NETWORK_PROFILES.reorder, 1500, 5);
    const calm = generateTrace(NETWORK_PROFILES.clean, 1500, 5);
    const signal = gaussianNoise(1500 * PACKET, 3, 0.05);
    const a = simulateReceive(exports, signal, RATE, jittery).stats.targetDelayMs;
    const b = simulateReceive(exports, signal, RATE, calm).stats.targetDelayMs;
    expect(a).toBeGreaterThan(b + 40);
    expect(b).toBeLessThan(25);
  });

  it('returns invalid for malformed packets without throwing', () => {
    const chain = newChain();
    expect(chain.put(0, 0, 0, new Float32Array(PACKET + 1))).toBe('invalid');
    expect(chain.put(0, 0, Number.NaN, new Float32Array(PACKET))).toBe('invalid');
    expect(chain.put(0.5, 0, 0, new Float32Array(PACKET))).toBe('invalid');
    expect(chain.put(0, 0, 0, new Float32Array(0))).toBe('invalid');
    expect(chain.pull(0)).toBe('waiting');
    expect(chain.stats().error).toBeNull();
    chain.destroy();
  });

  it('rejects bad configuration with a clear message', () => {
    expect(() => new ReceiveChain(exports, { sampleRate: 22_050 })).toThrow(/multiple of 100 Hz/);
    expect(() => newChain({ quantile: 2 })).toThrow(/quantile must be a number from 0.5 to 0.999/);
    expect(() => newChain({ minDelayMs: 300, maxDelayMs: 100 })).toThrow(/must not exceed maxDelayMs/);
    expect(() => newChain({ bogus: 1 })).toThrow(/unknown jitter buffer option 'bogus'/);
  });

  it.each(['simd', 'scalar'] as const)('put() and pull() allocate nothing over 10,000 frames (%s build)', (flavor) => {
    const e = builds[flavor].exports as unknown as ReceiveExports & Parameters<typeof allocationCursor>[0];
    const chain = new ReceiveChain(e, { sampleRate: 48000, maxPacketSamples: 960 });
    const trace = generateTrace(NETWORK_PROFILES['bursty-20'], 5000, 9);
    const packet = gaussianNoise(960, 4, 0.1);
    const arrivals = trace.filter((r) => r.arrivalMs !== null).sort((x, y) => (x.arrivalMs as number) - (y.arrivalMs as number));
    allocationCursor(e);
    const first = allocationCursor(e), second = allocationCursor(e);
    const bytes = e.memory.buffer.byteLength;
    let next = 0;
    for (let i = 0; i < 10_000; i++) {
      const now = i * 10;
      while (next < arrivals.length && (arrivals[next].arrivalMs as number) <= now) {
        const row = arrivals[next++];
        chain.put(row.seq, row.seq * 960, row.arrivalMs as number, packet);
      }
      chain.pull(now);
    }
    const after = allocationCursor(e);
    expect(chain.stats().concealedMs).toBeGreaterThan(1000);
    expect(after - second - (second - first)).toBe(0);
    expect(e.memory.buffer.byteLength).toBe(bytes);
    chain.destroy();
  });
});

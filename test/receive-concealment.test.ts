// Packet-loss concealment and time stretching: continuation of a periodic signal across a loss,
// fade to the background level on a long burst, click-free joins, speech quality floors against
// plain repetition, SIMD/scalar parity of the whole receive chain, and no allocation in the concealer.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Concealer, concealSignal } from '../src/core/receive/concealer.js';
import { generateTrace, NETWORK_PROFILES } from '../src/core/receive/network-trace.js';
import type { ReceiveExports } from '../src/core/receive/receive-exports.js';
import { simulateReceive } from '../src/core/receive/simulate.js';
import { readWav } from '../src/core/wav.js';
import { stoi } from '../eval/metrics/stoi.js';
import { repeatLast } from '../eval/receive/concealment-metrics.js';
import { gaussianNoise } from './helpers/random.js';
import { rms, sine, snrDb } from './helpers/signal.js';
import { allocationCursor, type BothBuilds, loadBothBuilds } from './helpers/wasm.js';

const RATE = 48000;
const BLOCK = 480;
let builds: BothBuilds;
let exports: ReceiveExports;
let speech: Float32Array;

beforeAll(async () => {
  builds = await loadBothBuilds();
  exports = builds.simd.exports as unknown as ReceiveExports;
  speech = readWav(readFileSync(new URL('../eval/fixtures/speech-en-us-f1.wav', import.meta.url))).channels[0];
});

/** Lost flags per 20 ms packet: packets `from` … `from + count − 1` lost. */
function burst(packets: number, from: number, count: number): boolean[] {
  return Array.from({ length: packets }, (_, i) => i >= from && i < from + count);
}

describe('concealment', () => {
  it('continues a 210 Hz tone across a lost 20 ms packet within 20 dB SNR of the truth', () => {
    const tone = sine(RATE, 210, RATE, 0.5);
    const concealer = new Concealer(exports, RATE, BLOCK);
    const out = concealSignal(concealer, tone, 960, burst(50, 20, 1));
    // The hold decays the level by up to 30 % over the packet: compare the shape with the gain removed.
    const start = 20 * 960, end = start + 960;
    let dot = 0, energy = 0;
    for (let i = start; i < end; i++) { dot += out[i] * tone[i]; energy += out[i] * out[i]; }
    const g = dot / energy;
    const scaled = out.map((x, i) => (i >= start && i < end ? x * g : x));
    expect(snrDb(tone, scaled, start, end)).toBeGreaterThan(20);
    const period = RATE / 210, phase = concealer.pitchLag % period;
    expect(Math.min(phase, period - phase)).toBeLessThan(3);
    concealer.destroy();
  });

  it('keeps a synthetic vowel’s harmonic levels across a lost packet within 2 dB on average (residual-domain extrapolation)', () => {
    // A 100 Hz pulse train through two formant resonators (700 and 1200 Hz): the lost 20 ms packet
    // holds exactly two periods, so DFT bins at multiples of 100 Hz are the harmonics. Harmonics
    // within 30 dB of the strongest are compared; the hold's decay alone costs about 1 dB.
    const vowel = new Float32Array(RATE);
    const resonators = [[700, 80], [1200, 90]].map(([f, b]) => {
      const r = Math.exp(-Math.PI * b / RATE);
      return { a1: 2 * r * Math.cos(2 * Math.PI * f / RATE), a2: -r * r, y1: 0, y2: 0 };
    });
    for (let i = 0; i < vowel.length; i++) {
      let x = i % 480 === 0 ? 1 : 0;
      for (const f of resonators) { const y = x + f.a1 * f.y1 + f.a2 * f.y2; f.y2 = f.y1; f.y1 = y; x = y; }
      vowel[i] = x;
    }
    const peak = vowel.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    for (let i = 0; i < vowel.length; i++) vowel[i] *= 0.5 / peak;
    const concealer = new Concealer(exports, RATE, BLOCK);
    const out = concealSignal(concealer, vowel, 960, burst(50, 25, 1));
    concealer.destroy();
    const harmonicDb = (x: Float32Array, k: number): number => {
      let re = 0, im = 0;
      for (let n = 0; n < 960; n++) { const t = 2 * Math.PI * k * n / 960; re += x[25 * 960 + n] * Math.cos(t); im -= x[25 * 960 + n] * Math.sin(t); }
      return 10 * Math.log10(re * re + im * im + 1e-20);
    };
    const truth = Array.from({ length: 40 }, (_, k) => harmonicDb(vowel, 2 * (k + 1)));
    const ours = Array.from({ length: 40 }, (_, k) => harmonicDb(out, 2 * (k + 1)));
    const strongest = Math.max(...truth);
    const compared = truth.flatMap((t, k) => (t > strongest - 30 ? [Math.abs(ours[k] - t)] : []));
    expect(compared.length).toBeGreaterThan(10);
    expect(compared.reduce((a, b) => a + b, 0) / compared.length).toBeLessThan(2);
  });

  it('fades a 300 ms burst to the background level, then merges back without a click', () => {
    // A tone switched on and off every 200 ms over −46 dBFS white noise (the floor tracker sees the
    // noise in the pauses); 15 packets lost from 0.8 s, inside a tone-on stretch.
    const background = gaussianNoise(2 * RATE, 7, 0.005);
    const tone = sine(2 * RATE, 180, RATE, 0.3).map((x, i) => (Math.floor(i / (0.2 * RATE)) % 2 === 0 ? x : 0) + background[i]);
    const concealer = new Concealer(exports, RATE, BLOCK);
    const out = concealSignal(concealer, tone, 960, burst(100, 40, 15));
    const lastLostMs = 40 * 960 + 14 * 960;
    // The last 20 ms of the burst are comfort noise within 6 dB of the background.
    const level = rms(out, lastLostMs, lastLostMs + 960);
    expect(20 * Math.log10(level / 0.005)).toBeLessThan(6);
    expect(20 * Math.log10(level / 0.005)).toBeGreaterThan(-6);
    // No step at the merge larger than the tone's own largest step (2π·180/48000·0.3 ≈ 0.007) plus noise.
    const join = 55 * 960;
    let maxStep = 0;
    for (let i = join - 48; i < join + 480; i++) maxStep = Math.max(maxStep, Math.abs(out[i] - out[i - 1]));
    expect(maxStep).toBeLessThan(0.03);
    concealer.destroy();
  });

  it('has no step at the start of a loss larger than the signal’s own (1/A(z) continues from the real samples)', () => {
    const tone = sine(RATE, 237, RATE, 0.4, 0.3);
    const concealer = new Concealer(exports, RATE, BLOCK);
    const out = concealSignal(concealer, tone, 960, burst(30, 10, 2));
    const ownStep = 2 * Math.PI * 237 / RATE * 0.4;
    let maxStep = 0;
    for (let i = 10 * 960 - 10; i < 10 * 960 + 200; i++) maxStep = Math.max(maxStep, Math.abs(out[i] - out[i - 1]));
    expect(maxStep).toBeLessThan(2 * ownStep);
    concealer.destroy();
  });

  it.each([['random-10', 0.9], ['bursty-20', 0.8]] as const)('on speech with %s loss: STOI ≥ %f and above plain repetition', (profile, floor) => {
    const packets = Math.ceil(speech.length / 960);
    const lost = generateTrace(NETWORK_PROFILES[profile], packets, 42).map((r) => r.arrivalMs === null);
    const concealer = new Concealer(exports, RATE, BLOCK);
    const ours = stoi(speech, concealSignal(concealer, speech, 960, lost), RATE);
    const repetition = stoi(speech, repeatLast(speech, 960, lost), RATE);
    concealer.destroy();
    expect(ours).toBeGreaterThanOrEqual(floor);
    expect(ours).toBeGreaterThan(repetition);
  });

  it('time stretching keeps pitch: accelerate/decelerate change the length, not the 200 Hz period', () => {
    // A jittery path makes the chain speed up and slow down; the played tone keeps its zero-crossing rate.
    const tone = sine(10 * RATE, 200, RATE, 0.3);
    const trace = generateTrace(NETWORK_PROFILES.reorder, 500, 3);
    const result = simulateReceive(exports, tone, RATE, trace);
    const s = result.stats;
    expect(s.accelerateCount + s.decelerateCount).toBeGreaterThan(5);
    let crossings = 0;
    const out = result.output.subarray(RATE, 9 * RATE);
    for (let i = 1; i < out.length; i++) if (out[i - 1] < 0 && out[i] >= 0) crossings++;
    expect(crossings / 8).toBeGreaterThan(197);
    expect(crossings / 8).toBeLessThan(203);
  });
});

describe('SIMD/scalar parity of the receive chain', () => {
  /**
   * The twins differ only in float32 summation order inside the correlation dot products (~1e-7
   * relative). A lag decision could flip only on a near-exact tie, which seeded speech does not
   * produce; then outputs agree to rounding, so 1e-4 max abs is generous yet catches a wrong lane.
   */
  const TOLERANCE = 1e-4;

  function run(e: ReceiveExports, simd: boolean): Float32Array {
    const trace = generateTrace(NETWORK_PROFILES['bursty-20'], Math.ceil(speech.length / 960), 17);
    return simulateReceive(e, speech, RATE, trace, { simd }).output;
  }

  it('SIMD path vs scalar path in the SIMD build, and SIMD build vs scalar build, on speech through bursty-20', () => {
    const simd = run(exports, true);
    const scalarPath = run(exports, false);
    const scalarBuild = run(builds.scalar.exports as unknown as ReceiveExports, false);
    let a = 0, b = 0;
    for (let i = 0; i < simd.length; i++) {
      a = Math.max(a, Math.abs(simd[i] - scalarPath[i]));
      b = Math.max(b, Math.abs(simd[i] - scalarBuild[i]));
    }
    expect(a).toBeLessThan(TOLERANCE);
    expect(b).toBeLessThan(TOLERANCE);
    expect(rms(simd)).toBeGreaterThan(0.01);
  });

  it.each(['simd', 'scalar'] as const)('the concealer allocates nothing over 10,000 blocks with losses (%s build)', (flavor) => {
    const e = builds[flavor].exports as unknown as ReceiveExports & Parameters<typeof allocationCursor>[0];
    const concealer = new Concealer(e, RATE, BLOCK);
    const input = speech.subarray(0, BLOCK * 64);
    allocationCursor(e);
    const first = allocationCursor(e), second = allocationCursor(e);
    for (let i = 0; i < 10_000; i++) concealer.process(i % 7 < 3 ? null : input.subarray((i % 64) * BLOCK, (i % 64 + 1) * BLOCK));
    const after = allocationCursor(e);
    expect(after - second - (second - first)).toBe(0);
    concealer.destroy();
  });
});

// Soak: one hour of a call through the whole capture chain (noise suppression + echo cancellation +
// gain control) in Node, in 128-sample blocks as the worklet runs it. The near end is the fixture
// speech (eval/fixtures/) with fan noise, the far end the same utterances in another order, heard
// back through a room-like echo path; the talkers take turns and sometimes talk at once, in a
// conversation that loops (about 75 s) over the hour. Checks:
// Wasm memory constant after warm-up, JS heap within a slack, latencySamples constant and the output
// aligned with the input at that delay at the start and at the end (no drift), every sample finite,
// and echo removal, near-end level and gain at the end as at the start.
import { beforeAll, describe, expect, it } from 'vitest';
import { CaptureProcessor } from '../src/core/capture-processor.js';
import { ResamplerKernel } from '../src/core/kernels.js';
import { loadWasm, type LoadedWasm } from '../src/core/wasm-loader.js';
import { NsFixtures } from '../eval/fixtures.js';
import { seededRandom } from './helpers/random.js';

const RATE = 16000;
const BLOCK = 128;
const SOAK_SECONDS = 3600;
const FRAME = RATE / 100;
/** Memory and heap are measured from here on (the chain and its filters have settled). */
const WARM_UP_SECONDS = 60;
/** Heap growth allowed over the hour: room for V8's own bookkeeping, far below a leak of a block per call (≥ 200 MB). */
const HEAP_SLACK_BYTES = 16 << 20;
/** Metrics are compared over these windows: minutes 2–7 (converged) and the last 5 minutes. */
const START_WINDOW: [number, number] = [120, 420];
const END_WINDOW: [number, number] = [SOAK_SECONDS - 300, SOAK_SECONDS];

let wasm: LoadedWasm;
let nearLoop: Float32Array, farLoop: Float32Array, echoLoop: Float32Array;
let nearActive: Uint8Array, farActive: Uint8Array;

/** Fixture audio (48 kHz) at RATE through the kernel resampler. */
function toRate(signal: Float32Array): Float32Array {
  const resampler = new ResamplerKernel(wasm.exports, 48000, RATE, 4800);
  const parts: Float32Array[] = [];
  for (let at = 0; at < signal.length; at += 4800) parts.push(resampler.process(signal.subarray(at, Math.min(signal.length, at + 4800))).slice());
  resampler.destroy();
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) { out.set(part, offset); offset += part.length; }
  return out;
}

/**
 * A conversation loop: near and far talkers take turns, each utterance followed by the other
 * talker's, 0.4 s apart; every third far turn starts 1 s early, so they also talk at once.
 */
function conversation(fixtures: NsFixtures): { near: Float32Array; far: Float32Array } {
  const ids = fixtures.utteranceIds;
  const nearPieces = ids.map((id) => toRate(fixtures.utterance(id)));
  const farPieces = [...ids].reverse().map((id) => toRate(fixtures.utterance(id)));
  const gap = Math.round(0.4 * RATE), overlap = RATE;
  const placements: { piece: Float32Array; at: number; near: boolean }[] = [];
  let at = 0;
  for (let i = 0; i < nearPieces.length; i++) {
    placements.push({ piece: nearPieces[i], at, near: true });
    at += nearPieces[i].length + gap;
    if (i % 3 === 2) at -= overlap + gap;
    placements.push({ piece: farPieces[i], at, near: false });
    at += farPieces[i].length + gap;
  }
  const near = new Float32Array(at), far = new Float32Array(at);
  for (const p of placements) (p.near ? near : far).set(p.piece, p.at);
  return { near, far };
}

/** Per 10 ms frame: 1 where the clean signal is within 30 dB of its loudest frame (speech), else 0. */
function activity(clean: Float32Array): Uint8Array {
  const frames = Math.floor(clean.length / FRAME);
  const power = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let i = f * FRAME; i < (f + 1) * FRAME; i++) sum += clean[i] * clean[i];
    power[f] = sum / FRAME;
  }
  const peak = Math.max(...power);
  return Uint8Array.from(power, (p) => (p > peak * 1e-3 ? 1 : 0));
}

beforeAll(async () => {
  wasm = await loadWasm({}, 'simd');
  const fixtures = NsFixtures.open();
  // Near end: speech with fan noise 20 dB below it; far end: the other talker, heard back through
  // a room-like echo path (below).
  const { near: nearClean, far } = conversation(fixtures);
  nearActive = activity(nearClean);
  const fan = toRate(fixtures.noise('fan'));
  nearLoop = new Float32Array(nearClean.length);
  for (let i = 0; i < nearLoop.length; i++) nearLoop[i] = nearClean[i] + 0.1 * fan[i % fan.length];
  farLoop = far;
  farActive = activity(farLoop);
  // Echo path: 40 ms bulk delay, then 16 seeded reflections over 60 ms decaying 15 ms per neper, −12 dB.
  const random = seededRandom(77);
  const bulk = Math.round(0.04 * RATE);
  const taps = Array.from({ length: 16 }, (_, i) => {
    const delay = i === 0 ? 0 : Math.floor(random() * 0.06 * RATE);
    return { delay: bulk + delay, gain: (i === 0 ? 1 : (random() * 2 - 1)) * Math.exp(-delay / (0.015 * RATE)) };
  });
  const scale = 0.25 / Math.sqrt(taps.reduce((n, t) => n + t.gain * t.gain, 0));
  echoLoop = new Float32Array(farLoop.length);
  for (let n = 0; n < farLoop.length; n++) {
    let v = 0;
    for (const tap of taps) v += tap.gain * farLoop[(n - tap.delay + farLoop.length) % farLoop.length];
    echoLoop[n] = scale * v;
  }
});

/** Power sums per category of input frame, over one window of the hour. */
class WindowMetrics {
  micEchoOnly = 0; outEchoOnly = 0; micNearOnly = 0; outNearOnly = 0; frames = 0;
  erleSum = 0; gainSum = 0; statsCount = 0;
  /** Level change of echo-only input, dB (negative: removed; includes gain control's gain). */
  echoGainDb(): number { return 10 * Math.log10(this.outEchoOnly / this.micEchoOnly); }
  /** Level change of near-end-only input, dB (gain control's gain, less any suppression). */
  nearGainDb(): number { return 10 * Math.log10(this.outNearOnly / this.micNearOnly); }
  /** How much more the echo is attenuated than the near-end speech, dB. */
  echoSuppressionDb(): number { return this.nearGainDb() - this.echoGainDb(); }
}

/** Start (in samples) of the first stretch of `length` samples where the far end is silent and the near end mostly talks. */
function nearOnlyStretch(length: number): number {
  const frames = length / FRAME;
  for (let f = 0; f + frames <= nearActive.length; f++) {
    let far = 0, near = 0;
    for (let g = f; g < f + frames; g++) { far += farActive[g]; near += nearActive[g]; }
    if (far === 0 && near > 0.7 * frames) return f * FRAME;
  }
  throw new Error('the conversation has no near-end-only stretch long enough for the alignment check');
}

/** Lag in [from, to] that maximises the normalised cross-correlation of out against mic over [start, start + length). */
function bestLag(mic: Float32Array, out: Float32Array, from: number, to: number, length: number): number {
  let best = from, bestScore = -Infinity;
  for (let lag = from; lag <= to; lag++) {
    let xy = 0, yy = 0;
    for (let i = 0; i < length; i++) { xy += mic[i] * out[i + lag]; yy += out[i + lag] * out[i + lag]; }
    const score = xy / Math.sqrt(yy + 1e-12);
    if (score > bestScore) { bestScore = score; best = lag; }
  }
  return best;
}

describe('soak: one hour through the capture chain (NS + AEC + AGC) in Node', () => {
  it(`processes ${SOAK_SECONDS / 3600} h of a ${RATE / 1000} kHz call in ${BLOCK}-sample blocks with constant memory and latency, no drift, no NaN and steady quality`, () => {
    const processor = new CaptureProcessor(wasm.exports, {
      sampleRate: RATE, maxBlockSize: BLOCK, noiseSuppression: 'balanced', echoCancellation: 'balanced', gainControl: true,
    });
    const latency = processor.latencySamples;
    const total = SOAK_SECONDS * RATE;
    const mic = new Float32Array(BLOCK), far = new Float32Array(BLOCK), out = new Float32Array(BLOCK);
    // Alignment windows: a stretch where only the near end talks, in the second pass of the loop
    // and in the last complete one (output = processed near-end speech, which must line up with
    // the input at exactly latencySamples).
    const alignStart = nearOnlyStretch(2 * RATE);
    const alignLength = 2 * RATE;
    const span = alignLength + latency + 2 * FRAME;
    const headStart = nearLoop.length + alignStart;
    const tailStart = (Math.floor(total / nearLoop.length) - 1) * nearLoop.length + alignStart;
    const micHead = new Float32Array(span), outHead = new Float32Array(span);
    const micTail = new Float32Array(span), outTail = new Float32Array(span);
    const start = new WindowMetrics(), end = new WindowMetrics();
    let nonFinite = 0, processedOut = 0, latencyChanges = 0, failures = 0;
    let memoryAfterWarmUp = 0, heapAfterWarmUp = 0, memoryGrowths = 0, peakHeap = 0;
    const memoryAtStart = wasm.exports.memory.buffer.byteLength;
    const startedMs = performance.now();
    for (let pos = 0; pos < total; pos += BLOCK) {
      for (let i = 0; i < BLOCK; i++) {
        const n = pos + i;
        far[i] = farLoop[n % farLoop.length];
        mic[i] = nearLoop[n % nearLoop.length] + echoLoop[n % echoLoop.length];
      }
      if (!processor.process(mic, out, far)) failures++;
      processedOut += out.length;
      for (let i = 0; i < BLOCK; i++) {
        const v = out[i];
        if (!Number.isFinite(v)) { nonFinite++; continue; }
        // Output sample pos + i is input sample pos + i − latency: credit it to that input frame's category.
        const n = pos + i - latency;
        if (n < 0) continue;
        const seconds = n / RATE;
        const window = seconds >= START_WINDOW[0] && seconds < START_WINDOW[1] ? start : seconds >= END_WINDOW[0] && seconds < END_WINDOW[1] ? end : null;
        if (window === null) continue;
        const nearOn = nearActive[Math.floor((n % nearLoop.length) / FRAME)] === 1;
        const farOn = farActive[Math.floor((n % farLoop.length) / FRAME)] === 1;
        const inputSample = nearLoop[n % nearLoop.length] + echoLoop[n % echoLoop.length];
        if (farOn && !nearOn) { window.micEchoOnly += inputSample * inputSample; window.outEchoOnly += v * v; }
        else if (nearOn && !farOn) { window.micNearOnly += inputSample * inputSample; window.outNearOnly += v * v; }
      }
      for (const [from, micCopy, outCopy] of [[headStart, micHead, outHead], [tailStart, micTail, outTail]] as const) {
        if (pos + BLOCK <= from || pos >= from + span) continue;
        for (let i = 0; i < BLOCK; i++) {
          const at = pos + i - from;
          if (at >= 0 && at < span) { micCopy[at] = mic[i]; outCopy[at] = out[i]; }
        }
      }
      // Once per second: stats, latency, memory.
      if (Math.floor((pos + BLOCK) / RATE) !== Math.floor(pos / RATE)) {
        const stats = processor.stats();
        if (stats.latencySamples !== latency) latencyChanges++;
        const seconds = (pos + BLOCK) / RATE;
        const window = seconds >= START_WINDOW[0] && seconds < START_WINDOW[1] ? start : seconds >= END_WINDOW[0] && seconds < END_WINDOW[1] ? end : null;
        if (window !== null) {
          window.erleSum += stats.echoReturnLossEnhancementDb ?? 0;
          window.gainSum += stats.gainDb ?? 0;
          window.statsCount++;
        }
        if (Math.floor(seconds) === WARM_UP_SECONDS) {
          memoryAfterWarmUp = wasm.exports.memory.buffer.byteLength;
          heapAfterWarmUp = process.memoryUsage().heapUsed;
        } else if (seconds > WARM_UP_SECONDS) {
          if (wasm.exports.memory.buffer.byteLength !== memoryAfterWarmUp) memoryGrowths++;
          if (Math.floor(seconds) % 60 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
        }
      }
    }
    const elapsedMs = performance.now() - startedMs;
    const finalStats = processor.stats();
    const memoryAtEnd = wasm.exports.memory.buffer.byteLength;
    const heapAtEnd = process.memoryUsage().heapUsed;
    processor.destroy();

    // Alignment: the delay that best maps input onto output, searched ±2 frames around latencySamples.
    const headLag = bestLag(micHead, outHead, latency - 2 * FRAME, latency + 2 * FRAME, alignLength);
    const tailLag = bestLag(micTail, outTail, latency - 2 * FRAME, latency + 2 * FRAME, alignLength);
    const hours = total / RATE / 3600;
    const realTimeFactor = (total / RATE) / (elapsedMs / 1000);
    const mb = (bytes: number) => (bytes / (1 << 20)).toFixed(1);
    console.log(`soak (Node): ${hours.toFixed(2)} h of ${RATE / 1000} kHz audio (NS balanced + AEC balanced + AGC, ${BLOCK}-sample blocks) in ${(elapsedMs / 1000).toFixed(1)} s, `
      + `real-time factor ${realTimeFactor.toFixed(0)}×; Wasm memory ${mb(memoryAtStart)} MB at start, ${mb(memoryAfterWarmUp)} MB after ${WARM_UP_SECONDS} s, ${mb(memoryAtEnd)} MB at the end `
      + `(${memoryGrowths} growths); JS heap ${mb(heapAfterWarmUp)} MB after warm-up, peak ${mb(peakHeap)} MB, ${mb(heapAtEnd)} MB at the end`);
    console.log(`soak (Node): latency ${latency} samples (${(1000 * latency / RATE).toFixed(1)} ms), ${latencyChanges} changes; best alignment lag ${headLag} at the start, ${tailLag} at the end; `
      + `${processedOut} samples out for ${total} in; ${nonFinite} non-finite; underruns ${finalStats.underruns}; `
      + `echo suppressed ${start.echoSuppressionDb().toFixed(1)} dB re near-end speech (minutes 2–7) → ${end.echoSuppressionDb().toFixed(1)} dB (last 5 min); `
      + `ERLE ${(start.erleSum / start.statsCount).toFixed(1)} → ${(end.erleSum / end.statsCount).toFixed(1)} dB; `
      + `near-end gain ${start.nearGainDb().toFixed(1)} → ${end.nearGainDb().toFixed(1)} dB; AGC gain ${(start.gainSum / start.statsCount).toFixed(1)} → ${(end.gainSum / end.statsCount).toFixed(1)} dB`);

    expect(failures).toBe(0);
    expect(finalStats.bypassed).toBe(false);
    expect(nonFinite).toBe(0);
    expect(processedOut).toBe(total);
    expect(finalStats.underruns).toBe(0);
    expect(latencyChanges).toBe(0);
    // No drift: the input maps onto the output at exactly latencySamples, at the start and after an hour.
    expect(headLag).toBe(latency);
    expect(tailLag).toBe(latency);
    expect(memoryGrowths).toBe(0);
    expect(memoryAtEnd).toBe(memoryAfterWarmUp);
    expect(heapAtEnd - heapAfterWarmUp).toBeLessThan(HEAP_SLACK_BYTES);
    // Quality at the end as at the start (the conversation loops, so both windows hear the same
    // material): within 3 dB. And sane in absolute terms: echo suppressed, near-end speech kept.
    expect(Math.abs(end.echoSuppressionDb() - start.echoSuppressionDb())).toBeLessThan(3);
    expect(Math.abs(end.nearGainDb() - start.nearGainDb())).toBeLessThan(3);
    expect(Math.abs(end.erleSum / end.statsCount - start.erleSum / start.statsCount)).toBeLessThan(3);
    expect(end.echoSuppressionDb()).toBeGreaterThan(6);
    expect(end.nearGainDb()).toBeGreaterThan(-6);
  });
});

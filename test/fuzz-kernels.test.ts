// Kernel fuzzing: every kernel built with seeded random options (valid and invalid) and driven with
// over 10,000 random blocks of abnormal input — NaN, ±Inf, denormals, DC, full-scale clipping,
// silence, impulses, noise, ±FLT_MAX and mixtures of all of them. Nothing may throw (but invalid
// construction, with a clean message), trap into bypass, or put NaN/Inf out; and after the bad
// stretch each kernel must come back: clean input gives finite output at the level a fresh instance gives.
import { beforeAll, describe, expect, it } from 'vitest';
import { CaptureProcessor } from '../src/core/capture-processor.js';
import { ReceiveChain } from '../src/core/receive/receive-chain.js';
import { Concealer } from '../src/core/receive/concealer.js';
import { generateTrace, NETWORK_PROFILES, type TraceRow } from '../src/core/receive/network-trace.js';
import { simulateReceive } from '../src/core/receive/simulate.js';
import { PULL_STATUS, PUT_STATUS, type ReceiveExports } from '../src/core/receive/receive-exports.js';
import { VideoCorrector } from '../src/core/video/video-corrector.js';
import type { VideoExports } from '../src/core/video/video-exports.js';
import { loadWasm, type LoadedWasm } from '../src/core/wasm-loader.js';
import { seededRandom } from './helpers/random.js';
import {
  AUDIO_KINDS, type AudioKind, checkThrown, fillAbnormal, levelDb, OutcomeTally, pick, randomInt, speechLike,
} from './helpers/fuzz.js';

/**
 * The chain clamps input to ±16; the resamplers' ringing on a full-scale square wave and the
 * canceller's subtraction can overshoot that a little, never by orders of magnitude.
 */
const CAPTURE_OUTPUT_BOUND = 32;
/**
 * After the bad stretch, the last second of clean input must come out within this many dB of what a
 * fresh instance gives: a level a few dB off is re-convergence still in progress, while a stuck
 * state shows as silence (−100 dB) or a blow-up (measured worst: 1.4 dB).
 */
const RECOVERY_TOLERANCE_DB = 6;

let wasm: LoadedWasm;
beforeAll(async () => {
  wasm = await loadWasm({}, 'simd');
});

/** A random value for a numeric constructor argument that is not valid. */
function invalidNumber(random: () => number, valid: () => number): unknown {
  return pick<unknown>(random, [0, -1, NaN, Infinity, -Infinity, 1e12, 0.5, valid() + 0.5, String(valid()), null, undefined, {}, [valid()], { toString: 0 }, true]);
}

describe('capture chain (CaptureProcessor) under abnormal input', () => {
  it('survives 10,000+ random blocks with random options, rates 8–192 kHz and block sizes, and recovers', () => {
    const random = seededRandom(1001);
    const CONFIGS = 36, BLOCKS_PER_CONFIG = 280;
    let blocks = 0, samples = 0, nonFinite = 0, overBound = 0, bypasses = 0, maxAbs = 0, invalidCounted = 0, agcRecoveries = 0;
    const recoveryDb: number[] = [];
    const kinds = new Map<AudioKind, number>();
    const rates: number[] = [];
    for (let c = 0; c < CONFIGS; c++) {
      // Rates: common device rates and arbitrary integers in 8–192 kHz.
      const sampleRate = random() < 0.5 ? pick(random, [8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000, 176400, 192000]) : randomInt(random, 8000, 192000);
      rates.push(sampleRate);
      // Blocks of 1 and 3 samples only up to 48 kHz: at 192 kHz they cost a million calls per run.
      const maxBlockSize = pick(random, sampleRate <= 48000 ? [1, 3, 127, 128, 441, 480, 1000, 2048, randomInt(random, 1, 4096)] : [127, 128, 441, 480, 1000, 2048, randomInt(random, 64, 4096)]);
      const options = {
        noiseSuppression: pick(random, ['off', 'light', 'balanced', 'strong'] as const),
        echoCancellation: pick(random, ['off', 'light', 'balanced', 'strong', true, false] as const),
        gainControl: random() < 0.5,
      };
      const config = { sampleRate, maxBlockSize, ...options };
      const processor = new CaptureProcessor(wasm.exports, config);
      processor.onError = () => { bypasses++; };
      const latency = processor.latencySamples;
      expect(processor.stats().latencySamples).toBe(latency);
      const maxCall = Math.min(2 * maxBlockSize, Math.round(sampleRate / 50));
      const input = new Float32Array(maxCall), far = new Float32Array(maxCall), output = new Float32Array(maxCall);
      for (let b = 0; b < BLOCKS_PER_CONFIG; b++) {
        const length = randomInt(random, 1, maxCall);
        const kind = pick(random, AUDIO_KINDS);
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        const inView = input.subarray(0, length), outView = output.subarray(0, length);
        fillAbnormal(inView, kind, random);
        let farView: Float32Array | null = null;
        if (processor.hasEchoCanceller && random() < 0.8) {
          // The far end: its own abnormal kind, sometimes shorter than the block (padded with silence).
          farView = far.subarray(0, random() < 0.9 ? length : randomInt(random, 0, length));
          fillAbnormal(farView, pick(random, AUDIO_KINDS), random);
        }
        if (!processor.process(inView, outView, farView)) bypasses++;
        for (let i = 0; i < length; i++) {
          const v = outView[i];
          if (!Number.isFinite(v)) nonFinite++;
          else if (Math.abs(v) > CAPTURE_OUTPUT_BOUND) overBound++;
          maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        blocks++;
        samples += length;
        // Runtime option changes in the middle of the bad stretch.
        if (random() < 0.01) processor.update({ noiseSuppression: pick(random, ['off', 'light', 'balanced', 'strong'] as const), gainControl: random() < 0.5 });
      }
      const stats = processor.stats();
      invalidCounted += stats.invalidInputSamples;
      expect(stats.bypassed, `${JSON.stringify(config)}: ${stats.error}`).toBe(false);
      expect(stats.underruns).toBe(0);
      expect(stats.latencySamples).toBe(latency);
      for (const value of [stats.speechProbability, stats.noiseLevelDbfs, stats.voiceProbability, stats.echoReturnLossEnhancementDb ?? 0,
        stats.echoDelayMs ?? 0, stats.echoSuppressionGainDb ?? 0, stats.gainDb ?? 0]) expect(Number.isFinite(value), JSON.stringify(stats)).toBe(true);

      // Recovery: 2 s of clean speech-like input (far end silent: nothing to cancel) after the bad
      // stretch, against a fresh processor built the same way and fed the same input; noise
      // suppression re-converges within the first second. With gain control the level is not
      // compared: its gain rises at most 6 dB per second of speech, so after the bad stretch drove
      // it down it takes 10–20 s to catch up (the dedicated test below); here its output must be audible.
      const clean = speechLike(sampleRate, 2, c + 1);
      const silentFar = new Float32Array(clean.length);
      const fresh = new CaptureProcessor(wasm.exports, { ...config, ...processor.currentOptions });
      const recovered = new Float32Array(clean.length), reference = new Float32Array(clean.length);
      const chunk = Math.max(maxBlockSize, 128);
      for (let at = 0; at < clean.length; at += chunk) {
        const end = Math.min(clean.length, at + chunk);
        processor.process(clean.subarray(at, end), recovered.subarray(at, end), silentFar.subarray(at, end));
        fresh.process(clean.subarray(at, end), reference.subarray(at, end), silentFar.subarray(at, end));
      }
      for (const v of recovered) if (!Number.isFinite(v)) nonFinite++;
      const from = clean.length - sampleRate;
      const difference = levelDb(recovered, from) - levelDb(reference, from);
      const gainAfter = processor.stats().gainDb;
      if (gainAfter === null) {
        recoveryDb.push(difference);
        expect(Math.abs(difference), `${JSON.stringify(config)}: recovered ${levelDb(recovered, from).toFixed(1)} dB, fresh ${levelDb(reference, from).toFixed(1)} dB`)
          .toBeLessThan(RECOVERY_TOLERANCE_DB);
      } else {
        agcRecoveries++;
        // The bad stretch can leave the gain at its −12 dB floor while a fresh one is at +9 dB or more.
        expect(levelDb(recovered, from), JSON.stringify(config)).toBeGreaterThan(levelDb(reference, from) - 30);
      }
      processor.destroy();
      fresh.destroy();
    }
    const worst = recoveryDb.reduce((w, d) => (Math.abs(d) > Math.abs(w) ? d : w), 0);
    console.log(`fuzz capture: ${CONFIGS} configs (rates ${Math.min(...rates)}–${Math.max(...rates)} Hz), ${blocks} blocks, ${samples} samples `
      + `(${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}); ${nonFinite} non-finite out, ${overBound} beyond ±${CAPTURE_OUTPUT_BOUND}, `
      + `max |out| ${maxAbs.toFixed(2)}, ${bypasses} bypasses, ${invalidCounted} NaN/Inf inputs counted; recovery vs fresh: worst ${worst.toFixed(2)} dB `
      + `over ${recoveryDb.length} configs without gain control (${agcRecoveries} with it: audible)`);
    expect(blocks).toBeGreaterThanOrEqual(10_000);
    expect(nonFinite).toBe(0);
    expect(overBound).toBe(0);
    expect(bypasses).toBe(0);
    expect(invalidCounted).toBeGreaterThan(0);
  });

  it.each([
    { noiseSuppression: 'off', echoCancellation: 'off' },
    { noiseSuppression: 'balanced', echoCancellation: 'off' },
    { noiseSuppression: 'strong', echoCancellation: 'balanced' },
  ] as const)('gain control (NS $noiseSuppression, AEC $echoCancellation) catches up with a fresh instance within 30 s of speech after 3 s of abnormal input', (options) => {
    const rate = 16000;
    const random = seededRandom(1003);
    const config = { sampleRate: rate, maxBlockSize: 160, gainControl: true, ...options };
    const processor = new CaptureProcessor(wasm.exports, config);
    const fresh = new CaptureProcessor(wasm.exports, config);
    const block = new Float32Array(160), far = new Float32Array(160), out = new Float32Array(160);
    for (let b = 0; b < 300; b++) {
      fillAbnormal(block, pick(random, AUDIO_KINDS), random);
      fillAbnormal(far, pick(random, AUDIO_KINDS), random);
      processor.process(block, out, far);
    }
    const afterBadStretch = processor.stats().gainDb!;
    const clean = speechLike(rate, 30, 3);
    const silence = new Float32Array(160);
    const at10s: number[] = [];
    for (let at = 0; at < clean.length; at += 160) {
      processor.process(clean.subarray(at, at + 160), out, silence);
      fresh.process(clean.subarray(at, at + 160), out, silence);
      if (at === 10 * rate) at10s.push(processor.stats().gainDb!, fresh.stats().gainDb!);
    }
    const recovered = processor.stats().gainDb!, reference = fresh.stats().gainDb!;
    console.log(`fuzz gain control (${JSON.stringify(options)}): gain ${afterBadStretch.toFixed(1)} dB after 3 s of abnormal input, `
      + `${at10s[0].toFixed(1)} dB after 10 s of speech (fresh ${at10s[1].toFixed(1)}), ${recovered.toFixed(1)} dB after 30 s (fresh ${reference.toFixed(1)})`);
    expect(Math.abs(recovered - reference)).toBeLessThan(1);
    processor.destroy();
    fresh.destroy();
  });

  /** 3 s of abnormal audio of `kinds` on the microphone and the far end, then 20 s of a clean echo: dB of echo removed in the last 5 s and ERLE, vs a fresh chain. */
  function echoRecoveryAfter(kinds: readonly AudioKind[], seed: number): { erle: number; freshErle: number; removedDb: number; freshRemovedDb: number } {
    const rate = 48000, block = 480;
    const random = seededRandom(seed);
    const config = { sampleRate: rate, maxBlockSize: block, noiseSuppression: 'off' as const, echoCancellation: 'balanced' as const };
    const processor = new CaptureProcessor(wasm.exports, config);
    const fresh = new CaptureProcessor(wasm.exports, config);
    const mic = new Float32Array(block), far = new Float32Array(block), out = new Float32Array(block);
    for (let b = 0; b < 300; b++) {
      fillAbnormal(mic, pick(random, kinds), random);
      fillAbnormal(far, pick(random, kinds), random);
      processor.process(mic, out, far);
    }
    // A clean echo: the far end (speech-like) through a 50 ms, −10 dB path, no near-end talker.
    const seconds = 20, delay = rate / 20;
    const farEnd = speechLike(rate, seconds, 5).map((v) => 0.5 * v);
    const echo = new Float32Array(farEnd.length);
    for (let n = delay; n < echo.length; n++) echo[n] = 0.3 * farEnd[n - delay];
    const recovered = new Float32Array(echo.length), reference = new Float32Array(echo.length);
    for (let at = 0; at < echo.length; at += block) {
      processor.process(echo.subarray(at, at + block), recovered.subarray(at, at + block), farEnd.subarray(at, at + block));
      fresh.process(echo.subarray(at, at + block), reference.subarray(at, at + block), farEnd.subarray(at, at + block));
    }
    const from = echo.length - 5 * rate;
    const result = {
      removedDb: levelDb(echo, from) - levelDb(recovered, from), freshRemovedDb: levelDb(echo, from) - levelDb(reference, from),
      erle: processor.stats().echoReturnLossEnhancementDb!, freshErle: fresh.stats().echoReturnLossEnhancementDb!,
    };
    processor.destroy();
    fresh.destroy();
    console.log(`fuzz echo canceller recovery (${kinds.length === AUDIO_KINDS.length ? 'all kinds' : kinds.join('/')}, seed ${seed}): removes ${result.removedDb.toFixed(1)} dB of echo `
      + `in the last 5 s after the bad stretch, a fresh one ${result.freshRemovedDb.toFixed(1)} dB; ERLE ${result.erle.toFixed(1)} vs ${result.freshErle.toFixed(1)} dB`);
    return result;
  }

  // Found by the fuzzing above: after 3 s of abnormal input on both the microphone and the far end
  // the echo canceller did not re-converge (ERLE ~1 dB after 20 s of a clean echo, a fresh one ~26
  // dB). The capture chain restarts the canceller once the input is clean again after ≥ 50 ms of
  // NaN/Inf/beyond-full-scale samples (assembly/capture-chain.ts), keeping its far-end history
  // (restarting with it zeroed in the middle of an echo left it at ~18 dB removed vs ~30 dB).
  it('the echo canceller re-converges within 20 s of a clean echo after 3 s of abnormal input (any kind)', () => {
    for (const seed of [1004, 1005, 1006]) {
      const r = echoRecoveryAfter(AUDIO_KINDS, seed);
      expect(r.erle).toBeGreaterThan(r.freshErle - RECOVERY_TOLERANCE_DB);
      expect(r.removedDb).toBeGreaterThan(r.freshRemovedDb - RECOVERY_TOLERANCE_DB);
    }
  });

  // KNOWN BUG: abnormal input made only of samples a device can produce (DC, clipping, impulses,
  // full-scale noise: nothing invalid, so no restart) can leave the delay estimator on a wrong delay
  // for 10 s and more (its correlation sums raw products, and the loud junk outweighs speech): with
  // this seed the linear ERLE is ~9 dB after 20 s (fresh ~26). Normalising each frame's contribution
  // found the delay in 6 s but the filter still did not converge for 6 s more, and cost 3 dB ERLE on a
  // sparse path in eval:aec, so it was not kept. When fixed this passes: change it.fails to it.
  it.fails('KNOWN BUG: the echo canceller re-converges within 20 s after 3 s of DC/clipping/impulses/noise only', () => {
    const r = echoRecoveryAfter(['dc', 'clipping', 'silence', 'impulse', 'noise', 'mixture', 'denormal'], 1004);
    expect(r.erle).toBeGreaterThan(r.freshErle - RECOVERY_TOLERANCE_DB);
    expect(r.removedDb).toBeGreaterThan(r.freshRemovedDb - RECOVERY_TOLERANCE_DB);
  });

  it('rejects 500 invalid configurations with a clean TypeError/RangeError', () => {
    const random = seededRandom(1002);
    const tally = new OutcomeTally();
    for (let i = 0; i < 500; i++) {
      const config: Record<string, unknown> = { sampleRate: 48000, maxBlockSize: 128 };
      const r = random();
      if (r < 0.35) config.sampleRate = invalidNumber(random, () => 48000);
      else if (r < 0.6) config.maxBlockSize = invalidNumber(random, () => 128);
      else if (r < 0.75) config.noiseSuppression = pick(random, ['medium', '', null, 3, { toString: 0 }, 'x'.repeat(200)]);
      else if (r < 0.9) config.echoCancellation = pick(random, ['on', 1, 0, null, {}, 'BALANCED']);
      else config[pick(random, ['gainControl', 'bogus', 'toString', 'constructor'])] = pick(random, ['yes', 1, null, {}]);
      tally.run(() => new CaptureProcessor(wasm.exports, config as never).destroy(), () => JSON.stringify(config));
    }
    console.log(`fuzz capture configurations: ${tally.total} → ${tally.valid} accepted, ${tally.errors} clean errors (${tally.distinctMessages} distinct), ${tally.failed} bad`);
    expect(tally.failures, tally.failures.join('\n')).toEqual([]);
  });
});

describe('receive chain under abnormal packets', () => {
  it('survives 10,000+ pulls of random packets (reordered, duplicated, late, garbage sequence numbers and times, abnormal audio) and recovers', () => {
    const exports = wasm.exports as unknown as ReceiveExports;
    const random = seededRandom(2001);
    const CONFIGS = 24, PULLS_PER_CONFIG = 450;
    let pulls = 0, puts = 0, nonFinite = 0, maxAbs = 0, errors = 0;
    const stuckChains = new Map<string, number>();
    const putStatuses = new Map<string, number>(), pullStatuses = new Map<string, number>();
    const recoveryDb: number[] = [];
    const tally = new OutcomeTally();
    for (let c = 0; c < CONFIGS; c++) {
      const sampleRate = pick(random, [8000, 16000, 24000, 44100, 48000, 96000, 100 * randomInt(random, 80, 960)]);
      const packetMs = pick(random, [10, 20, 20, 40, 60]);
      const packetSamples = (sampleRate * packetMs) / 1000;
      const jitterBuffer = {
        minDelayMs: pick(random, [0, 0, 20, 100]), maxDelayMs: pick(random, [200, 1000, 5000]),
        quantile: 0.5 + 0.499 * random(), forgetFactor: 0.9 + 0.09999 * random(), peakDecayMsPerSecond: 1000 * random(),
        capacityPackets: pick(random, [4, 16, 256, 1024]), timeStretching: random() < 0.7,
      };
      const chain = tally.run(() => new ReceiveChain(exports, { sampleRate, maxPacketSamples: packetSamples, jitterBuffer }), () => JSON.stringify(jitterBuffer));
      if (chain === undefined) continue;
      // Every chain gets what a real network does (loss, duplicates, jitter that reorders and makes
      // packets late, receiver-clock stalls and steps) with abnormal audio, plus values the JS edge
      // must refuse (NaN, non-integers); every other chain (hostile) also gets garbage sequence
      // numbers, timestamps and arrival times anywhere in their ranges.
      const hostile = c % 2 === 1;
      const packet = new Float32Array(packetSamples + 10);
      let seq = randomInt(random, 0, 0xffff), ts = randomInt(random, 0, 0xffffffff);
      let nowMs = 1000 * random();
      // Packets in flight: a real network sends one per packetMs and delivers it after a jitter delay.
      const inFlight: { sequence: number; timestamp: number; arrivalMs: number; concealment?: boolean }[] = [];
      let nextSendMs = nowMs;
      const putPacket = (sequence: number, timestamp: number, arrivalMs: number, concealment = false): void => {
        const length = random() < 0.95 ? packetSamples : pick(random, [0, 1, packetSamples - 1, packetSamples + 1, packetSamples + 10]);
        const samples = packet.subarray(0, Math.min(length, packet.length));
        fillAbnormal(samples, random() < 0.5 ? 'noise' : pick(random, AUDIO_KINDS), random);
        const status = concealment ? chain.putDecoderConcealment(sequence, timestamp, samples) : chain.put(sequence, timestamp, arrivalMs, samples);
        expect(PUT_STATUS).toContain(status);
        putStatuses.set(status, (putStatuses.get(status) ?? 0) + 1);
        puts++;
      };
      for (let p = 0; p < PULLS_PER_CONFIG; p++) {
        while (nextSendMs <= nowMs) {
          // Sent: lost 10 %, duplicated 5 %, delayed 20 ms + exponential jitter (mean 40 ms, so
          // reordered and sometimes far too late).
          const copies = random() < 0.1 ? 0 : random() < 0.05 ? 2 : 1;
          for (let i = 0; i < copies; i++) inFlight.push({ sequence: seq, timestamp: ts, arrivalMs: nextSendMs + 20 - 40 * Math.log(Math.max(random(), 1e-9)) });
          // Half the lost ones come back as a decoder's concealment (Opus placeholder), at any time.
          if (copies === 0 && random() < 0.5) inFlight.push({ sequence: seq, timestamp: ts, arrivalMs: nextSendMs + 200 * random(), concealment: true });
          seq = (seq + 1) & 0xffff;
          ts = (ts + packetSamples) >>> 0;
          nextSendMs += packetMs;
        }
        inFlight.sort((a, b) => a.arrivalMs - b.arrivalMs);
        while (inFlight.length > 0 && inFlight[0].arrivalMs <= nowMs) {
          const { sequence, timestamp, arrivalMs, concealment } = inFlight.shift()!;
          putPacket(sequence, timestamp, arrivalMs, concealment);
        }
        // Values the JS edge must refuse, and (hostile chains) garbage anywhere in the 16/32-bit ranges.
        const r = random();
        if (r < 0.03) putPacket(pick(random, hostile ? [-1, 65536, 2 ** 31, -(2 ** 40), 1.5, NaN] : [1.5, NaN, Infinity]), ts, nowMs);
        else if (r < 0.06) putPacket(seq, ts, pick(random, [NaN, Infinity, -Infinity]));
        else if (r < 0.08) putPacket(seq, pick(random, hostile ? [1.5, NaN, -(2 ** 53)] : [1.5, NaN, -Infinity]), nowMs);
        else if (hostile && r < 0.2) putPacket(randomInt(random, 0, 0xffff), random() < 0.5 ? ts : randomInt(random, 0, 0xffffffff), nowMs);
        else if (hostile && r < 0.25) putPacket(seq, pick(random, [0, 0xffffffff, -1, 2 ** 40, ts + 1e9]), pick(random, [nowMs, -1e9, 1e15]));
        // The receiver clock: 10 ms per pull with timer jitter, sometimes a repeated or stepped-back
        // time; hostile chains also get jumps of up to 0.5 s (pulls skipped, so the buffer fills).
        const step = random();
        nowMs += step < 0.9 ? 10 + 6 * (random() - 0.5) : step < 0.95 && hostile ? 10 + 500 * random() : step < 0.98 ? -30 * random() : 0;
        const status = chain.pull(random() < 0.01 ? pick(random, [NaN, Infinity, -Infinity]) : nowMs);
        expect(PULL_STATUS).toContain(status);
        pullStatuses.set(status, (pullStatuses.get(status) ?? 0) + 1);
        pulls++;
        for (const v of chain.output) {
          if (!Number.isFinite(v)) nonFinite++;
          else maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        if (random() < 0.002) chain.update({ timeStretching: random() < 0.5, minDelayMs: pick(random, [0, 40]) });
      }
      const stats = chain.stats();
      if (stats.error !== null) errors++;
      for (const [key, value] of Object.entries(stats)) if (typeof value === 'number') expect(Number.isFinite(value), `${key} ${value}`).toBe(true);

      // Recovery: the same stream goes on with 3 s of clean, in-order packets of speech-like audio
      // (sequence and timestamp continuing from the last in-order packet, arrivals on the receiver's
      // clock), against a fresh chain with the same settings fed the same packets.
      const fresh = new ReceiveChain(exports, { sampleRate, maxPacketSamples: packetSamples, jitterBuffer: chain.current });
      const clean = speechLike(sampleRate, 3, c + 1);
      const got: number[] = [], want: number[] = [];
      const playedBefore = chain.stats().packetsPlayed;
      const recoveryPuts = new Map<string, number>();
      const startSeq = (seq + 1) & 0xffff, startTs = (ts + packetSamples) >>> 0;
      const base = Math.ceil(nowMs / 10) * 10 + 10;
      for (let k = 0, t = 0; t < 3000 + 200; t += 10) {
        while (k * packetMs <= t && (k + 1) * packetSamples <= clean.length) {
          const body = clean.subarray(k * packetSamples, (k + 1) * packetSamples);
          const recoveryPut = chain.put((startSeq + k) & 0xffff, (startTs + k * packetSamples) >>> 0, base + t, body);
          recoveryPuts.set(recoveryPut, (recoveryPuts.get(recoveryPut) ?? 0) + 1);
          fresh.put((startSeq + k) & 0xffff, (startTs + k * packetSamples) >>> 0, base + t, body);
          k++;
        }
        chain.pull(base + t);
        fresh.pull(base + t);
        got.push(...chain.output);
        want.push(...fresh.output);
      }
      for (const v of got) if (!Number.isFinite(v)) nonFinite++;
      const from = got.length - sampleRate;
      const difference = levelDb(got, from) - levelDb(want, from);
      // Every chain must play the clean stream again. (The fuzzing found chains that never did: stray
      // far-ahead timestamps, timestamp jumps, a skipped-pull backlog, a small buffer full of packets
      // ahead of playout; assembly/receive/receive-chain.ts now re-syncs, skips ahead or jumps.)
      const playedClean = chain.stats().packetsPlayed - playedBefore;
      if (playedClean < 0.5 * (clean.length / packetSamples)) {
        const [dominant] = [...recoveryPuts].sort((a, b) => b[1] - a[1])[0];
        const reason = `${dominant === 'ok' ? 'unplayed' : dominant}${hostile ? '' : ' (not hostile)'}`;
        stuckChains.set(reason, (stuckChains.get(reason) ?? 0) + 1);
        chain.destroy();
        fresh.destroy();
        continue;
      }
      recoveryDb.push(difference);
      expect(Math.abs(difference), `rate ${sampleRate}, ${packetMs} ms packets, ${JSON.stringify(jitterBuffer)}`).toBeLessThan(RECOVERY_TOLERANCE_DB);
      chain.destroy();
      fresh.destroy();
    }
    const worst = recoveryDb.reduce((w, d) => (Math.abs(d) > Math.abs(w) ? d : w), 0);
    console.log(`fuzz receive chain: ${tally.valid} chains, ${puts} puts (${[...putStatuses].map(([s, n]) => `${s} ${n}`).join(', ')}), `
      + `${pulls} pulls (${[...pullStatuses].map(([s, n]) => `${s} ${n}`).join(', ')}); ${nonFinite} non-finite out, max |out| ${maxAbs.toFixed(2)}, `
      + `${errors} kernel errors; recovery vs fresh: worst ${worst.toFixed(2)} dB over ${recoveryDb.length} chains; `
      + `chains stuck after the bad stretch: ${[...stuckChains].map(([why, n]) => `${n} with the clean packets ${why}`).join(', ') || 'none'}`);
    expect(tally.failures, tally.failures.join('\n')).toEqual([]);
    expect([...stuckChains]).toEqual([]);
    expect(pulls).toBeGreaterThanOrEqual(10_000);
    expect(nonFinite).toBe(0);
    expect(errors).toBe(0);
  });

  // Found by the fuzzing above (fixed in assembly/receive/receive-chain.ts): when the buffered packets
  // lay further ahead of the playout timeline than the buffer holds (an RTP sequence + timestamp
  // jump, or a stray packet from far ahead), the chain concealed towards them while every new packet
  // was dropped for overflow, and normal playout never resumed. The chain now refuses packets off the
  // stream's timeline and re-syncs (as NetEq flushes) once three in a row agree on a new one.
  it('after an RTP sequence + timestamp jump of 500 packets, normal playout resumes within 2 s', () => {
    const exports = wasm.exports as unknown as ReceiveExports;
    const rate = 48000, packet = 960;
    const chain = new ReceiveChain(exports, { sampleRate: rate, maxPacketSamples: packet });
    const clean = speechLike(rate, 2, 1);
    let statuses = '';
    for (let k = 0, t = 0; t < 6000; t += 10) {
      while (k * 20 <= t) {
        const jump = k >= 100 ? 500 : 0;
        chain.put((k + jump) & 0xffff, ((k + jump) * packet) >>> 0, t, clean.subarray((k % 100) * packet, (k % 100 + 1) * packet));
        k++;
      }
      statuses += chain.pull(t)[0];
    }
    const resumedAfterMs = 10 * statuses.slice(200).search(/n{20}/);
    const stats = chain.stats();
    console.log(`fuzz receive jump: normal playout ${resumedAfterMs < 0 ? 'never resumed in 4 s' : `resumed ${resumedAfterMs} ms`} after a 500-packet jump; `
      + `concealed ${stats.concealedMs.toFixed(0)} ms, ${stats.overflowDrops} packets dropped for overflow`);
    chain.destroy();
    expect(resumedAfterMs).toBeGreaterThanOrEqual(0);
    expect(resumedAfterMs).toBeLessThan(2000);
  });

  // Found by the fuzzing above (fixed): two stray packets whose RTP timestamps lay 1e9 and 2e9 samples
  // ahead ratcheted the packet buffer's timestamp reference forward, after which every packet of the
  // real stream was refused as 'invalid'. Stray packets are now refused before they touch any state.
  it('two stray packets with far-future timestamps do not make the chain refuse the real stream', () => {
    const exports = wasm.exports as unknown as ReceiveExports;
    const rate = 16000, packet = 320;
    const chain = new ReceiveChain(exports, { sampleRate: rate, maxPacketSamples: packet });
    const clean = speechLike(rate, 2, 1);
    const later = new Map<string, number>();
    for (let k = 0, t = 0; t < 4000; t += 10) {
      while (k * 20 <= t) {
        if (k === 50) [1e9, 2e9].forEach((ahead, i) => chain.put(60000 + i, (k * packet + ahead) >>> 0, t, new Float32Array(packet)));
        const status = chain.put(k, k * packet, t, clean.subarray((k % 100) * packet, (k % 100 + 1) * packet));
        if (k > 50) later.set(status, (later.get(status) ?? 0) + 1);
        k++;
      }
      chain.pull(t);
    }
    console.log(`fuzz receive stray timestamps: puts of the real stream afterwards: ${[...later].map(([st, n]) => `${st} ${n}`).join(', ')}`);
    chain.destroy();
    expect(later.get('invalid') ?? 0).toBe(0);
  });

  it('the stand-alone concealer survives 10,000+ random real/lost blocks of abnormal audio and recovers', () => {
    const exports = wasm.exports as unknown as ReceiveExports;
    const random = seededRandom(2002);
    const CONFIGS = 20, BLOCKS = 510;
    let blocks = 0, lostBlocks = 0, nonFinite = 0, maxAbs = 0;
    const recoveryDb: number[] = [];
    for (let c = 0; c < CONFIGS; c++) {
      const sampleRate = pick(random, [8000, 16000, 32000, 44100, 48000, 96000, 100 * randomInt(random, 80, 960)]);
      const maxBlock = pick(random, [sampleRate / 100, sampleRate / 50, randomInt(random, 1, (sampleRate * 120) / 1000)]);
      const concealer = new Concealer(exports, sampleRate, maxBlock);
      const block = new Float32Array(maxBlock);
      for (let b = 0; b < BLOCKS; b++) {
        const lost = random() < 0.3;
        const length = random() < 0.8 ? maxBlock : pick(random, [0, 1, -5, NaN, maxBlock + 100, randomInt(random, 1, maxBlock)]);
        fillAbnormal(block, pick(random, AUDIO_KINDS), random);
        const { output } = concealer.process(lost ? null : block, length);
        for (const v of output) {
          if (!Number.isFinite(v)) nonFinite++;
          else maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        if (lost) lostBlocks++;
        blocks++;
      }
      // Recovery: 2 s of clean speech-like blocks with 10 % losses vs a fresh concealer.
      const fresh = new Concealer(exports, sampleRate, maxBlock);
      const clean = speechLike(sampleRate, 2, c + 7);
      const got = new Float32Array(clean.length), want = new Float32Array(clean.length);
      for (let at = 0, i = 0; at + maxBlock <= clean.length; at += maxBlock, i++) {
        const lost = i % 10 === 5;
        const part = clean.subarray(at, at + maxBlock);
        got.set(concealer.process(lost ? null : part).output, at);
        want.set(fresh.process(lost ? null : part).output, at);
      }
      for (const v of got) if (!Number.isFinite(v)) nonFinite++;
      const half = Math.floor(clean.length / 2);
      const difference = levelDb(got, half) - levelDb(want, half);
      recoveryDb.push(difference);
      expect(Math.abs(difference), `rate ${sampleRate}, block ${maxBlock}`).toBeLessThan(RECOVERY_TOLERANCE_DB);
      concealer.destroy();
      fresh.destroy();
    }
    const worst = recoveryDb.reduce((w, d) => (Math.abs(d) > Math.abs(w) ? d : w), 0);
    console.log(`fuzz concealer: ${CONFIGS} configs, ${blocks} blocks (${lostBlocks} lost); ${nonFinite} non-finite out, max |out| ${maxAbs.toFixed(2)}; `
      + `recovery vs fresh: worst ${worst.toFixed(2)} dB`);
    expect(blocks).toBeGreaterThanOrEqual(10_000);
    expect(nonFinite).toBe(0);
  });

  it('simulateReceive plays 30 seeded random traces (every profile, with duplicated, shuffled and out-of-range rows) to finite output', () => {
    const exports = wasm.exports as unknown as ReceiveExports;
    const random = seededRandom(2003);
    let frames = 0, nonFinite = 0;
    const profiles = Object.keys(NETWORK_PROFILES);
    for (let i = 0; i < 30; i++) {
      const sampleRate = pick(random, [8000, 16000, 48000]);
      const signal = speechLike(sampleRate, 2, i);
      const packets = Math.ceil(signal.length / (sampleRate / 50));
      const rows: TraceRow[] = generateTrace(NETWORK_PROFILES[pick(random, profiles)], packets, i + 1);
      for (let k = 0; k < 5; k++) {
        const row = rows[Math.floor(random() * rows.length)];
        rows.push(pick(random, [{ ...row }, { ...row, seq: row.seq + 1000 }, { ...row, arrivalMs: (row.arrivalMs ?? 0) + 5000 }, { seq: row.seq, sendMs: 0, arrivalMs: 0 }]));
      }
      rows.sort(() => random() - 0.5);
      const result = simulateReceive(exports, signal, sampleRate, rows, { jitterBuffer: { timeStretching: random() < 0.5 } });
      frames += result.frameStatuses.length;
      for (const v of result.output) if (!Number.isFinite(v)) nonFinite++;
      expect(result.output.length).toBe(signal.length);
      expect(result.stats.error).toBeNull();
    }
    console.log(`fuzz simulateReceive: 30 traces, ${frames} frames pulled, ${nonFinite} non-finite samples`);
    expect(nonFinite).toBe(0);
  });

  it('rejects 400 invalid receive configurations with a clean TypeError/RangeError', () => {
    const exports = wasm.exports as unknown as ReceiveExports;
    const random = seededRandom(2004);
    const tally = new OutcomeTally();
    for (let i = 0; i < 400; i++) {
      const r = random();
      tally.run(() => {
        if (r < 0.25) new ReceiveChain(exports, { sampleRate: invalidNumber(random, () => 48000) as number }).destroy();
        else if (r < 0.4) new ReceiveChain(exports, { sampleRate: 48000, maxPacketSamples: invalidNumber(random, () => 960) as number }).destroy();
        else if (r < 0.7) {
          const key = pick(random, ['minDelayMs', 'maxDelayMs', 'quantile', 'forgetFactor', 'peakDecayMsPerSecond', 'capacityPackets', 'timeStretching', 'toString', 'bogus']);
          new ReceiveChain(exports, { sampleRate: 48000, jitterBuffer: { [key]: invalidNumber(random, () => 10) } }).destroy();
        } else if (r < 0.85) new Concealer(exports, invalidNumber(random, () => 48000) as number, 480).destroy();
        else new Concealer(exports, 48000, invalidNumber(random, () => 480) as number).destroy();
      }, () => `case ${r.toFixed(3)}`);
    }
    console.log(`fuzz receive configurations: ${tally.total} → ${tally.valid} accepted, ${tally.errors} clean errors (${tally.distinctMessages} distinct), ${tally.failed} bad`);
    expect(tally.failures, tally.failures.join('\n')).toEqual([]);
  });
});

// ---- video ----

const PIXEL_KINDS = ['random', 'black', 'white', 'constant', 'gradient', 'checker', 'spikes', 'stripes'] as const;

function fillPixels(frame: Uint8Array, width: number, kind: (typeof PIXEL_KINDS)[number], random: () => number): void {
  const n = frame.length;
  switch (kind) {
    case 'random': for (let i = 0; i < n; i++) frame[i] = Math.floor(random() * 256); break;
    case 'black': frame.fill(0); break;
    case 'white': frame.fill(255); break;
    case 'constant': frame.fill(Math.floor(random() * 256)); break;
    case 'gradient': for (let i = 0; i < n; i++) frame[i] = (i % width) * 255 / Math.max(1, width - 1); break;
    case 'checker': for (let i = 0; i < n; i++) frame[i] = ((i % width) + Math.floor(i / width)) % 2 === 0 ? 0 : 255; break;
    case 'spikes': frame.fill(16); for (let i = 0; i < 20; i++) frame[Math.floor(random() * n)] = 255; break;
    case 'stripes': for (let i = 0; i < n; i++) frame[i] = Math.floor(i / width) % 2 === 0 ? 235 : 16; break;
  }
}

/** A smooth natural-looking frame (gradient + soft noise) that moves a little each frame. */
function naturalFrame(width: number, height: number, bytes: number, t: number, random: () => number): Uint8Array {
  const frame = new Uint8Array(bytes);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) frame[y * width + x] = Math.max(0, Math.min(255, 60 + 100 * ((x + t) % width) / width + 40 * y / height + 6 * (random() - 0.5)));
  }
  frame.fill(128, width * height);
  return frame;
}

/** Natural frames after the bad stretch: exposure and white balance re-adapt over about 2 s at 30 fps. */
const RECOVERY_FRAMES = 90;

describe('video corrector under random sizes and pixels', () => {
  it('survives 10,000+ frames at random valid sizes, formats and options, and recovers', () => {
    const exports = wasm.exports as unknown as VideoExports;
    const random = seededRandom(3001);
    let frames = 0, configs = 0, bypasses = 0, badStats = 0;
    const recoveryLumaDiff: number[] = [];
    while (frames < 10_200) {
      // Mostly small frames (fast); every 10th config a larger one, up to 4K once.
      const large = configs % 10 === 9;
      const width = 2 * (large ? randomInt(random, 160, configs === 19 ? 2048 : 640) : randomInt(random, 1, 40));
      const height = 2 * (large ? randomInt(random, 90, configs === 19 ? 1080 : 360) : randomInt(random, 1, 30));
      const format = random() < 0.5 ? 'I420' as const : 'NV12' as const;
      const options = {
        exposure: random() < 0.5 ? random() : random() < 0.5, whiteBalance: random() < 0.5 ? random() : random() < 0.5,
        denoise: random() < 0.5 ? 10 * random() : 0, sharpen: random() < 0.5 ? 10 * random() : 0,
      };
      const corrector = new VideoCorrector(exports, { width, height, format, options });
      const count = large ? (configs === 19 ? 3 : 10) : randomInt(random, 100, 400);
      const frame = new Uint8Array(corrector.frameBytes);
      for (let f = 0; f < count; f++) {
        fillPixels(frame, width, pick(random, PIXEL_KINDS), random);
        const output = corrector.processFrame(frame);
        expect(output.length).toBe(corrector.frameBytes);
        if (random() < 0.01) corrector.update({ denoise: 10 * random(), exposure: random() < 0.5 });
        if (random() < 0.005) corrector.reset();
        frames++;
      }
      const stats = corrector.stats();
      if (stats.bypassed) bypasses++;
      const values = [stats.meanLuma, stats.midGamma, stats.gains.red, stats.gains.green, stats.gains.blue, stats.noiseSigma];
      if (!values.every(Number.isFinite) || stats.meanLuma < 0 || stats.meanLuma > 255 || stats.gains.red <= 0 || stats.gains.blue <= 0) badStats++;

      // Recovery: 90 natural frames vs a fresh corrector with the same settings; compare the last frame's mean luma.
      if (!large) {
        const fresh = new VideoCorrector(exports, { width, height, format, options: { exposure: corrector.current.exposureStrength, whiteBalance: corrector.current.whiteBalanceStrength, denoise: corrector.current.denoiseStrength, sharpen: corrector.current.sharpenStrength } });
        let got = 0, want = 0;
        for (let t = 0; t < RECOVERY_FRAMES; t++) {
          const natural = naturalFrame(width, height, corrector.frameBytes, t, seededRandom(configs * 100 + t));
          const a = corrector.processFrame(natural), b = fresh.processFrame(natural);
          if (t === RECOVERY_FRAMES - 1) {
            for (let i = 0; i < width * height; i++) { got += a[i]; want += b[i]; }
          }
        }
        recoveryLumaDiff.push(Math.abs(got - want) / (width * height));
        fresh.destroy();
      }
      corrector.destroy();
      configs++;
    }
    const worst = Math.max(...recoveryLumaDiff);
    console.log(`fuzz video: ${configs} configs, ${frames} frames; ${bypasses} bypassed, ${badStats} with non-finite or out-of-range stats; `
      + `recovery vs fresh after ${RECOVERY_FRAMES} natural frames: worst mean-luma difference ${worst.toFixed(2)} levels`);
    expect(bypasses).toBe(0);
    expect(badStats).toBe(0);
    // After 3 s of natural frames the adaptive stages have re-converged (measured: under 0.5 levels;
    // after only 30 frames up to 19): a stuck or blown-up state would be tens of levels off.
    expect(worst).toBeLessThan(2);
  });

  it('rejects 600 invalid sizes, formats, options and frame lengths with a clean TypeError/RangeError', () => {
    const exports = wasm.exports as unknown as VideoExports;
    const random = seededRandom(3002);
    const tally = new OutcomeTally();
    const corrector = new VideoCorrector(exports, { width: 16, height: 8 });
    for (let i = 0; i < 600; i++) {
      const r = random();
      tally.run(() => {
        if (r < 0.4) {
          const width = random() < 0.5 ? invalidNumber(random, () => 64) : pick(random, [3, 4097, 4098, 8192, 1]);
          const height = random() < 0.5 ? invalidNumber(random, () => 48) : pick(random, [5, 4096, 4098, 1]);
          new VideoCorrector(exports, { width: width as number, height: height as number }).destroy();
        } else if (r < 0.5) new VideoCorrector(exports, { width: 4096, height: 4096 }).destroy();
        else if (r < 0.6) new VideoCorrector(exports, { width: 16, height: 8, format: pick(random, ['YUY2', 'i420', '', null, 1, { toString: 0 }]) as never }).destroy();
        else if (r < 0.85) corrector.update({ [pick(random, ['exposure', 'whiteBalance', 'denoise', 'sharpen', 'toString', 'bogus'])]: pick<unknown>(random, [-1, 11, 1.5, NaN, Infinity, 'on', null, {}, { toString: 0 }]) } as never);
        else corrector.processFrame(new Uint8Array(pick(random, [0, 1, corrector.frameBytes - 1, corrector.frameBytes + 1])));
      }, () => `case ${r.toFixed(3)}`);
    }
    // Rejected updates left the settings valid and the corrector working.
    expect(corrector.processFrame(new Uint8Array(corrector.frameBytes).fill(100)).length).toBe(corrector.frameBytes);
    expect(corrector.stats().bypassed).toBe(false);
    corrector.destroy();
    console.log(`fuzz video configurations: ${tally.total} → ${tally.valid} accepted, ${tally.errors} clean errors (${tally.distinctMessages} distinct), ${tally.failed} bad`);
    expect(tally.failures, tally.failures.join('\n')).toEqual([]);
  });
});

// The classification the tests above rely on.
describe('kernel fuzz helpers', () => {
  it('fills every abnormal kind with what it names', () => {
    const random = seededRandom(1);
    const block = new Float32Array(256);
    fillAbnormal(block, 'nan', random);
    expect(block.some(Number.isNaN)).toBe(true);
    fillAbnormal(block, 'denormal', random);
    expect(block.every((v) => Math.abs(v) < 1.2e-38)).toBe(true);
    fillAbnormal(block, 'clipping', random);
    expect(block.every((v) => Math.abs(v) === 1)).toBe(true);
    expect(checkThrown(new RangeError('ok')).clean).toBe(true);
  });
});

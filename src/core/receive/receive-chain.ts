// The receive chain from JS: one Wasm ReceiveChain (jitter buffer + WSOLA time stretching + packet-
// loss concealment) for decoded PCM packets of one channel. Configuration is validated here, at
// the edge; put() and pull() never throw: bad packets come back as 'invalid', and a kernel trap
// turns the chain silent and is reported once in stats().
import { Float32View } from '../memory-view.js';
import { describeValue } from '../describe-value.js';
import {
  hasReceiveExports, PULL_STATUS, PUT_STATUS, RECEIVE_STAT, type PullStatus, type PutStatus, type ReceiveExports,
} from './receive-exports.js';
import { type JitterBufferOptions, type JitterBufferSettings, validateJitterBufferOptions } from './receive-options.js';

export const RECEIVE_MIN_SAMPLE_RATE_HZ = 8000;
export const RECEIVE_MAX_SAMPLE_RATE_HZ = 96000;
/** Longest packet the chain accepts (Opus's longest frame). */
export const RECEIVE_MAX_PACKET_MS = 120;

export interface ReceiveChainConfig {
  /** Stream rate in Hz: a multiple of 100 from 8000 to 96000. */
  sampleRate: number;
  /** Longest packet in samples. Default: 60 ms at the rate. */
  maxPacketSamples?: number;
  jitterBuffer?: JitterBufferOptions;
}

export interface ReceiveStats {
  /** Delay of the next sample above the fastest transit seen, ms. */
  currentDelayMs: number;
  targetDelayMs: number;
  packetsReceived: number;
  packetsPlayed: number;
  /** Packets that arrived after their time was played out (or concealed). */
  packetsLate: number;
  /** Packets whose start was already concealed; their remainder was played. */
  packetsPartlyLate: number;
  /** Sequence numbers in the range seen that never arrived. */
  packetsMissing: number;
  /** packetsLate / packets expected (highest − lowest sequence + 1). */
  lateLossRate: number;
  duplicates: number;
  overflowDrops: number;
  invalidPackets: number;
  concealedMs: number;
  accelerateCount: number;
  decelerateCount: number;
  mergeCount: number;
  /** Lost packets played from the codec decoder's own concealment (putDecoderConcealment), put and played. */
  decoderConcealmentsPut: number;
  decoderConcealmentsPlayed: number;
  /** Audio removed by accelerate / inserted by decelerate, ms. */
  acceleratedMs: number;
  deceleratedMs: number;
  /** Mean time from a packet's arrival to the playout of its first sample, ms. */
  meanAddedDelayMs: number;
  framesPlayed: number;
  bufferedPackets: number;
  settings: JitterBufferSettings;
  error: string | null;
}

export class ReceiveChain {
  readonly sampleRate: number;
  readonly frameSamples: number;
  readonly maxPacketSamples: number;
  private handle: number;
  private settings: JitterBufferSettings;
  private readonly inputView: Float32View;
  private readonly outputView: Float32View;
  private error: string | null = null;
  /** Packets refused here for NaN/Inf samples (the kernel counts the other invalid ones). */
  private nonFinitePackets = 0;
  private lastNowMs = 0;

  constructor(private readonly exports: ReceiveExports, config: ReceiveChainConfig) {
    if (!hasReceiveExports(exports)) throw new TypeError('this Wasm build has no receive kernels; rebuild with `npm run asbuild`');
    if (typeof config !== 'object' || config === null) throw new TypeError('ReceiveChain needs { sampleRate, maxPacketSamples?, jitterBuffer? }');
    const { sampleRate } = config;
    if (!Number.isInteger(sampleRate) || sampleRate < RECEIVE_MIN_SAMPLE_RATE_HZ || sampleRate > RECEIVE_MAX_SAMPLE_RATE_HZ || sampleRate % 100 !== 0) {
      throw new RangeError(`receive sample rate must be a multiple of 100 Hz from ${RECEIVE_MIN_SAMPLE_RATE_HZ} to ${RECEIVE_MAX_SAMPLE_RATE_HZ}, got ${describeValue(sampleRate)}`);
    }
    const largest = (sampleRate * RECEIVE_MAX_PACKET_MS) / 1000;
    const maxPacketSamples = config.maxPacketSamples ?? (sampleRate * 60) / 1000;
    if (!Number.isInteger(maxPacketSamples) || maxPacketSamples < 1 || maxPacketSamples > largest) {
      throw new RangeError(`maxPacketSamples must be an integer from 1 to ${largest} (${RECEIVE_MAX_PACKET_MS} ms), got ${describeValue(maxPacketSamples)}`);
    }
    this.settings = validateJitterBufferOptions(config.jitterBuffer);
    const handle = exports.receiveCreate(sampleRate, this.settings.capacityPackets, maxPacketSamples);
    if (handle < 0) throw new RangeError(`the receive kernel refused ${sampleRate} Hz with ${maxPacketSamples}-sample packets`);
    this.handle = handle;
    this.sampleRate = sampleRate;
    this.maxPacketSamples = maxPacketSamples;
    this.frameSamples = exports.receiveFrameSamples(handle);
    this.inputView = new Float32View(exports.memory, exports.receiveInputPtr(handle), maxPacketSamples);
    this.outputView = new Float32View(exports.memory, exports.receiveOutputPtr(handle), this.frameSamples);
    this.applySettings();
  }

  /** The last pulled 10 ms frame (a view of the kernel's buffer, valid until the next pull()). */
  get output(): Float32Array { return this.outputView.array; }
  get current(): Readonly<JitterBufferSettings> { return this.settings; }

  /**
   * Puts one packet: `sequence` (16-bit RTP, wraps), `timestamp` (32-bit RTP in samples, wraps),
   * `arrivalMs` on the receiver's clock, and its decoded samples. Never throws.
   */
  put(sequence: number, timestamp: number, arrivalMs: number, samples: Float32Array): PutStatus {
    if (!Number.isFinite(arrivalMs)) return 'invalid';
    return this.putSamples(sequence, timestamp, arrivalMs, samples, false);
  }

  /**
   * Puts the codec decoder's concealment of lost packet (sequence, timestamp) — e.g. Opus decoding a
   * 1-byte placeholder, which keeps its state in step with the stream. The chain still conceals the
   * packet itself and hands over to these samples across it, so the next real packet joins without
   * a merge; the real packet replaces it if it still comes. Never throws.
   */
  putDecoderConcealment(sequence: number, timestamp: number, samples: Float32Array): PutStatus {
    return this.putSamples(sequence, timestamp, 0, samples, true);
  }

  /** Validates and copies `samples` into the kernel's input, then puts them as a packet or a decoder's concealment. */
  private putSamples(sequence: number, timestamp: number, arrivalMs: number, samples: Float32Array, concealment: boolean): PutStatus {
    if (this.handle < 0 || this.error !== null) return 'invalid';
    if (!(samples instanceof Float32Array) || samples.length < 1 || samples.length > this.maxPacketSamples
      || !Number.isInteger(sequence) || !Number.isInteger(timestamp)) return 'invalid';
    // NaN/Inf samples would pass the jitter buffer into the output and the concealer's history: such a
    // packet is refused (and concealed like a lost one). Finite samples are clamped to ±16.
    if (!allFinite(samples)) {
      this.nonFinitePackets++;
      return 'invalid';
    }
    try {
      const input = this.inputView.head(samples.length);
      input.set(samples);
      clampSamples(input);
      const code = concealment
        ? this.exports.receivePutDecoderConcealment(this.handle, sequence & 0xffff, timestamp >>> 0, samples.length)
        : this.exports.receivePut(this.handle, sequence & 0xffff, timestamp >>> 0, arrivalMs, samples.length);
      return PUT_STATUS[code] ?? 'invalid';
    } catch (error) {
      this.fail(error);
      return 'invalid';
    }
  }

  /**
   * Plays the next 10 ms at `nowMs` (receiver clock) into `output`. Never throws. A non-finite
   * `nowMs` is taken as the last finite one (it would poison the delay statistics).
   */
  pull(nowMs: number): PullStatus {
    if (this.handle < 0 || this.error !== null) {
      this.output.fill(0);
      return 'waiting';
    }
    if (Number.isFinite(nowMs)) this.lastNowMs = nowMs;
    try {
      return PULL_STATUS[this.exports.receivePull(this.handle, this.lastNowMs)] ?? 'waiting';
    } catch (error) {
      this.fail(error);
      this.output.fill(0);
      return 'waiting';
    }
  }

  /** Changes jitter-buffer settings (capacityPackets only at construction). Throws on bad options. */
  update(options: JitterBufferOptions): void {
    const next = validateJitterBufferOptions(options, this.settings);
    if (next.capacityPackets !== this.settings.capacityPackets) throw new RangeError('capacityPackets can only be set when the chain is created');
    this.settings = next;
    this.applySettings();
  }

  setSimd(on: boolean): void { if (this.handle >= 0) this.exports.receiveSetSimd(this.handle, on ? 1 : 0); }
  reset(): void { if (this.handle >= 0) this.exports.receiveReset(this.handle); }

  stats(): ReceiveStats {
    const stat = (id: number): number => (this.handle >= 0 ? this.exports.receiveStat(this.handle, id) : 0);
    const s = RECEIVE_STAT;
    const msPerSample = 1000 / this.sampleRate;
    const received = stat(s.packetsReceived), late = stat(s.packetsLate), played = stat(s.packetsPlayed);
    const expected = received + late > 0 ? stat(s.highestSequence) - stat(s.lowestSequence) + 1 : 0;
    return {
      currentDelayMs: stat(s.currentDelayMs),
      targetDelayMs: stat(s.targetDelayMs),
      packetsReceived: received,
      packetsPlayed: played,
      packetsLate: late,
      packetsPartlyLate: stat(s.packetsPartlyLate),
      packetsMissing: Math.max(0, expected - received - late),
      lateLossRate: expected > 0 ? late / expected : 0,
      duplicates: stat(s.duplicates),
      overflowDrops: stat(s.overflowDrops),
      invalidPackets: stat(s.invalidPackets) + this.nonFinitePackets,
      concealedMs: stat(s.concealedSamples) * msPerSample,
      accelerateCount: stat(s.accelerateCount),
      decelerateCount: stat(s.decelerateCount),
      mergeCount: stat(s.mergeCount),
      decoderConcealmentsPut: stat(s.decoderConcealmentsPut),
      decoderConcealmentsPlayed: stat(s.decoderConcealmentsPlayed),
      acceleratedMs: stat(s.removedSamples) * msPerSample,
      deceleratedMs: stat(s.insertedSamples) * msPerSample,
      meanAddedDelayMs: played > 0 ? stat(s.addedDelaySumMs) / played : 0,
      framesPlayed: stat(s.framesPlayed),
      bufferedPackets: stat(s.bufferedPackets),
      settings: { ...this.settings },
      error: this.error,
    };
  }

  destroy(): void {
    if (this.handle < 0) return;
    this.exports.receiveDestroy(this.handle);
    this.exports.collectGarbage();
    this.handle = -1;
  }

  private applySettings(): void {
    const s = this.settings;
    this.exports.receiveConfigure(this.handle, s.minDelayMs, s.maxDelayMs, s.quantile, s.forgetFactor, s.peakDecayMsPerSecond);
    this.exports.receiveSetTimeStretching(this.handle, s.timeStretching ? 1 : 0);
  }

  private fail(error: unknown): void {
    this.error ??= error instanceof Error ? error.message : String(error);
  }
}

/** Largest sample magnitude passed to the kernels (as the capture chain's input sanitizing): keeps their energy sums finite. */
export const RECEIVE_SAMPLE_LIMIT = 16;

/** Clamps `samples` in place to ±RECEIVE_SAMPLE_LIMIT. */
export function clampSamples(samples: Float32Array): void {
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    if (v > RECEIVE_SAMPLE_LIMIT) samples[i] = RECEIVE_SAMPLE_LIMIT;
    else if (v < -RECEIVE_SAMPLE_LIMIT) samples[i] = -RECEIVE_SAMPLE_LIMIT;
  }
}

/** True when the first `count` samples are finite numbers (one pass, no allocation). */
export function allFinite(samples: Float32Array, count = samples.length): boolean {
  const end = Math.min(count, samples.length);
  for (let i = 0; i < end; i++) if (!Number.isFinite(samples[i])) return false;
  return true;
}

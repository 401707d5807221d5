// Options of the receive chain (jitter buffer + time stretching + concealment): one typed defaults
// object and one validate() at the edge that throws a clear RangeError/TypeError.
import { describeValue } from '../describe-value.js';

export interface JitterBufferOptions {
  /** Lowest playout delay the buffer may target, ms. Default 0. */
  minDelayMs?: number;
  /** Highest playout delay the buffer may target, ms. Default 1000. */
  maxDelayMs?: number;
  /** Fraction of packets the target delay should cover (0.5–0.999). Default 0.985. */
  quantile?: number;
  /** Per-packet forgetting factor of the delay histogram (0.9–0.99999); 0.998 ≈ 10 s of 20 ms packets. Default 0.998. */
  forgetFactor?: number;
  /** How fast the burst peak tracker decays, ms of delay per second (0–1000). Default 10. */
  peakDecayMsPerSecond?: number;
  /** Packets the buffer holds (4–1024). Default 256 (over 5 s of 20 ms packets). */
  capacityPackets?: number;
  /** Speed up / slow down playout (WSOLA) to follow the target delay. Default true. */
  timeStretching?: boolean;
}

export type JitterBufferSettings = Required<JitterBufferOptions>;

export const JITTER_BUFFER_DEFAULTS: Readonly<JitterBufferSettings> = Object.freeze({
  minDelayMs: 0,
  maxDelayMs: 1000,
  quantile: 0.985,
  forgetFactor: 0.998,
  peakDecayMsPerSecond: 10,
  capacityPackets: 256,
  timeStretching: true,
});

const RANGES: Record<Exclude<keyof JitterBufferSettings, 'timeStretching'>, [number, number, boolean]> = {
  minDelayMs: [0, 5000, false],
  maxDelayMs: [10, 5000, false],
  quantile: [0.5, 0.999, false],
  forgetFactor: [0.9, 0.99999, false],
  peakDecayMsPerSecond: [0, 1000, false],
  capacityPackets: [4, 1024, true],
};

/** Validates `options` over `base` (defaults) and returns complete settings; throws on a bad value. */
export function validateJitterBufferOptions(options: JitterBufferOptions = {}, base: JitterBufferSettings = JITTER_BUFFER_DEFAULTS): JitterBufferSettings {
  if (typeof options !== 'object' || options === null) throw new TypeError('jitter buffer options must be an object');
  const settings: JitterBufferSettings = { ...base };
  for (const [key, value] of Object.entries(options) as [keyof JitterBufferOptions, unknown][]) {
    if (value === undefined) continue;
    if (key === 'timeStretching') {
      if (typeof value !== 'boolean') throw new TypeError(`jitter buffer option timeStretching must be a boolean, got ${describeValue(value)}`);
      settings.timeStretching = value;
      continue;
    }
    // Own keys only: 'toString' or 'constructor' must not find Object.prototype's members.
    const range = Object.hasOwn(RANGES, key) ? RANGES[key as keyof typeof RANGES] : undefined;
    if (range === undefined) throw new TypeError(`unknown jitter buffer option '${describeValue(key)}'; accepted: ${[...Object.keys(RANGES), 'timeStretching'].join(', ')}`);
    const [low, high, integer] = range;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < low || value > high || (integer && !Number.isInteger(value))) {
      throw new RangeError(`jitter buffer option ${key} must be ${integer ? 'an integer' : 'a number'} from ${low} to ${high}, got ${describeValue(value)}`);
    }
    settings[key as keyof typeof RANGES] = value;
  }
  if (settings.minDelayMs > settings.maxDelayMs) {
    throw new RangeError(`jitter buffer minDelayMs (${settings.minDelayMs}) must not exceed maxDelayMs (${settings.maxDelayMs})`);
  }
  return settings;
}

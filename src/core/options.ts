// Capture-chain options: one typed interface, one DEFAULTS object, one validate() at the edge.
import { describeValue } from './describe-value.js';

export const NOISE_SUPPRESSION_LEVELS = ['off', 'light', 'balanced', 'strong'] as const;
export type NoiseSuppressionLevel = (typeof NOISE_SUPPRESSION_LEVELS)[number];

export const ECHO_CANCELLATION_LEVELS = ['off', 'light', 'balanced', 'strong'] as const;
export type EchoCancellationLevel = (typeof ECHO_CANCELLATION_LEVELS)[number];

export interface CaptureOptions {
  /** Noise suppression strength. Default `'balanced'`. */
  noiseSuppression?: NoiseSuppressionLevel;
  /**
   * Echo cancellation against the far end passed to process() (the audio the speakers play):
   * residual-echo suppression depth −30 / −45 / −60 dB for light / balanced / strong; `true` is
   * `'balanced'`, `false` is `'off'`. Default `'off'` (no canceller is built).
   */
  echoCancellation?: boolean | EchoCancellationLevel;
  /** Automatic gain control to a −18 dBFS speech level (VAD-gated) with a −1 dBFS limiter. Default `false`. */
  gainControl?: boolean;
}

/** Options after validation: echo cancellation always as a level. */
export interface ResolvedCaptureOptions {
  noiseSuppression: NoiseSuppressionLevel;
  echoCancellation: EchoCancellationLevel;
  gainControl: boolean;
}

export const CAPTURE_DEFAULTS: Readonly<ResolvedCaptureOptions> = Object.freeze({
  noiseSuppression: 'balanced',
  echoCancellation: 'off',
  gainControl: false,
});

/** Fills defaults and rejects unknown keys or values with a TypeError/RangeError naming what is accepted. */
export function validateCaptureOptions(options: unknown): ResolvedCaptureOptions {
  if (options === undefined || options === null) return { ...CAPTURE_DEFAULTS };
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`capture options must be an object, got ${Array.isArray(options) ? 'an array' : typeof options}`);
  }
  const known = new Set(Object.keys(CAPTURE_DEFAULTS));
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new TypeError(`unknown capture option '${describeValue(key)}'; accepted: ${[...known].join(', ')}`);
  }
  const o = options as CaptureOptions;
  const ns = o.noiseSuppression ?? CAPTURE_DEFAULTS.noiseSuppression;
  if (!NOISE_SUPPRESSION_LEVELS.includes(ns)) {
    throw new RangeError(`noiseSuppression must be one of ${NOISE_SUPPRESSION_LEVELS.join('|')}, got '${describeValue(ns)}'`);
  }
  const ec = o.echoCancellation ?? CAPTURE_DEFAULTS.echoCancellation;
  let echoCancellation: EchoCancellationLevel;
  if (ec === true) echoCancellation = 'balanced';
  else if (ec === false) echoCancellation = 'off';
  else if (ECHO_CANCELLATION_LEVELS.includes(ec)) echoCancellation = ec;
  else throw new RangeError(`echoCancellation must be true, false or one of ${ECHO_CANCELLATION_LEVELS.join('|')}, got '${describeValue(ec)}'`);
  const gc = o.gainControl ?? CAPTURE_DEFAULTS.gainControl;
  if (typeof gc !== 'boolean') throw new TypeError(`gainControl must be a boolean, got ${typeof gc}`);
  return { noiseSuppression: ns, echoCancellation, gainControl: gc };
}

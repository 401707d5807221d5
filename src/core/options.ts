// Capture-chain options: one typed interface, one DEFAULTS object, one validate() at the edge.

export const NOISE_SUPPRESSION_LEVELS = ['off', 'light', 'balanced', 'strong'] as const;
export type NoiseSuppressionLevel = (typeof NOISE_SUPPRESSION_LEVELS)[number];

export interface CaptureOptions {
  /** Noise suppression strength. Default `'balanced'`. */
  noiseSuppression?: NoiseSuppressionLevel;
}

export const CAPTURE_DEFAULTS: Readonly<Required<CaptureOptions>> = Object.freeze({
  noiseSuppression: 'balanced',
});

/** Fills defaults and rejects unknown keys or values with a TypeError/RangeError naming what is accepted. */
export function validateCaptureOptions(options: unknown): Required<CaptureOptions> {
  if (options === undefined || options === null) return { ...CAPTURE_DEFAULTS };
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`capture options must be an object, got ${Array.isArray(options) ? 'an array' : typeof options}`);
  }
  const known = new Set(Object.keys(CAPTURE_DEFAULTS));
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new TypeError(`unknown capture option '${key}'; accepted: ${[...known].join(', ')}`);
  }
  const o = options as CaptureOptions;
  const ns = o.noiseSuppression ?? CAPTURE_DEFAULTS.noiseSuppression;
  if (!NOISE_SUPPRESSION_LEVELS.includes(ns)) {
    throw new RangeError(`noiseSuppression must be one of ${NOISE_SUPPRESSION_LEVELS.join('|')}, got '${String(ns)}'`);
  }
  return { noiseSuppression: ns };
}

// Signal-to-noise ratio and segmental SNR of an estimate against its clean reference, where the
// "noise" is everything that differs: e = reference - estimate. Both signals must be time-aligned.
//
// Segmental SNR follows the composite-measure code of P. C. Loizou, "Speech Enhancement: Theory and
// Practice" (CRC Press, 2nd ed. 2013), comp_snr.m — itself the definition of S. R. Quackenbush,
// T. P. Barnwell, M. A. Clements, "Objective Measures of Speech Quality" (1988), eq. 2.12, with the
// [-10, 35] dB clamp suggested by Papamichalis (1987):
//   frames of round(30 ms · fs) samples, hop floor(frame / 4) (75 % overlap), MATLAB hanning window
//   on both signals, floor(length / hop - frame / hop) frames starting at sample 0;
//   per frame 10·log10(Σ s² / (Σ (s - ŝ)² + eps) + eps), clamped to [-10, 35] dB; the mean over frames.
// As in Loizou's code, frames where the reference is silent are not skipped: they score -10 dB, even
// when the estimate is silent there too (0 / eps). Pass `silenceThresholdDb` to skip them instead
// (an option, not part of the reference definition).

import { matlabHanning } from './spectral.js';

/** numpy/MATLAB double eps, as in Loizou's code. */
const EPS = 2.220446049250313e-16;

export const SEGMENTAL_SNR_FRAME_SECONDS = 0.03;
export const SEGMENTAL_SNR_MIN_DB = -10;
export const SEGMENTAL_SNR_MAX_DB = 35;

function checkLengths(name: string, reference: ArrayLike<number>, estimate: ArrayLike<number>): void {
  if (reference.length !== estimate.length) {
    throw new RangeError(`${name}: reference and estimate must have the same length, got ${reference.length} and ${estimate.length}`);
  }
}

/**
 * Whole-signal SNR in dB: 10·log10(Σ s² / Σ (s - ŝ)²). +Infinity when the estimate equals the
 * reference; -Infinity when the reference is all zeros (and the estimate is not).
 */
export function snrDb(reference: ArrayLike<number>, estimate: ArrayLike<number>): number {
  checkLengths('snrDb', reference, estimate);
  let signal = 0;
  let error = 0;
  for (let i = 0; i < reference.length; i++) {
    const s = reference[i];
    const d = s - estimate[i];
    signal += s * s;
    error += d * d;
  }
  return 10 * Math.log10(signal / error);
}

export interface SegmentalSnrOptions {
  /** Skip frames whose windowed reference energy is more than this many dB below the loudest frame. Default: skip none (Loizou). */
  silenceThresholdDb?: number;
}

/** Per-frame segmental SNRs in dB (already clamped), one per analysis frame; see the file header. */
export function segmentalSnrFramesDb(
  reference: ArrayLike<number>, estimate: ArrayLike<number>, sampleRateHz: number, options: SegmentalSnrOptions = {},
): Float64Array {
  checkLengths('segmentalSnrDb', reference, estimate);
  const frameLength = Math.round(SEGMENTAL_SNR_FRAME_SECONDS * sampleRateHz);
  const hop = Math.floor(frameLength / 4);
  const frameCount = Math.max(0, Math.floor(reference.length / hop - frameLength / hop));
  const window = matlabHanning(frameLength);
  const snrs = new Float64Array(frameCount);
  const signalEnergies = new Float64Array(frameCount);
  for (let f = 0; f < frameCount; f++) {
    const start = f * hop;
    let signal = 0;
    let noise = 0;
    for (let i = 0; i < frameLength; i++) {
      const s = window[i] * reference[start + i];
      const d = s - window[i] * estimate[start + i];
      signal += s * s;
      noise += d * d;
    }
    const frameSnr = 10 * Math.log10(signal / (noise + EPS) + EPS);
    snrs[f] = Math.min(SEGMENTAL_SNR_MAX_DB, Math.max(SEGMENTAL_SNR_MIN_DB, frameSnr));
    signalEnergies[f] = signal;
  }
  if (options.silenceThresholdDb === undefined) return snrs;
  const loudest = signalEnergies.reduce((a, b) => Math.max(a, b), 0);
  const floor = loudest * 10 ** (-options.silenceThresholdDb / 10);
  return snrs.filter((_, f) => signalEnergies[f] > floor);
}

/**
 * Segmental SNR in dB (Loizou / Quackenbush, 30 ms frames, 75 % overlap, clamped to [-10, 35] dB).
 * NaN when the signal is shorter than one frame or every frame was skipped as silent.
 */
export function segmentalSnrDb(
  reference: ArrayLike<number>, estimate: ArrayLike<number>, sampleRateHz: number, options: SegmentalSnrOptions = {},
): number {
  const frames = segmentalSnrFramesDb(reference, estimate, sampleRateHz, options);
  if (frames.length === 0) return NaN;
  let sum = 0;
  for (let f = 0; f < frames.length; f++) sum += frames[f];
  return sum / frames.length;
}

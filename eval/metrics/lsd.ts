// Log-spectral distance (LSD) between a reference and an estimate, in dB: the root-mean-square
// difference of their log power spectra per STFT frame, averaged over the frames where the reference
// is not silent. The usual definition in speech enhancement and bandwidth extension (e.g. A. Gray,
// J. Markel, "Distance measures for speech processing", IEEE TASSP 24(5), 1976; used as "LSD" by
// the bandwidth-extension literature):
//   LSD = (1/|T|) Σ_{t∈T} sqrt( (1/K) Σ_k (10·log10((P_ref[t,k] + ε) / (P_est[t,k] + ε)))² )
// with P = |STFT|², k over bins 0 … min(fftSize/2, maxFrequencyHz), T the frames whose reference
// energy is within `silenceThresholdDb` (default 60 dB) of the loudest reference frame, and
// ε = 1e-10 · (largest reference bin power), i.e. a floor 100 dB below the reference's peak so that
// empty bins do not dominate. The STFT uses a periodic Hann window of the power of two closest to
// 32 ms (2048 at 48 kHz, 512 at 16 kHz), hop 1/4 of it, frames fully inside the signal.
// A pure gain g gives LSD = |20·log10 g| (bins above the floor); identical signals give 0.

import { Fft, framePowerSpectrum, periodicHann } from './spectral.js';

export const LSD_FRAME_SECONDS = 0.032;
export const LSD_DEFAULT_SILENCE_THRESHOLD_DB = 60;
/** The spectral floor ε relative to the reference's largest bin power (-100 dB). */
export const LSD_FLOOR_RELATIVE = 1e-10;

export interface LogSpectralDistanceOptions {
  /**
   * Reference frames more than this many dB below the loudest reference frame are ignored. Default 60.
   * Infinity keeps every frame, digitally silent ones included.
   */
  silenceThresholdDb?: number;
  /** Highest frequency included. Default: half the sample rate (all bins). */
  maxFrequencyHz?: number;
}

/** FFT size used by {@link logSpectralDistanceDb} at a sample rate: the power of two closest to 32 ms. */
export function lsdFftSize(sampleRateHz: number): number {
  return 2 ** Math.round(Math.log2(LSD_FRAME_SECONDS * sampleRateHz));
}

/** Log-spectral distance in dB (see the file header). NaN when the reference is entirely silent. */
export function logSpectralDistanceDb(
  reference: ArrayLike<number>, estimate: ArrayLike<number>, sampleRateHz: number,
  options: LogSpectralDistanceOptions = {},
): number {
  if (reference.length !== estimate.length) {
    throw new RangeError(`logSpectralDistanceDb: reference and estimate must have the same length, got ${reference.length} and ${estimate.length}`);
  }
  const silenceThresholdDb = options.silenceThresholdDb ?? LSD_DEFAULT_SILENCE_THRESHOLD_DB;
  const fftSize = lsdFftSize(sampleRateHz);
  const hop = fftSize / 4;
  const binCount = Math.min(
    fftSize / 2 + 1, Math.floor((options.maxFrequencyHz ?? sampleRateHz / 2) / sampleRateHz * fftSize) + 1,
  );
  const frameCount = reference.length <= fftSize ? 1 : Math.floor((reference.length - fftSize) / hop) + 1;
  const window = periodicHann(fftSize);
  const fft = new Fft(fftSize);
  const re = new Float64Array(fftSize);
  const im = new Float64Array(fftSize);
  const r = new Float64Array(fftSize / 2 + 1);
  const e = new Float64Array(fftSize / 2 + 1);
  // Pass 1: reference frame energies and peak bin, which set the silence gate and the floor.
  const frameEnergy = new Float64Array(frameCount);
  let peakBinPower = 0;
  for (let t = 0; t < frameCount; t++) {
    framePowerSpectrum(reference, t * hop, window, fft, re, im, r);
    for (let k = 0; k < binCount; k++) {
      frameEnergy[t] += r[k];
      peakBinPower = Math.max(peakBinPower, r[k]);
    }
  }
  const loudestFrame = frameEnergy.reduce((a, b) => Math.max(a, b), 0);
  if (loudestFrame === 0) return NaN;
  const silentBelow = loudestFrame * 10 ** (-silenceThresholdDb / 10);
  const floor = LSD_FLOOR_RELATIVE * peakBinPower;
  // Pass 2: the distance over the non-silent frames.
  let sum = 0;
  let used = 0;
  for (let t = 0; t < frameCount; t++) {
    if (frameEnergy[t] < silentBelow) continue;
    framePowerSpectrum(reference, t * hop, window, fft, re, im, r);
    framePowerSpectrum(estimate, t * hop, window, fft, re, im, e);
    let squares = 0;
    for (let k = 0; k < binCount; k++) {
      const differenceDb = 10 * Math.log10((r[k] + floor) / (e[k] + floor));
      squares += differenceDb * differenceDb;
    }
    sum += Math.sqrt(squares / binCount);
    used++;
  }
  return sum / used;
}

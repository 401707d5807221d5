// Short-Time Objective Intelligibility: STOI (C. H. Taal, R. C. Hendriks, R. Heusdens, J. Jensen,
// "An Algorithm for Intelligibility Prediction of Time-Frequency Weighted Noisy Speech", IEEE TASLP
// 19(7), 2011) and extended STOI (J. Jensen, C. H. Taal, "An Algorithm for Predicting the
// Intelligibility of Speech Masked by Modulated Noise Maskers", IEEE TASLP 24(11), 2016).
//
// A step-by-step port of pystoi 0.4 (github.com/mpariente/pystoi: pystoi/stoi.py at commit 5698450,
// pystoi/utils.py at commit b88df5a), itself checked against Taal's MATLAB code:
//  1. resample to 10 kHz with `resample_oct` — Octave's resample() anti-aliasing filter (Kaiser-windowed
//     sinc, 60 dB rejection, roll-off 1/10 of the cut-off) applied as scipy's resample_poly does it;
//     ported exactly (same taps, same alignment, same output length), so only float rounding differs;
//  2. remove frames whose clean energy is > 40 dB below the loudest clean frame (256-sample
//     hanning(256) frames, hop 128), then overlap-add the kept windowed frames back together;
//  3. STFT: the same window, hop 128, 512-point FFT, frames starting at 0, 128, … < length - 256;
//     fewer than 30 frames → 1e-5, as pystoi returns (with a warning there);
//  4. 15 one-third-octave bands from a 150 Hz centre, edges snapped to the nearest FFT bin,
//     band envelope = sqrt(Σ |X[k]|²) over the band's bins [low, high);
//  5. every 30-frame segment: scale the processed envelope to the clean one's norm, clip it at
//     clean · (1 + 10^(15/20)) (β = -15 dB), correlate with the clean envelope; mean over bands and
//     segments. ESTOI instead row- then column-normalizes each 15×30 segment and averages the
//     column correlations.
// One intentional difference: pystoi's ESTOI adds eps·randn before normalizing (only to avoid 0/0);
// here an all-zero row or column simply contributes 0, which keeps the result deterministic.

import { Fft, framePowerSpectrum, matlabHanning } from './spectral.js';

export const STOI_SAMPLE_RATE_HZ = 10_000;
export const STOI_FRAME_SAMPLES = 256;
export const STOI_HOP_SAMPLES = 128;
export const STOI_FFT_SIZE = 512;
export const STOI_BAND_COUNT = 15;
export const STOI_LOWEST_CENTER_HZ = 150;
export const STOI_SEGMENT_FRAMES = 30;
export const STOI_CLIP_BETA_DB = -15;
export const STOI_DYNAMIC_RANGE_DB = 40;
/** What pystoi returns when fewer than STOI_SEGMENT_FRAMES frames survive silence removal. */
export const STOI_TOO_SHORT = 1e-5;

/** numpy's float64 machine epsilon, used by pystoi wherever it guards a division. */
const EPS = 2.220446049250313e-16;

export interface StoiOptions {
  /** Compute extended STOI (Jensen & Taal 2016) instead of STOI. Default false. */
  extended?: boolean;
}

/**
 * STOI of `processed` against the time-aligned `clean` reference, both at `sampleRateHz` and of equal
 * length. About 0.4–0.5 for unintelligible and 1 for identical signals (it is scale-invariant).
 */
export function stoi(
  clean: ArrayLike<number>, processed: ArrayLike<number>, sampleRateHz: number, options: StoiOptions = {},
): number {
  if (clean.length !== processed.length) {
    throw new RangeError(`stoi: clean and processed must have the same length, got ${clean.length} and ${processed.length}`);
  }
  if (!(sampleRateHz > 0) || !Number.isInteger(sampleRateHz)) {
    throw new RangeError(`stoi: sample rate must be a positive integer, got ${sampleRateHz}`);
  }
  let x: ArrayLike<number> = clean;
  let y: ArrayLike<number> = processed;
  if (sampleRateHz !== STOI_SAMPLE_RATE_HZ) {
    x = resampleOctave(clean, STOI_SAMPLE_RATE_HZ, sampleRateHz);
    y = resampleOctave(processed, STOI_SAMPLE_RATE_HZ, sampleRateHz);
  }
  const voiced = removeSilentFrames(x, y, STOI_DYNAMIC_RANGE_DB, STOI_FRAME_SAMPLES, STOI_HOP_SAMPLES);
  const xBands = thirdOctaveEnvelopes(voiced.clean);
  const yBands = thirdOctaveEnvelopes(voiced.processed);
  const frameCount = xBands.length === 0 ? 0 : xBands[0].length;
  if (frameCount < STOI_SEGMENT_FRAMES) return STOI_TOO_SHORT;
  return options.extended === true ? extendedCorrelation(xBands, yBands) : clippedCorrelation(xBands, yBands);
}

/** Extended STOI (ESTOI); same inputs as {@link stoi}. */
export function estoi(clean: ArrayLike<number>, processed: ArrayLike<number>, sampleRateHz: number): number {
  return stoi(clean, processed, sampleRateHz, { extended: true });
}

// ---------------------------------------------------------------------------------------------
// Step 1: resampling (pystoi utils.resample_oct = Octave resample filter + scipy resample_poly).

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0, by its power series (converges fast for x < 30). */
function besselI0(x: number): number {
  const quarterSquare = x * x / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 200; k++) {
    term *= quarterSquare / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * Octave's resample() anti-aliasing filter for the reduced ratio up/down (pystoi
 * `_resample_window_oct`), normalized to unit sum and multiplied by `up` as resample_poly does.
 */
export function octaveResampleFilter(up: number, down: number): Float64Array {
  const stopbandCutoff = 1 / (2 * Math.max(up, down));
  const rollOffWidth = stopbandCutoff / 10;
  const rejectionDb = 60; // -20 · log10(1e-3)
  const half = Math.ceil((rejectionDb - 8) / (28.714 * rollOffWidth));
  const beta = rejectionDb > 50
    ? 0.1102 * (rejectionDb - 8.7)
    : rejectionDb >= 21 ? 0.5842 * (rejectionDb - 21) ** 0.4 + 0.07886 * (rejectionDb - 21) : 0;
  const length = 2 * half + 1;
  const h = new Float64Array(length);
  const i0Beta = besselI0(beta);
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const t = i - half;
    const arg = 2 * stopbandCutoff * t;
    const sinc = t === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
    const ratio = (i - half) / half;
    const kaiser = besselI0(beta * Math.sqrt(Math.max(0, 1 - ratio * ratio))) / i0Beta;
    h[i] = kaiser * 2 * up * stopbandCutoff * sinc;
    sum += h[i];
  }
  for (let i = 0; i < length; i++) h[i] = h[i] / sum * up;
  return h;
}

/**
 * Resamples by up/down exactly as `scipy.signal.resample_poly(x, up, down, window=octaveFilter)`:
 * zero-stuff by `up`, filter with the centred FIR, keep every `down`-th sample; the output has
 * ceil(length · up / down) samples and output m sits at input time m · down / up.
 */
export function resampleOctave(x: ArrayLike<number>, up: number, down: number): Float64Array {
  const g = gcd(up, down);
  const p = up / g;
  const q = down / g;
  const outLength = Math.ceil(x.length * p / q);
  if (p === 1 && q === 1) return Float64Array.from(x);
  const h = octaveResampleFilter(p, q);
  const half = (h.length - 1) / 2;
  const y = new Float64Array(outLength);
  const last = x.length - 1;
  for (let m = 0; m < outLength; m++) {
    const t = half + m * q; // y[m] = Σ_n x[n] · h[t - n·p]
    const nFirst = Math.max(0, Math.ceil((t - 2 * half) / p));
    const nLast = Math.min(last, Math.floor(t / p));
    let acc = 0;
    for (let n = nFirst, k = t - nFirst * p; n <= nLast; n++, k -= p) acc += x[n] * h[k];
    y[m] = acc;
  }
  return y;
}

// ---------------------------------------------------------------------------------------------
// Step 2: silent-frame removal (pystoi utils.remove_silent_frames).

/**
 * Drops the frames of both signals whose clean-signal energy is more than `dynamicRangeDb` below the
 * loudest clean frame, and overlap-adds the remaining windowed frames. Frames start at 0, hop, …
 * while start < length - frameLength.
 */
export function removeSilentFrames(
  clean: ArrayLike<number>, processed: ArrayLike<number>, dynamicRangeDb: number, frameLength: number, hop: number,
): { clean: Float64Array; processed: Float64Array } {
  const w = matlabHanning(frameLength);
  const starts: number[] = [];
  for (let start = 0; start < clean.length - frameLength; start += hop) starts.push(start);
  const energiesDb = starts.map((start) => {
    let sum = 0;
    for (let i = 0; i < frameLength; i++) {
      const v = w[i] * clean[start + i];
      sum += v * v;
    }
    return 20 * Math.log10(Math.sqrt(sum) + EPS);
  });
  const loudestDb = energiesDb.reduce((a, b) => Math.max(a, b), -Infinity);
  const kept = starts.filter((_, j) => loudestDb - dynamicRangeDb - energiesDb[j] < 0);
  const length = kept.length === 0 ? 0 : (kept.length - 1) * hop + frameLength;
  const x = new Float64Array(length);
  const y = new Float64Array(length);
  kept.forEach((start, j) => {
    const at = j * hop;
    for (let i = 0; i < frameLength; i++) {
      x[at + i] += w[i] * clean[start + i];
      y[at + i] += w[i] * processed[start + i];
    }
  });
  return { clean: x, processed: y };
}

// ---------------------------------------------------------------------------------------------
// Steps 3–4: STFT and one-third-octave band envelopes (pystoi utils.stft, utils.thirdoct).

export interface ThirdOctaveBands {
  centerHz: Float64Array;
  /** First FFT bin of each band. */
  lowBin: Int32Array;
  /** One past the last FFT bin of each band. */
  highBin: Int32Array;
}

/** pystoi `thirdoct`: band edges at min·2^((2k∓1)/6), each snapped to the nearest FFT bin (first on ties). */
export function thirdOctaveBands(sampleRateHz: number, fftSize: number, bandCount: number, lowestCenterHz: number): ThirdOctaveBands {
  const binCount = fftSize / 2 + 1;
  const nearestBin = (hz: number): number => {
    let best = 0;
    let bestDistance = Infinity;
    for (let k = 0; k < binCount; k++) {
      // linspace(0, fs, nfft + 1)[k], computed the way numpy does.
      const f = k * (sampleRateHz / fftSize);
      const distance = (f - hz) ** 2;
      if (distance < bestDistance) { bestDistance = distance; best = k; }
    }
    return best;
  };
  const bands: ThirdOctaveBands = {
    centerHz: new Float64Array(bandCount), lowBin: new Int32Array(bandCount), highBin: new Int32Array(bandCount),
  };
  for (let k = 0; k < bandCount; k++) {
    bands.centerHz[k] = (2 ** (1 / 3)) ** k * lowestCenterHz;
    bands.lowBin[k] = nearestBin(lowestCenterHz * 2 ** ((2 * k - 1) / 6));
    bands.highBin[k] = nearestBin(lowestCenterHz * 2 ** ((2 * k + 1) / 6));
  }
  return bands;
}

const STOI_BANDS = thirdOctaveBands(STOI_SAMPLE_RATE_HZ, STOI_FFT_SIZE, STOI_BAND_COUNT, STOI_LOWEST_CENTER_HZ);

/** Envelopes[band][frame] = sqrt of the band's power in that STFT frame. */
function thirdOctaveEnvelopes(x: Float64Array): Float64Array[] {
  const frameCount = Math.max(0, Math.ceil((x.length - STOI_FRAME_SAMPLES) / STOI_HOP_SAMPLES));
  const envelopes = Array.from({ length: STOI_BAND_COUNT }, () => new Float64Array(frameCount));
  const window = matlabHanning(STOI_FRAME_SAMPLES);
  const fft = new Fft(STOI_FFT_SIZE);
  const re = new Float64Array(STOI_FFT_SIZE);
  const im = new Float64Array(STOI_FFT_SIZE);
  const power = new Float64Array(STOI_FFT_SIZE / 2 + 1);
  for (let t = 0; t < frameCount; t++) {
    framePowerSpectrum(x, t * STOI_HOP_SAMPLES, window, fft, re, im, power);
    for (let j = 0; j < STOI_BAND_COUNT; j++) {
      let sum = 0;
      for (let k = STOI_BANDS.lowBin[j]; k < STOI_BANDS.highBin[j]; k++) sum += power[k];
      envelopes[j][t] = Math.sqrt(sum);
    }
  }
  return envelopes;
}

// ---------------------------------------------------------------------------------------------
// Step 5: intermediate intelligibility and its mean.

function norm(v: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  return Math.sqrt(sum);
}

function subtractMean(v: Float64Array): void {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i];
  const mean = sum / v.length;
  for (let i = 0; i < v.length; i++) v[i] -= mean;
}

/** STOI: Taal 2011 eqs. (3)–(6). */
function clippedCorrelation(xBands: Float64Array[], yBands: Float64Array[]): number {
  const n = STOI_SEGMENT_FRAMES;
  const segmentCount = xBands[0].length - n + 1;
  const clipFactor = 1 + 10 ** (-STOI_CLIP_BETA_DB / 20);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  let total = 0;
  for (let s = 0; s < segmentCount; s++) {
    for (let j = 0; j < STOI_BAND_COUNT; j++) {
      xs.set(xBands[j].subarray(s, s + n));
      ys.set(yBands[j].subarray(s, s + n));
      const alpha = norm(xs) / (norm(ys) + EPS);
      for (let i = 0; i < n; i++) ys[i] = Math.min(alpha * ys[i], xs[i] * clipFactor);
      subtractMean(ys);
      subtractMean(xs);
      const xNorm = norm(xs) + EPS;
      const yNorm = norm(ys) + EPS;
      let dot = 0;
      for (let i = 0; i < n; i++) dot += (xs[i] / xNorm) * (ys[i] / yNorm);
      total += dot;
    }
  }
  return total / (segmentCount * STOI_BAND_COUNT);
}

/** Normalizes `rows × columns` data (row-major) to zero mean and unit norm along rows, then along columns. */
function rowColumnNormalize(m: Float64Array, rows: number, columns: number): void {
  for (let r = 0; r < rows; r++) {
    const row = m.subarray(r * columns, (r + 1) * columns);
    subtractMean(row);
    const length = norm(row);
    if (length > 0) for (let c = 0; c < columns; c++) row[c] /= length;
  }
  for (let c = 0; c < columns; c++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += m[r * columns + c];
    const mean = sum / rows;
    let squares = 0;
    for (let r = 0; r < rows; r++) {
      m[r * columns + c] -= mean;
      squares += m[r * columns + c] ** 2;
    }
    const length = Math.sqrt(squares);
    if (length > 0) for (let r = 0; r < rows; r++) m[r * columns + c] /= length;
  }
}

/** ESTOI: Jensen & Taal 2016 eqs. (4)–(8). */
function extendedCorrelation(xBands: Float64Array[], yBands: Float64Array[]): number {
  const n = STOI_SEGMENT_FRAMES;
  const bands = STOI_BAND_COUNT;
  const segmentCount = xBands[0].length - n + 1;
  const xm = new Float64Array(bands * n);
  const ym = new Float64Array(bands * n);
  let total = 0;
  for (let s = 0; s < segmentCount; s++) {
    for (let j = 0; j < bands; j++) {
      xm.set(xBands[j].subarray(s, s + n), j * n);
      ym.set(yBands[j].subarray(s, s + n), j * n);
    }
    rowColumnNormalize(xm, bands, n);
    rowColumnNormalize(ym, bands, n);
    let dot = 0;
    for (let i = 0; i < xm.length; i++) dot += xm[i] * ym[i];
    total += dot / n;
  }
  return total / segmentCount;
}

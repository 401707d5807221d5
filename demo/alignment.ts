// Measures how far the processed signal (B) lags the original (A) end to end. The processor reports
// its own algorithmic delay (stats().latencyMs), but the round trip through MediaStream tracks
// (context → track → processAudioTrack → track → context) adds the browser's own buffering on top
// (≈ 40 ms in Chromium), which no API reports. The lag is found as the peak of the normalised
// cross-correlation: a coarse search on 4× decimated signals, then a fine search around its peak.

const DECIMATION = 4;
const FINE_RADIUS = DECIMATION * 2;

export interface LagEstimate {
  lagSamples: number;
  /** Normalised correlation at the peak (1 = identical up to the lag and a gain). */
  correlation: number;
}

function decimate(signal: Float32Array): Float32Array {
  const out = new Float32Array(Math.floor(signal.length / DECIMATION));
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let k = 0; k < DECIMATION; k++) sum += signal[DECIMATION * i + k];
    out[i] = sum / DECIMATION;
  }
  return out;
}

/** Correlation of delayed[i] with reference[i − lag] over the last `window` samples of `delayed`. */
function correlate(reference: Float32Array, delayed: Float32Array, lag: number, window: number, step: number): number {
  let cross = 0;
  let energyReference = 0;
  let energyDelayed = 0;
  for (let i = delayed.length - window; i < delayed.length; i += step) {
    const r = reference[i - lag];
    const d = delayed[i];
    cross += r * d;
    energyReference += r * r;
    energyDelayed += d * d;
  }
  return cross / Math.sqrt(Math.max(1e-20, energyReference * energyDelayed));
}

/**
 * The lag in [0, maxLagSamples] at which `delayed` best matches `reference` (both the same
 * length, captured at the same instant), or null if the buffers are too short.
 */
export function estimateLag(reference: Float32Array, delayed: Float32Array, maxLagSamples: number): LagEstimate | null {
  const window = delayed.length - maxLagSamples - FINE_RADIUS;
  if (window < 4 * DECIMATION * 64) return null;
  const coarseReference = decimate(reference);
  const coarseDelayed = decimate(delayed);
  const coarseWindow = Math.floor(window / DECIMATION);
  let bestLag = 0;
  let best = -Infinity;
  for (let lag = 0; lag <= Math.floor(maxLagSamples / DECIMATION); lag++) {
    const value = correlate(coarseReference, coarseDelayed, lag, coarseWindow, 1);
    if (value > best) {
      best = value;
      bestLag = lag * DECIMATION;
    }
  }
  let fineLag = bestLag;
  best = -Infinity;
  for (let lag = Math.max(0, bestLag - FINE_RADIUS); lag <= Math.min(maxLagSamples, bestLag + FINE_RADIUS); lag++) {
    const value = correlate(reference, delayed, lag, window, 1);
    if (value > best) {
      best = value;
      fineLag = lag;
    }
  }
  return { lagSamples: fineLag, correlation: best };
}

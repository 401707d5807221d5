// A whole-file spectrogram on a canvas: one column per pixel, each the magnitude spectrum of a
// Hann-windowed 2048-sample frame (radix-2 FFT) centred on that column's time, rows on the same
// log-frequency scale and colour map as the live spectrograms. Both A and B use the same level
// range, so what B removed shows as darker.
import { COLOUR_LUT, MAX_FREQUENCY_HZ, MIN_FREQUENCY_HZ } from './spectrogram.js';

const FFT_SIZE = 2048;
const MIN_DB = -105;
const MAX_DB = -25;

/** In-place iterative radix-2 FFT of (re, im), length a power of two. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const step = (-2 * Math.PI) / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < size / 2; k++) {
        const cos = Math.cos(step * k), sin = Math.sin(step * k);
        const a = start + k, b = a + size / 2;
        const tr = re[b] * cos - im[b] * sin, ti = re[b] * sin + im[b] * cos;
        re[b] = re[a] - tr; im[b] = im[a] - ti;
        re[a] += tr; im[a] += ti;
      }
    }
  }
}

/** Paints `samples` (one channel at `sampleRate`) over the whole canvas. */
export function drawFileSpectrogram(canvas: HTMLCanvasElement, samples: Float32Array, sampleRate: number): void {
  const ratio = Math.min(2, globalThis.devicePixelRatio || 1);
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (context === null) return;
  const image = context.createImageData(width, height);
  const window = new Float64Array(FFT_SIZE);
  for (let i = 0; i < FFT_SIZE; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FFT_SIZE);
  // Same scaling as an AnalyserNode (Blackman there, Hann here: close enough for looking).
  const windowSum = window.reduce((sum, w) => sum + w, 0);
  const binHz = sampleRate / FFT_SIZE;
  const topHz = Math.min(MAX_FREQUENCY_HZ, sampleRate / 2);
  const span = topHz / MIN_FREQUENCY_HZ;
  const rowBins: [number, number][] = [];
  for (let y = 0; y < height; y++) {
    const high = MIN_FREQUENCY_HZ * span ** (1 - y / height), low = MIN_FREQUENCY_HZ * span ** (1 - (y + 1) / height);
    const first = Math.min(FFT_SIZE / 2 - 1, Math.round(low / binHz));
    rowBins.push([first, Math.max(first, Math.min(FFT_SIZE / 2 - 1, Math.round(high / binHz)))]);
  }
  const re = new Float64Array(FFT_SIZE), im = new Float64Array(FFT_SIZE), levels = new Uint8Array(FFT_SIZE / 2);
  for (let x = 0; x < width; x++) {
    const centre = Math.round(((x + 0.5) / width) * samples.length);
    for (let i = 0; i < FFT_SIZE; i++) {
      const at = centre - FFT_SIZE / 2 + i;
      re[i] = at >= 0 && at < samples.length ? samples[at] * window[i] : 0;
      im[i] = 0;
    }
    fft(re, im);
    for (let k = 0; k < FFT_SIZE / 2; k++) {
      const db = 20 * Math.log10(Math.hypot(re[k], im[k]) / windowSum + 1e-12);
      levels[k] = Math.max(0, Math.min(255, Math.round((255 * (db - MIN_DB)) / (MAX_DB - MIN_DB))));
    }
    for (let y = 0; y < height; y++) {
      let level = 0;
      for (let k = rowBins[y][0]; k <= rowBins[y][1]; k++) level = Math.max(level, levels[k]);
      image.data.set(COLOUR_LUT.subarray(4 * level, 4 * level + 4), 4 * (y * width + x));
    }
  }
  context.putImageData(image, 0, 0);
}

// Echo paths for the AEC evaluation: shoebox room impulse responses by the image method (Allen &
// Berkley, "Image method for efficiently simulating small-room acoustics", JASA 1979) with wall
// reflection from a target RT60 (Sabine) and fractional delays by windowed sinc; sparse line-echo
// paths in the style of ITU-T G.168's hybrid models (a short dispersive burst after a pure delay);
// a loudspeaker soft clipper; FFT convolution; and a windowed-sinc resampler for rate changes.
// Plain TypeScript on purpose: the evaluation must not depend on the engine it measures.
import { Fft, nextPowerOfTwo } from '../metrics/spectral.js';

const SPEED_OF_SOUND_M_PER_S = 343;

export interface Room {
  name: string;
  dimensionsM: [number, number, number];
  rt60Sec: number;
  sourceM: [number, number, number];
  micM: [number, number, number];
}

/** Image-method room impulse response of `lengthSec` at `sampleRate`, with a leading device delay. */
export function roomImpulseResponse(room: Room, sampleRate: number, lengthSec: number, deviceDelayMs: number): Float32Array {
  const [lx, ly, lz] = room.dimensionsM;
  const volume = lx * ly * lz, surface = 2 * (lx * ly + lx * lz + ly * lz);
  const absorption = Math.min(0.99, (0.161 * volume) / (surface * room.rt60Sec));
  const beta = Math.sqrt(1 - absorption);
  const length = Math.round(lengthSec * sampleRate);
  const offset = Math.round((deviceDelayMs / 1000) * sampleRate);
  const h = new Float64Array(length + offset);
  const maxDistance = SPEED_OF_SOUND_M_PER_S * lengthSec;
  const [sx, sy, sz] = room.sourceM, [mx, my, mz] = room.micM;
  const nx = Math.ceil(maxDistance / (2 * lx)) + 1, ny = Math.ceil(maxDistance / (2 * ly)) + 1, nz = Math.ceil(maxDistance / (2 * lz)) + 1;
  const HALF = 8;
  for (let i = -nx; i <= nx; i++) for (let j = -ny; j <= ny; j++) for (let k = -nz; k <= nz; k++) {
    for (let p = 0; p < 8; p++) {
      const px = p & 1, py = (p >> 1) & 1, pz = (p >> 2) & 1;
      const dx = (1 - 2 * px) * sx + 2 * i * lx - mx;
      const dy = (1 - 2 * py) * sy + 2 * j * ly - my;
      const dz = (1 - 2 * pz) * sz + 2 * k * lz - mz;
      const distance = Math.sqrt(dx * dx + dy * dy + dz * dz);
      if (distance > maxDistance) continue;
      const reflections = Math.abs(i - px) + Math.abs(i) + Math.abs(j - py) + Math.abs(j) + Math.abs(k - pz) + Math.abs(k);
      const amplitude = Math.pow(beta, reflections) / Math.max(distance, 0.1);
      const t = (distance / SPEED_OF_SOUND_M_PER_S) * sampleRate + offset;
      const n0 = Math.floor(t);
      for (let n = n0 - HALF + 1; n <= n0 + HALF; n++) {
        if (n < 0 || n >= h.length) continue;
        const x = n - t;
        const window = 0.5 + 0.5 * Math.cos((Math.PI * x) / HALF);
        const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
        h[n] += amplitude * window * sinc;
      }
    }
  }
  return Float32Array.from(h);
}

/** A G.168-style line-echo path: pure delay, then decaying dispersive bursts (seeded). */
export function sparseEchoPath(sampleRate: number, delayMs: number, bursts: { atMs: number; gain: number; spreadMs: number }[], seed: number): Float32Array {
  let state = seed >>> 0;
  const random = () => { state = (Math.imul(state, 1664525) + 1013904223) >>> 0; return state / 4294967296 - 0.5; };
  const last = Math.max(...bursts.map((b) => b.atMs + b.spreadMs));
  const h = new Float32Array(Math.ceil(((delayMs + last) / 1000) * sampleRate) + 1);
  for (const burst of bursts) {
    const start = Math.round(((delayMs + burst.atMs) / 1000) * sampleRate);
    const spread = Math.max(1, Math.round((burst.spreadMs / 1000) * sampleRate));
    for (let n = 0; n < spread; n++) h[start + n] += burst.gain * Math.exp((-4 * n) / spread) * (n === 0 ? 1 : 2 * random());
  }
  return h;
}

/** Scales `h` in place so white noise through it loses `erlDb` (Σh² = 10^(−ERL/10)). */
export function normalizeEchoReturnLoss(h: Float32Array, erlDb: number): Float32Array {
  let energy = 0;
  for (const v of h) energy += v * v;
  const scale = Math.sqrt(10 ** (-erlDb / 10) / energy);
  for (let i = 0; i < h.length; i++) h[i] *= scale;
  return h;
}

/** Loudspeaker overload: tanh(drive·x)/drive (unity small-signal gain). */
export function softClip(x: Float32Array, drive: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = Math.tanh(drive * x[i]) / drive;
  return y;
}

/** Linear convolution truncated to x's length (FFT overlap-add in float64). */
export function convolve(x: Float32Array, h: Float32Array): Float32Array {
  const block = nextPowerOfTwo(Math.max(4096, h.length)) ;
  const size = 2 * block;
  const fft = new Fft(size);
  const hRe = new Float64Array(size), hIm = new Float64Array(size);
  hRe.set(h);
  fft.transform(hRe, hIm);
  const out = new Float64Array(x.length + size);
  const re = new Float64Array(size), im = new Float64Array(size);
  for (let start = 0; start < x.length; start += block) {
    re.fill(0); im.fill(0);
    const end = Math.min(x.length, start + block);
    for (let i = start; i < end; i++) re[i - start] = x[i];
    fft.transform(re, im);
    // Multiply and inverse via conj(FFT(conj(·))).
    for (let k = 0; k < size; k++) {
      const r = re[k] * hRe[k] - im[k] * hIm[k], m = re[k] * hIm[k] + im[k] * hRe[k];
      re[k] = r; im[k] = -m;
    }
    fft.transform(re, im);
    for (let i = 0; i < size; i++) out[start + i] += re[i] / size;
  }
  return Float32Array.from(out.subarray(0, x.length));
}

/** Rational resampling by windowed sinc (Kaiser-like Hann window, 32 zero crossings): for fixture rate changes. */
export function resample(x: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return x.slice();
  const ratio = toRate / fromRate;
  const cutoff = Math.min(1, ratio) * 0.95;
  const zeros = 32;
  const halfWidth = zeros / cutoff;
  const out = new Float32Array(Math.floor(x.length * ratio));
  for (let n = 0; n < out.length; n++) {
    const t = n / ratio;
    const first = Math.ceil(t - halfWidth), last = Math.floor(t + halfWidth);
    let acc = 0;
    for (let m = Math.max(0, first); m <= Math.min(x.length - 1, last); m++) {
      const u = (m - t) * cutoff;
      const w = 0.5 + 0.5 * Math.cos((Math.PI * (m - t)) / halfWidth);
      acc += x[m] * w * (u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u));
    }
    out[n] = acc * cutoff;
  }
  return out;
}

// Seeded randomness for tests: every run sees the same "random" audio.
import { seededRandom } from '../../src/core/seeded-random.js';

export { seededRandom };


/** `length` uniform samples in [-amplitude, amplitude). */
export function uniformNoise(length: number, seed: number, amplitude = 1): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = (random() * 2 - 1) * amplitude;
  return out;
}

/** `length` Gaussian samples of standard deviation `sigma` (Box–Muller). */
export function gaussianNoise(length: number, seed: number, sigma = 1): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i += 2) {
    const u1 = Math.max(random(), 1e-12), u2 = random();
    const r = sigma * Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < length) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

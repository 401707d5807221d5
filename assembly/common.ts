// Shared sizes and small helpers for every kernel: one place for the numbers the kernels agree on.

/** Audio kernels process one frame of this many milliseconds per call. */
export const FRAME_MS: i32 = 10;
/** Largest internal rate an audio kernel runs at; higher device rates are resampled down to it. */
export const MAX_KERNEL_RATE: i32 = 48000;
/** Largest block the capture chain accepts per call (render quanta are 128; leave room for CLI blocks). */
export const MAX_BLOCK_SAMPLES: i32 = 8192;
/** Compile-time switch: the SIMD build has both paths, the scalar build only the scalar one. */
export const SIMD_BUILD: bool = ASC_FEATURE_SIMD;

/** Samples per 10 ms frame at a kernel rate. */
// @ts-ignore: decorator
@inline export function frameSamples(sampleRate: i32): i32 {
  return sampleRate / (1000 / FRAME_MS);
}

/** Pointer to the first element of a StaticArray (its data starts at the object pointer, 16-byte aligned). */
// @ts-ignore: decorator
@inline export function ptr<T>(a: StaticArray<T>): usize {
  return changetype<usize>(a);
}

export function nextPowerOfTwo(n: i32): i32 {
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}

export function gcd(a: i32, b: i32): i32 {
  while (b != 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** Replaces NaN/Inf with 0, flushes denormal-range values and clamps to ±maxAbs. Returns the count of bad samples. */
export function sanitize(p: usize, n: i32, maxAbs: f32): i32 {
  let bad = 0, beyond = 0;
  for (let i = 0; i < n; i++) {
    let x = load<f32>(p + (<usize>i << 2));
    const a = Mathf.abs(x);
    if (a > 1 && a < Infinity) beyond++;
    if (!(a <= maxAbs)) {
      // NaN fails every comparison; ±Inf is as meaningless as NaN; huge finite values are clipped.
      if (x != x || a == Infinity) { x = 0; bad++; }
      else x = x > 0 ? maxAbs : -maxAbs;
    } else if (a < 1e-30) {
      x = 0;
    }
    store<f32>(p + (<usize>i << 2), x);
  }
  Sanitized.beyondFullScale = beyond;
  return bad;
}

/** What the last sanitize() call saw besides NaN/Inf (counted in the same pass over the samples). */
export class Sanitized {
  /** Finite samples beyond full scale (|x| > 1): no audio device delivers them. */
  static beyondFullScale: i32 = 0;
}

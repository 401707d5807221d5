// Normalised cross-correlation pitch search shared by concealment and time stretching (the
// similarity measure of WSOLA, Verhelst & Roelands 1993, and of G.711 Appendix I's pitch search):
// for each lag L in [minLag, maxLag], c(L) = Σ x[n]·x[n−L] / sqrt(Σ x[n]² · Σ x[n−L]²) over a window.
// The inner products are the hot loop: SIMD (f32x4) and scalar twins with the same summation order.
import { SIMD_BUILD } from '../common';

/** Result of the last search (a kernel-owned struct, so a search allocates nothing). */
export class LagSearch {
  lag: i32 = 0;
  correlation: f32 = 0;
  useSimd: bool = SIMD_BUILD;

  /**
   * Finds the lag in [minLag, maxLag] whose segment `a − lag` best matches the `length` samples at `a`
   * (pointers to f32 samples; `a − maxLag` must be readable). A coarse pass on every second lag and a
   * refinement around the best keeps the cost at about half of a full search.
   */
  search(a: usize, length: i32, minLag: i32, maxLag: i32): void {
    const energyA = dot(a, a, length, this.useSimd);
    let bestLag = minLag;
    let bestScore: f32 = -2;
    for (let lag = minLag; lag <= maxLag; lag += 2) {
      const s = this.score(a, length, lag, energyA);
      if (s > bestScore) { bestScore = s; bestLag = lag; }
    }
    const from = bestLag > minLag ? bestLag - 1 : minLag;
    const to = bestLag < maxLag ? bestLag + 1 : maxLag;
    for (let lag = from; lag <= to; lag++) {
      if (lag == bestLag) continue;
      const s = this.score(a, length, lag, energyA);
      if (s > bestScore) { bestScore = s; bestLag = lag; }
    }
    this.lag = bestLag;
    this.correlation = bestScore;
  }

  /** Normalised correlation of the `length` samples at `a` with those at `b`. */
  correlate(a: usize, b: usize, length: i32): f32 {
    const ab = dot(a, b, length, this.useSimd);
    const aa = dot(a, a, length, this.useSimd);
    const bb = dot(b, b, length, this.useSimd);
    return normalise(ab, aa, bb);
  }

  private score(a: usize, length: i32, lag: i32, energyA: f32): f32 {
    const b = a - (<usize>lag << 2);
    return normalise(dot(a, b, length, this.useSimd), energyA, dot(b, b, length, this.useSimd));
  }
}

function normalise(ab: f32, aa: f32, bb: f32): f32 {
  const denominator = Mathf.sqrt(aa * bb);
  // Near-silent segments match anything; score them 0 so callers treat them as unvoiced.
  return denominator > 1e-9 ? ab / denominator : 0;
}

/** Σ a[i]·b[i] for i < n (any n; pointers need no alignment). */
export function dot(a: usize, b: usize, n: i32, simd: bool): f32 {
  return SIMD_BUILD && simd ? dotSimd(a, b, n) : dotScalar(a, b, n);
}

function dotScalar(a: usize, b: usize, n: i32): f32 {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    s0 += load<f32>(a + o) * load<f32>(b + o);
    s1 += load<f32>(a + o + 4) * load<f32>(b + o + 4);
    s2 += load<f32>(a + o + 8) * load<f32>(b + o + 8);
    s3 += load<f32>(a + o + 12) * load<f32>(b + o + 12);
  }
  let tail: f32 = 0;
  for (; i < n; i++) tail += load<f32>(a + (<usize>i << 2)) * load<f32>(b + (<usize>i << 2));
  return ((s0 + s2) + (s1 + s3)) + tail;
}

function dotSimd(a: usize, b: usize, n: i32): f32 {
  if (!SIMD_BUILD) return dotScalar(a, b, n);
  return dotSimdBody(a, b, n);
}

function dotSimdBody(a: usize, b: usize, n: i32): f32 {
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    acc = f32x4.add(acc, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  let tail: f32 = 0;
  for (; i < n; i++) tail += load<f32>(a + (<usize>i << 2)) * load<f32>(b + (<usize>i << 2));
  // Same pairing as the scalar twin: (lane0 + lane2) + (lane1 + lane3), then the tail.
  return ((f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 2)) + (f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 3))) + tail;
}

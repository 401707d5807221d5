// Frequency-domain adaptive filter in uniform partitions (partitioned-block FDAF / MDF: Soo & Pang
// 1990, "Multidelay block frequency domain adaptive filter"; speexdsp mdf.c). Each partition
// covers one frame of lags and holds its transfer function on the FFT grid; the echo estimate is
// Σ_p W_p · X_{t-p} (overlap-save). The gradient constraint (taps past one frame set to zero) is
// applied to one partition per frame in round robin, as WebRTC AEC3's adaptive_fir_filter does,
// which keeps the per-frame cost at two FFTs. SIMD (f32x4) and scalar twins side by side.
import { ptr, SIMD_BUILD } from '../common';
import { RealFft } from '../fft';

/** Far-end spectra of recent frames in a ring, newest at age 0. */
export class SpectrumRing {
  readonly slots: i32;
  readonly binsPadded: i32;
  readonly re: StaticArray<f32>;
  readonly im: StaticArray<f32>;
  private newest: i32 = 0;

  constructor(slots: i32, binsPadded: i32) {
    this.slots = slots;
    this.binsPadded = binsPadded;
    this.re = new StaticArray<f32>(slots * binsPadded);
    this.im = new StaticArray<f32>(slots * binsPadded);
  }

  reset(): void {
    memory.fill(ptr(this.re), 0, <usize>this.re.length << 2);
    memory.fill(ptr(this.im), 0, <usize>this.im.length << 2);
    this.newest = 0;
  }

  /** Advances by one frame and returns the slot index to write the newest spectrum into. */
  advance(): i32 {
    this.newest = this.newest + 1 == this.slots ? 0 : this.newest + 1;
    return this.newest;
  }

  /** Byte offset of the spectrum `age` frames old (age < slots) within re/im. */
  // @ts-ignore: decorator
  @inline offsetOf(age: i32): usize {
    let slot = this.newest - age;
    if (slot < 0) slot += this.slots;
    return <usize>(slot * this.binsPadded) << 2;
  }
}

export class PartitionedFilter {
  readonly partitions: i32;
  readonly binsPadded: i32;
  readonly re: StaticArray<f32>;
  readonly im: StaticArray<f32>;
  useSimd: bool = SIMD_BUILD;

  constructor(partitions: i32, binsPadded: i32) {
    this.partitions = partitions;
    this.binsPadded = binsPadded;
    this.re = new StaticArray<f32>(partitions * binsPadded);
    this.im = new StaticArray<f32>(partitions * binsPadded);
  }

  reset(): void {
    memory.fill(ptr(this.re), 0, <usize>this.re.length << 2);
    memory.fill(ptr(this.im), 0, <usize>this.im.length << 2);
  }

  copyFrom(other: PartitionedFilter): void {
    memory.copy(ptr(this.re), ptr(other.re), <usize>this.re.length << 2);
    memory.copy(ptr(this.im), ptr(other.im), <usize>this.im.length << 2);
  }

  /** Re-aligns the partitions after the bulk delay grew by `frames` (shrank when negative): W'_p = W_{p+frames}. */
  shift(frames: i32): void {
    const P = this.partitions, bytes = <usize>this.binsPadded << 2;
    if (frames == 0) return;
    if (frames >= P || frames <= -P) { this.reset(); return; }
    const re = ptr(this.re), im = ptr(this.im);
    const keep = <usize>(P - abs<i32>(frames)) * bytes;
    const moved = <usize>abs<i32>(frames) * bytes;
    if (frames > 0) {
      memory.copy(re, re + moved, keep); memory.copy(im, im + moved, keep);
      memory.fill(re + keep, 0, moved); memory.fill(im + keep, 0, moved);
    } else {
      memory.copy(re + moved, re, keep); memory.copy(im + moved, im, keep);
      memory.fill(re, 0, moved); memory.fill(im, 0, moved);
    }
  }

  /** out = Σ_p W_p · X(age firstAge + p). */
  filter(ring: SpectrumRing, firstAge: i32, outRe: usize, outIm: usize): void {
    const K = this.binsPadded;
    memory.fill(outRe, 0, <usize>K << 2);
    memory.fill(outIm, 0, <usize>K << 2);
    const wRe = ptr(this.re), wIm = ptr(this.im), xRe = ptr(ring.re), xIm = ptr(ring.im);
    for (let p = 0; p < this.partitions; p++) {
      const xo = ring.offsetOf(firstAge + p), wo = <usize>(p * K) << 2;
      complexMultiplyAccumulate(outRe, outIm, wRe + wo, wIm + wo, xRe + xo, xIm + xo, K, this.useSimd);
    }
  }

  /**
   * W_p += scale_p · conj(X(firstAge + p)) · G for every partition (G: the step-scaled error
   * spectrum; scale: per-partition proportionate weights, speexdsp's `prop`).
   */
  adapt(ring: SpectrumRing, firstAge: i32, gRe: usize, gIm: usize, scale: StaticArray<f32>): void {
    const K = this.binsPadded;
    const wRe = ptr(this.re), wIm = ptr(this.im), xRe = ptr(ring.re), xIm = ptr(ring.im);
    for (let p = 0; p < this.partitions; p++) {
      const xo = ring.offsetOf(firstAge + p), wo = <usize>(p * K) << 2;
      conjugateMultiplyAdd(wRe + wo, wIm + wo, xRe + xo, xIm + xo, gRe, gIm, unchecked(scale[p]), K, this.useSimd);
    }
  }

  /** Σ over bins of |W_p|² for every partition p, into `out`. */
  partitionEnergies(out: StaticArray<f32>): void {
    const K = this.binsPadded, re = ptr(this.re), im = ptr(this.im);
    for (let p = 0; p < this.partitions; p++) {
      const o = <usize>(p * K) << 2;
      unchecked(out[p] = sumOfSquares(re + o, im + o, K, this.useSimd));
    }
  }

  /** Zeroes taps ≥ `taps` of partition `p` (time scratch of fft.size floats). */
  constrain(p: i32, taps: i32, fft: RealFft, time: usize): void {
    const wo = <usize>(p * this.binsPadded) << 2;
    const re = ptr(this.re) + wo, im = ptr(this.im) + wo;
    fft.inverse(re, im, time);
    memory.fill(time + (<usize>taps << 2), 0, <usize>(fft.size - taps) << 2);
    fft.forward(time, re, im);
  }

  /** Σ over partitions and bins of |W|² (a divergence check). */
  energy(): f32 {
    let s: f32 = 0;
    const n = this.re.length, re = ptr(this.re), im = ptr(this.im);
    for (let i = 0; i < n; i++) {
      const a = load<f32>(re + (<usize>i << 2)), b = load<f32>(im + (<usize>i << 2));
      s += a * a + b * b;
    }
    return s;
  }
}

/** y += w · x (complex, per bin); n is a multiple of 4. */
export function complexMultiplyAccumulate(yRe: usize, yIm: usize, wRe: usize, wIm: usize, xRe: usize, xIm: usize, n: i32, simd: bool): void {
  if (SIMD_BUILD && simd) {
    for (let k = 0; k < n; k += 4) {
      const o = <usize>k << 2;
      const ar = v128.load(wRe + o), ai = v128.load(wIm + o), br = v128.load(xRe + o), bi = v128.load(xIm + o);
      v128.store(yRe + o, f32x4.add(v128.load(yRe + o), f32x4.sub(f32x4.mul(ar, br), f32x4.mul(ai, bi))));
      v128.store(yIm + o, f32x4.add(v128.load(yIm + o), f32x4.add(f32x4.mul(ar, bi), f32x4.mul(ai, br))));
    }
  } else {
    for (let k = 0; k < n; k++) {
      const o = <usize>k << 2;
      const ar = load<f32>(wRe + o), ai = load<f32>(wIm + o), br = load<f32>(xRe + o), bi = load<f32>(xIm + o);
      store<f32>(yRe + o, load<f32>(yRe + o) + (ar * br - ai * bi));
      store<f32>(yIm + o, load<f32>(yIm + o) + (ar * bi + ai * br));
    }
  }
}

/** w += s · conj(x) · g (complex, per bin); n is a multiple of 4. */
export function conjugateMultiplyAdd(wRe: usize, wIm: usize, xRe: usize, xIm: usize, gRe: usize, gIm: usize, s: f32, n: i32, simd: bool): void {
  if (SIMD_BUILD && simd) {
    const vs = f32x4.splat(s);
    for (let k = 0; k < n; k += 4) {
      const o = <usize>k << 2;
      const xr = v128.load(xRe + o), xi = v128.load(xIm + o), gr = f32x4.mul(vs, v128.load(gRe + o)), gi = f32x4.mul(vs, v128.load(gIm + o));
      v128.store(wRe + o, f32x4.add(v128.load(wRe + o), f32x4.add(f32x4.mul(xr, gr), f32x4.mul(xi, gi))));
      v128.store(wIm + o, f32x4.add(v128.load(wIm + o), f32x4.sub(f32x4.mul(xr, gi), f32x4.mul(xi, gr))));
    }
  } else {
    for (let k = 0; k < n; k++) {
      const o = <usize>k << 2;
      const xr = load<f32>(xRe + o), xi = load<f32>(xIm + o), gr = s * load<f32>(gRe + o), gi = s * load<f32>(gIm + o);
      store<f32>(wRe + o, load<f32>(wRe + o) + (xr * gr + xi * gi));
      store<f32>(wIm + o, load<f32>(wIm + o) + (xr * gi - xi * gr));
    }
  }
}

/** Σ |x|² over n bins; n is a multiple of 4. */
export function sumOfSquares(xRe: usize, xIm: usize, n: i32, simd: bool): f32 {
  if (SIMD_BUILD && simd) {
    let acc = f32x4.splat(0);
    for (let k = 0; k < n; k += 4) {
      const o = <usize>k << 2;
      const r = v128.load(xRe + o), i = v128.load(xIm + o);
      acc = f32x4.add(acc, f32x4.add(f32x4.mul(r, r), f32x4.mul(i, i)));
    }
    return f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  }
  let a0: f32 = 0, a1: f32 = 0, a2: f32 = 0, a3: f32 = 0;
  for (let k = 0; k < n; k += 4) {
    const o = <usize>k << 2;
    const r0 = load<f32>(xRe + o), i0 = load<f32>(xIm + o), r1 = load<f32>(xRe + o + 4), i1 = load<f32>(xIm + o + 4);
    const r2 = load<f32>(xRe + o + 8), i2 = load<f32>(xIm + o + 8), r3 = load<f32>(xRe + o + 12), i3 = load<f32>(xIm + o + 12);
    a0 += r0 * r0 + i0 * i0; a1 += r1 * r1 + i1 * i1; a2 += r2 * r2 + i2 * i2; a3 += r3 * r3 + i3 * i3;
  }
  return a0 + a1 + a2 + a3;
}

/** acc += s · |x|² per bin; n is a multiple of 4. */
export function powerAccumulate(acc: usize, xRe: usize, xIm: usize, s: f32, n: i32, simd: bool): void {
  if (SIMD_BUILD && simd) {
    const vs = f32x4.splat(s);
    for (let k = 0; k < n; k += 4) {
      const o = <usize>k << 2;
      const r = v128.load(xRe + o), i = v128.load(xIm + o);
      v128.store(acc + o, f32x4.add(v128.load(acc + o), f32x4.mul(vs, f32x4.add(f32x4.mul(r, r), f32x4.mul(i, i)))));
    }
  } else {
    for (let k = 0; k < n; k++) {
      const o = <usize>k << 2;
      const r = load<f32>(xRe + o), i = load<f32>(xIm + o);
      store<f32>(acc + o, load<f32>(acc + o) + s * (r * r + i * i));
    }
  }
}


// Real FFT of a power-of-two size M: an M/2-point complex Stockham radix-2 FFT on split
// real/imaginary arrays (no bit reversal, unit-stride inner loops) plus the standard
// real-to-complex split. Spectra are M/2+1 bins in separate re/im arrays.
import { ptr, SIMD_BUILD } from './common';

export class RealFft {
  readonly size: i32;
  readonly half: i32;
  useSimd: bool = SIMD_BUILD;
  private aRe: StaticArray<f32>;
  private aIm: StaticArray<f32>;
  private bRe: StaticArray<f32>;
  private bIm: StaticArray<f32>;
  // Twiddles of every stage, concatenated: stage with length n has n/2 entries e^{-2πip/n}.
  private twRe: StaticArray<f32>;
  private twIm: StaticArray<f32>;
  // The stride-2 stage's twiddles with each entry doubled, so one f32x4 covers two butterflies.
  private tw2Re: StaticArray<f32>;
  private tw2Im: StaticArray<f32>;
  // e^{-2πik/M} for the real-split step, k = 0..M/2.
  private splitRe: StaticArray<f32>;
  private splitIm: StaticArray<f32>;

  constructor(size: i32) {
    assert(size >= 16 && (size & (size - 1)) == 0, 'FFT size must be a power of two >= 16');
    const half = size >> 1;
    const twRe = new StaticArray<f32>(half), twIm = new StaticArray<f32>(half);
    let offset = 0;
    for (let n = half; n > 1; n >>= 1) {
      const m = n >> 1;
      for (let p = 0; p < m; p++) {
        const angle = -2.0 * Math.PI * <f64>p / <f64>n;
        unchecked(twRe[offset + p] = <f32>Math.cos(angle));
        unchecked(twIm[offset + p] = <f32>Math.sin(angle));
      }
      offset += m;
    }
    // The stride-2 stage works on n = half/2 with m = half/4 twiddles.
    const m2 = half >> 2;
    const tw2Re = new StaticArray<f32>(half >> 1), tw2Im = new StaticArray<f32>(half >> 1);
    for (let p = 0; p < m2; p++) {
      const angle = -2.0 * Math.PI * <f64>p / <f64>(half >> 1);
      const c = <f32>Math.cos(angle), s = <f32>Math.sin(angle);
      unchecked(tw2Re[2 * p] = c); unchecked(tw2Re[2 * p + 1] = c);
      unchecked(tw2Im[2 * p] = s); unchecked(tw2Im[2 * p + 1] = s);
    }
    const splitRe = new StaticArray<f32>(half + 1), splitIm = new StaticArray<f32>(half + 1);
    for (let k = 0; k <= half; k++) {
      const angle = -2.0 * Math.PI * <f64>k / <f64>size;
      unchecked(splitRe[k] = <f32>Math.cos(angle));
      unchecked(splitIm[k] = <f32>Math.sin(angle));
    }
    this.size = size;
    this.half = half;
    this.aRe = new StaticArray<f32>(half);
    this.aIm = new StaticArray<f32>(half);
    this.bRe = new StaticArray<f32>(half);
    this.bIm = new StaticArray<f32>(half);
    this.twRe = twRe; this.twIm = twIm;
    this.tw2Re = tw2Re; this.tw2Im = tw2Im;
    this.splitRe = splitRe; this.splitIm = splitIm;
  }

  /** Forward transform of `size` reals at `input` into `half + 1` bins at outRe/outIm (unscaled). */
  forward(input: usize, outRe: usize, outIm: usize): void {
    const half = this.half;
    const zRe = ptr(this.aRe), zIm = ptr(this.aIm);
    // Pack even samples as real and odd samples as imaginary parts.
    if (SIMD_BUILD && this.useSimd) {
      for (let i = 0; i < half; i += 4) {
        const v0 = v128.load(input + (<usize>i << 3));
        const v1 = v128.load(input + (<usize>i << 3) + 16);
        v128.store(zRe + (<usize>i << 2), v128.shuffle<f32>(v0, v1, 0, 2, 4, 6));
        v128.store(zIm + (<usize>i << 2), v128.shuffle<f32>(v0, v1, 1, 3, 5, 7));
      }
    } else {
      for (let i = 0; i < half; i++) {
        store<f32>(zRe + (<usize>i << 2), load<f32>(input + (<usize>i << 3)));
        store<f32>(zIm + (<usize>i << 2), load<f32>(input + (<usize>i << 3) + 4));
      }
    }
    const inA = this.complexForward();
    const re = inA ? ptr(this.aRe) : ptr(this.bRe);
    const im = inA ? ptr(this.aIm) : ptr(this.bIm);
    this.splitForward(re, im, outRe, outIm);
  }

  /** Inverse transform of `half + 1` bins into `size` reals at `output`, scaled so inverse(forward(x)) = x. */
  inverse(inRe: usize, inIm: usize, output: usize): void {
    const half = this.half;
    // Builds conj(Z) in buffer A so the forward complex FFT computes the inverse.
    this.splitInverse(inRe, inIm, ptr(this.aRe), ptr(this.aIm));
    const inA = this.complexForward();
    const re = inA ? ptr(this.aRe) : ptr(this.bRe);
    const im = inA ? ptr(this.aIm) : ptr(this.bIm);
    const scale: f32 = 1.0 / <f32>half;
    if (SIMD_BUILD && this.useSimd) {
      const vs = f32x4.splat(scale), vn = f32x4.splat(-scale);
      for (let i = 0; i < half; i += 4) {
        const r = f32x4.mul(v128.load(re + (<usize>i << 2)), vs);
        const m = f32x4.mul(v128.load(im + (<usize>i << 2)), vn);
        v128.store(output + (<usize>i << 3), v128.shuffle<f32>(r, m, 0, 4, 1, 5));
        v128.store(output + (<usize>i << 3) + 16, v128.shuffle<f32>(r, m, 2, 6, 3, 7));
      }
    } else {
      for (let i = 0; i < half; i++) {
        store<f32>(output + (<usize>i << 3), load<f32>(re + (<usize>i << 2)) * scale);
        store<f32>(output + (<usize>i << 3) + 4, -load<f32>(im + (<usize>i << 2)) * scale);
      }
    }
  }

  /** Stockham passes over buffer A (input) ping-ponging with B; returns true if the result is in A. */
  private complexForward(): bool {
    const half = this.half;
    let xRe = ptr(this.aRe), xIm = ptr(this.aIm), yRe = ptr(this.bRe), yIm = ptr(this.bIm);
    let inA = true;
    let s = 1;
    let twOffset = 0;
    for (let n = half; n > 1; n >>= 1) {
      const m = n >> 1;
      const wRe = ptr(this.twRe) + (<usize>twOffset << 2);
      const wIm = ptr(this.twIm) + (<usize>twOffset << 2);
      if (SIMD_BUILD && this.useSimd) {
        if (s == 1) stageStride1Simd(xRe, xIm, yRe, yIm, wRe, wIm, m);
        else if (s == 2) stageStride2Simd(xRe, xIm, yRe, yIm, ptr(this.tw2Re), ptr(this.tw2Im), m);
        else stageWideSimd(xRe, xIm, yRe, yIm, wRe, wIm, m, s);
      } else {
        stageScalar(xRe, xIm, yRe, yIm, wRe, wIm, m, s);
      }
      twOffset += m;
      s <<= 1;
      let t = xRe; xRe = yRe; yRe = t;
      t = xIm; xIm = yIm; yIm = t;
      inA = !inA;
    }
    return inA;
  }

  private splitForward(zRe: usize, zIm: usize, outRe: usize, outIm: usize): void {
    const half = this.half;
    const wRe = ptr(this.splitRe), wIm = ptr(this.splitIm);
    const z0r = load<f32>(zRe), z0i = load<f32>(zIm);
    store<f32>(outRe, z0r + z0i); store<f32>(outIm, 0);
    store<f32>(outRe + (<usize>half << 2), z0r - z0i); store<f32>(outIm + (<usize>half << 2), 0);
    let k = 1;
    if (SIMD_BUILD && this.useSimd) {
      const h = f32x4.splat(0.5);
      for (; k + 3 < half; k += 4) {
        const o = <usize>k << 2;
        const ro = <usize>(half - k - 3) << 2;
        const zr = v128.load(zRe + o), zi = v128.load(zIm + o);
        const cr = v128.shuffle<f32>(v128.load(zRe + ro), v128.load(zRe + ro), 3, 2, 1, 0);
        const ci = v128.shuffle<f32>(v128.load(zIm + ro), v128.load(zIm + ro), 3, 2, 1, 0);
        const fer = f32x4.mul(f32x4.add(zr, cr), h);
        const fei = f32x4.mul(f32x4.sub(zi, ci), h);
        const for_ = f32x4.mul(f32x4.add(zi, ci), h);
        const foi = f32x4.mul(f32x4.sub(cr, zr), h);
        const wr = v128.load(wRe + o), wi = v128.load(wIm + o);
        v128.store(outRe + o, f32x4.add(fer, f32x4.sub(f32x4.mul(wr, for_), f32x4.mul(wi, foi))));
        v128.store(outIm + o, f32x4.add(fei, f32x4.add(f32x4.mul(wr, foi), f32x4.mul(wi, for_))));
      }
    }
    for (; k < half; k++) {
      const o = <usize>k << 2;
      const ro = <usize>(half - k) << 2;
      const zr = load<f32>(zRe + o), zi = load<f32>(zIm + o);
      const cr = load<f32>(zRe + ro), ci = load<f32>(zIm + ro);
      const fer = (zr + cr) * 0.5, fei = (zi - ci) * 0.5;
      const for_ = (zi + ci) * 0.5, foi = (cr - zr) * 0.5;
      const wr = load<f32>(wRe + o), wi = load<f32>(wIm + o);
      store<f32>(outRe + o, fer + wr * for_ - wi * foi);
      store<f32>(outIm + o, fei + wr * foi + wi * for_);
    }
  }

  /** Z[k] = Fe + i·Fo from the half spectrum, written conjugated (the inverse runs the forward FFT). */
  private splitInverse(inRe: usize, inIm: usize, zRe: usize, zIm: usize): void {
    const half = this.half;
    const wRe = ptr(this.splitRe), wIm = ptr(this.splitIm);
    let k = 0;
    if (SIMD_BUILD && this.useSimd) {
      const h = f32x4.splat(0.5);
      for (; k + 3 < half; k += 4) {
        const o = <usize>k << 2;
        const ro = <usize>(half - k - 3) << 2;
        const xr = v128.load(inRe + o), xi = v128.load(inIm + o);
        const cr = v128.shuffle<f32>(v128.load(inRe + ro), v128.load(inRe + ro), 3, 2, 1, 0);
        const ci = v128.shuffle<f32>(v128.load(inIm + ro), v128.load(inIm + ro), 3, 2, 1, 0);
        const fer = f32x4.mul(f32x4.add(xr, cr), h);
        const fei = f32x4.mul(f32x4.sub(xi, ci), h);
        const dr = f32x4.mul(f32x4.sub(xr, cr), h);
        const di = f32x4.mul(f32x4.add(xi, ci), h);
        // Fo = d · conj(w)
        const wr = v128.load(wRe + o), wi = v128.load(wIm + o);
        const for_ = f32x4.add(f32x4.mul(dr, wr), f32x4.mul(di, wi));
        const foi = f32x4.sub(f32x4.mul(di, wr), f32x4.mul(dr, wi));
        v128.store(zRe + o, f32x4.sub(fer, foi));
        v128.store(zIm + o, f32x4.neg(f32x4.add(fei, for_)));
      }
    }
    for (; k < half; k++) {
      const o = <usize>k << 2;
      const ro = <usize>(half - k) << 2;
      const xr = load<f32>(inRe + o), xi = load<f32>(inIm + o);
      const cr = load<f32>(inRe + ro), ci = load<f32>(inIm + ro);
      const fer = (xr + cr) * 0.5, fei = (xi - ci) * 0.5;
      const dr = (xr - cr) * 0.5, di = (xi + ci) * 0.5;
      const wr = load<f32>(wRe + o), wi = load<f32>(wIm + o);
      const for_ = dr * wr + di * wi;
      const foi = di * wr - dr * wi;
      store<f32>(zRe + o, fer - foi);
      store<f32>(zIm + o, -(fei + for_));
    }
  }
}

// One Stockham radix-2 pass: y[q + s(2p)] = a + b, y[q + s(2p+1)] = (a - b)·w_p with
// a = x[q + sp], b = x[q + s(p+m)].
function stageScalar(xRe: usize, xIm: usize, yRe: usize, yIm: usize, wRe: usize, wIm: usize, m: i32, s: i32): void {
  for (let p = 0; p < m; p++) {
    const wr = load<f32>(wRe + (<usize>p << 2)), wi = load<f32>(wIm + (<usize>p << 2));
    for (let q = 0; q < s; q++) {
      const ia = <usize>(q + s * p) << 2;
      const ib = <usize>(q + s * (p + m)) << 2;
      const ar = load<f32>(xRe + ia), ai = load<f32>(xIm + ia);
      const br = load<f32>(xRe + ib), bi = load<f32>(xIm + ib);
      const o0 = <usize>(q + s * 2 * p) << 2;
      const o1 = <usize>(q + s * (2 * p + 1)) << 2;
      store<f32>(yRe + o0, ar + br); store<f32>(yIm + o0, ai + bi);
      const dr = ar - br, di = ai - bi;
      store<f32>(yRe + o1, dr * wr - di * wi); store<f32>(yIm + o1, dr * wi + di * wr);
    }
  }
}

function stageStride1Simd(xRe: usize, xIm: usize, yRe: usize, yIm: usize, wRe: usize, wIm: usize, m: i32): void {
  for (let p = 0; p < m; p += 4) {
    const ia = <usize>p << 2, ib = <usize>(p + m) << 2;
    const ar = v128.load(xRe + ia), ai = v128.load(xIm + ia);
    const br = v128.load(xRe + ib), bi = v128.load(xIm + ib);
    const wr = v128.load(wRe + ia), wi = v128.load(wIm + ia);
    const sumRe = f32x4.add(ar, br), sumIm = f32x4.add(ai, bi);
    const dr = f32x4.sub(ar, br), di = f32x4.sub(ai, bi);
    const prodRe = f32x4.sub(f32x4.mul(dr, wr), f32x4.mul(di, wi));
    const prodIm = f32x4.add(f32x4.mul(dr, wi), f32x4.mul(di, wr));
    const o = <usize>p << 3;
    v128.store(yRe + o, v128.shuffle<f32>(sumRe, prodRe, 0, 4, 1, 5));
    v128.store(yRe + o + 16, v128.shuffle<f32>(sumRe, prodRe, 2, 6, 3, 7));
    v128.store(yIm + o, v128.shuffle<f32>(sumIm, prodIm, 0, 4, 1, 5));
    v128.store(yIm + o + 16, v128.shuffle<f32>(sumIm, prodIm, 2, 6, 3, 7));
  }
}

function stageStride2Simd(xRe: usize, xIm: usize, yRe: usize, yIm: usize, w2Re: usize, w2Im: usize, m: i32): void {
  for (let p = 0; p < m; p += 2) {
    const ia = <usize>(2 * p) << 2, ib = <usize>(2 * (p + m)) << 2;
    const ar = v128.load(xRe + ia), ai = v128.load(xIm + ia);
    const br = v128.load(xRe + ib), bi = v128.load(xIm + ib);
    const wr = v128.load(w2Re + ia), wi = v128.load(w2Im + ia);
    const sumRe = f32x4.add(ar, br), sumIm = f32x4.add(ai, bi);
    const dr = f32x4.sub(ar, br), di = f32x4.sub(ai, bi);
    const prodRe = f32x4.sub(f32x4.mul(dr, wr), f32x4.mul(di, wi));
    const prodIm = f32x4.add(f32x4.mul(dr, wi), f32x4.mul(di, wr));
    const o = <usize>(4 * p) << 2;
    v128.store(yRe + o, v128.shuffle<f32>(sumRe, prodRe, 0, 1, 4, 5));
    v128.store(yRe + o + 16, v128.shuffle<f32>(sumRe, prodRe, 2, 3, 6, 7));
    v128.store(yIm + o, v128.shuffle<f32>(sumIm, prodIm, 0, 1, 4, 5));
    v128.store(yIm + o + 16, v128.shuffle<f32>(sumIm, prodIm, 2, 3, 6, 7));
  }
}

function stageWideSimd(xRe: usize, xIm: usize, yRe: usize, yIm: usize, wRe: usize, wIm: usize, m: i32, s: i32): void {
  for (let p = 0; p < m; p++) {
    const wr = v128.load32_splat(wRe + (<usize>p << 2));
    const wi = v128.load32_splat(wIm + (<usize>p << 2));
    const baseA = <usize>(s * p) << 2, baseB = <usize>(s * (p + m)) << 2;
    const base0 = <usize>(s * 2 * p) << 2, base1 = <usize>(s * (2 * p + 1)) << 2;
    for (let q = 0; q < s; q += 4) {
      const oq = <usize>q << 2;
      const ar = v128.load(xRe + baseA + oq), ai = v128.load(xIm + baseA + oq);
      const br = v128.load(xRe + baseB + oq), bi = v128.load(xIm + baseB + oq);
      const sumRe = f32x4.add(ar, br), sumIm = f32x4.add(ai, bi);
      const dr = f32x4.sub(ar, br), di = f32x4.sub(ai, bi);
      const prodRe = f32x4.sub(f32x4.mul(dr, wr), f32x4.mul(di, wi));
      const prodIm = f32x4.add(f32x4.mul(dr, wi), f32x4.mul(di, wr));
      v128.store(yRe + base0 + oq, sumRe); v128.store(yIm + base0 + oq, sumIm);
      v128.store(yRe + base1 + oq, prodRe); v128.store(yIm + base1 + oq, prodIm);
    }
  }
}

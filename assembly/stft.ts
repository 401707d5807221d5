// Short-time Fourier analysis/synthesis with 50 % overlap: hop = one 10 ms frame, window = two
// frames of periodic sqrt-Hann (power-complementary, so analysis·synthesis overlap-adds to 1),
// zero-padded to a power-of-two FFT. Adds exactly one frame of delay.
import { nextPowerOfTwo, ptr, SIMD_BUILD } from './common';
import { RealFft } from './fft';

export class Stft {
  readonly frameSize: i32;
  readonly fftSize: i32;
  /** FFT bins (fftSize/2 + 1) and the same rounded up to a multiple of 4 for SIMD loops. */
  readonly bins: i32;
  readonly binsPadded: i32;
  readonly fft: RealFft;
  /** Spectrum of the latest analysed frame; callers modify it in place before synthesize(). */
  readonly re: StaticArray<f32>;
  readonly im: StaticArray<f32>;
  private window: StaticArray<f32>;
  private analysisBuffer: StaticArray<f32>;
  private timeBuffer: StaticArray<f32>;
  private overlap: StaticArray<f32>;

  constructor(frameSize: i32) {
    const windowLength = 2 * frameSize;
    const fftSize = nextPowerOfTwo(windowLength);
    const bins = (fftSize >> 1) + 1;
    const binsPadded = (bins + 3) & ~3;
    const window = new StaticArray<f32>(windowLength);
    for (let n = 0; n < windowLength; n++) {
      unchecked(window[n] = <f32>Math.sin(Math.PI * <f64>n / <f64>windowLength));
    }
    this.frameSize = frameSize;
    this.fftSize = fftSize;
    this.bins = bins;
    this.binsPadded = binsPadded;
    this.fft = new RealFft(fftSize);
    this.re = new StaticArray<f32>(binsPadded);
    this.im = new StaticArray<f32>(binsPadded);
    this.window = window;
    this.analysisBuffer = new StaticArray<f32>(windowLength);
    this.timeBuffer = new StaticArray<f32>(fftSize);
    this.overlap = new StaticArray<f32>(frameSize);
  }

  set useSimd(on: bool) {
    this.fft.useSimd = on;
  }

  reset(): void {
    memory.fill(ptr(this.analysisBuffer), 0, <usize>this.analysisBuffer.length << 2);
    memory.fill(ptr(this.overlap), 0, <usize>this.frameSize << 2);
    memory.fill(ptr(this.re), 0, <usize>this.binsPadded << 2);
    memory.fill(ptr(this.im), 0, <usize>this.binsPadded << 2);
  }

  /** Takes one frame of new samples and leaves the windowed spectrum of the last two frames in re/im. */
  analyze(input: usize): void {
    const n = this.frameSize;
    const buf = ptr(this.analysisBuffer);
    memory.copy(buf, buf + (<usize>n << 2), <usize>n << 2);
    memory.copy(buf + (<usize>n << 2), input, <usize>n << 2);
    const time = ptr(this.timeBuffer);
    multiply(time, buf, ptr(this.window), 2 * n, this.fft.useSimd);
    memory.fill(time + (<usize>(2 * n) << 2), 0, <usize>(this.fftSize - 2 * n) << 2);
    this.fft.forward(time, ptr(this.re), ptr(this.im));
  }

  /** Inverse-transforms re/im and overlap-adds one frame of output. */
  synthesize(output: usize): void {
    const n = this.frameSize;
    const time = ptr(this.timeBuffer);
    this.fft.inverse(ptr(this.re), ptr(this.im), time);
    const w = ptr(this.window);
    const ov = ptr(this.overlap);
    const simd = this.fft.useSimd;
    multiply(time, time, w, 2 * n, simd);
    add(output, ov, time, n, simd);
    memory.copy(ov, time + (<usize>n << 2), <usize>n << 2);
  }
}

/** out[i] = a[i]·b[i]; n is a multiple of 4. */
function multiply(out: usize, a: usize, b: usize, n: i32, simd: bool): void {
  if (SIMD_BUILD && simd) {
    for (let i = 0; i < n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    }
  } else {
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(out + o, load<f32>(a + o) * load<f32>(b + o));
    }
  }
}

/** out[i] = a[i] + b[i]; n is a multiple of 4. */
function add(out: usize, a: usize, b: usize, n: i32, simd: bool): void {
  if (SIMD_BUILD && simd) {
    for (let i = 0; i < n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
    }
  } else {
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(out + o, load<f32>(a + o) + load<f32>(b + o));
    }
  }
}

// Thin typed wrappers over the single-purpose kernels (FFT, resampler, noise suppressor) for
// tests, benchmarks and tools. Each owns one Wasm handle and exposes its buffers as views.
import { Float32View } from './memory-view.js';
import { PRESET_CODES, type SazanamiExports } from './wasm-exports.js';
import type { NoiseSuppressionLevel } from './options.js';

/** Real FFT of a power-of-two size; `time` (size reals) ↔ `re`/`im` (size/2 + 1 bins). */
export class RealFftKernel {
  readonly size: number;
  private handle: number;
  private readonly timeView: Float32View;
  private readonly reView: Float32View;
  private readonly imView: Float32View;

  constructor(private readonly exports: SazanamiExports, size: number) {
    const handle = exports.fftCreate(size);
    if (handle < 0) throw new RangeError(`FFT size ${size} is not supported; accepted: powers of two 16–65536`);
    this.size = size;
    this.handle = handle;
    this.timeView = new Float32View(exports.memory, exports.fftTimePtr(handle), size);
    this.reView = new Float32View(exports.memory, exports.fftRePtr(handle), size / 2 + 1);
    this.imView = new Float32View(exports.memory, exports.fftImPtr(handle), size / 2 + 1);
  }

  get time(): Float32Array { return this.timeView.array; }
  get re(): Float32Array { return this.reView.array; }
  get im(): Float32Array { return this.imView.array; }
  setSimd(on: boolean): void { this.exports.fftSetSimd(this.handle, on ? 1 : 0); }
  /** time → re/im (unscaled). */
  forward(): void { this.exports.fftForward(this.handle); }
  /** re/im → time, scaled so inverse(forward(x)) = x. */
  inverse(): void { this.exports.fftInverse(this.handle); }
  destroy(): void { this.exports.fftDestroy(this.handle); this.handle = -1; }
}

/** Streaming sample-rate converter; output k is aligned with input time k·inRate/outRate. */
export class ResamplerKernel {
  readonly taps: number;
  private handle: number;
  private readonly inputView: Float32View;
  private readonly outputView: Float32View;

  constructor(private readonly exports: SazanamiExports, readonly inRate: number, readonly outRate: number, readonly maxInput: number) {
    const handle = exports.resamplerCreate(inRate, outRate, maxInput);
    if (handle < 0) throw new RangeError(`resampler ${inRate}→${outRate} Hz (block ${maxInput}) is not supported`);
    this.handle = handle;
    this.taps = exports.resamplerTaps(handle);
    this.inputView = new Float32View(exports.memory, exports.resamplerInputPtr(handle), maxInput);
    this.outputView = new Float32View(exports.memory, exports.resamplerOutputPtr(handle),
      Math.ceil(((maxInput + this.taps) * outRate) / inRate) + 8);
  }

  setSimd(on: boolean): void { this.exports.resamplerSetSimd(this.handle, on ? 1 : 0); }

  /** Pushes `input` (≤ maxInput samples) and returns a view of the outputs it made available. */
  process(input: Float32Array): Float32Array {
    this.inputView.array.set(input);
    const produced = this.exports.resamplerProcess(this.handle, input.length);
    if (produced < 0) throw new RangeError(`resampler block of ${input.length} exceeds maxInput ${this.maxInput}`);
    return this.outputView.array.subarray(0, produced);
  }

  destroy(): void { this.exports.resamplerDestroy(this.handle); this.handle = -1; }
}

/** The noise-suppression kernel alone, on 10 ms frames at 8/16/32/48 kHz; one frame of delay. */
export class NoiseSuppressorKernel {
  readonly frameSize: number;
  private handle: number;
  private readonly inputView: Float32View;
  private readonly outputView: Float32View;

  constructor(private readonly exports: SazanamiExports, readonly sampleRate: number, level: NoiseSuppressionLevel = 'balanced') {
    const handle = exports.nsCreate(sampleRate, PRESET_CODES[level]);
    if (handle < 0) throw new RangeError(`noise suppressor rate ${sampleRate} Hz is not supported; accepted: 8000, 16000, 32000, 48000`);
    this.handle = handle;
    this.frameSize = exports.nsFrameSize(handle);
    this.inputView = new Float32View(exports.memory, exports.nsInputPtr(handle), this.frameSize);
    this.outputView = new Float32View(exports.memory, exports.nsOutputPtr(handle), this.frameSize);
  }

  get input(): Float32Array { return this.inputView.array; }
  get output(): Float32Array { return this.outputView.array; }
  setSimd(on: boolean): void { this.exports.nsSetSimd(this.handle, on ? 1 : 0); }
  setLevel(level: NoiseSuppressionLevel): void { this.exports.nsSetPreset(this.handle, PRESET_CODES[level]); }
  /** Processes `input` into `output` (the previous frame, enhanced). */
  process(): void { this.exports.nsProcess(this.handle); }
  reset(): void { this.exports.nsReset(this.handle); }
  get speechProbability(): number { return this.exports.nsSpeechProbability(this.handle); }
  get noiseLevelDbfs(): number { return this.exports.nsNoiseLevelDb(this.handle); }
  destroy(): void { this.exports.nsDestroy(this.handle); this.exports.collectGarbage(); this.handle = -1; }
}

// Processor core for one capture channel at the device rate: any block size in, the same out,
// with a constant reported delay. Free of worklet/worker glue so it is tested in Node. On any
// kernel failure it passes input through unchanged, bypasses from then on, and reports once.
import { type CaptureOptions, validateCaptureOptions } from './options.js';
import { Float32View } from './memory-view.js';
import { PRESET_CODES, type SazanamiExports } from './wasm-exports.js';

export const MIN_SAMPLE_RATE = 8000;
export const MAX_SAMPLE_RATE = 384000;
export const MAX_BLOCK_SIZE = 8192;

export interface CaptureProcessorConfig extends CaptureOptions {
  /** Device (context) sample rate in Hz, 8000–384000. */
  sampleRate: number;
  /** Largest block passed to process(); larger blocks are split. Default 128 (a render quantum). */
  maxBlockSize?: number;
}

export interface CaptureStats {
  /** Constant input-to-output delay in samples at the device rate. */
  latencySamples: number;
  latencyMs: number;
  /** Rate the kernels run at (8/16/32/48 kHz). */
  kernelSampleRate: number;
  speechProbability: number;
  noiseLevelDbfs: number;
  /** Output samples that had to be zero-filled (0 in normal operation). */
  underruns: number;
  /** NaN/Inf input samples replaced by silence. */
  invalidInputSamples: number;
  bypassed: boolean;
  error: string | null;
}

export class CaptureProcessor {
  readonly sampleRate: number;
  readonly maxBlockSize: number;
  readonly latencySamples: number;
  readonly kernelSampleRate: number;
  private readonly exports: SazanamiExports;
  private handle: number;
  private readonly input: Float32View;
  private readonly output: Float32View;
  private options: Required<CaptureOptions>;
  private failure: string | null = null;
  /** Called once with the first kernel error (the processor then passes audio through). */
  onError: ((message: string) => void) | null = null;

  constructor(exports: SazanamiExports, config: CaptureProcessorConfig) {
    const { sampleRate, maxBlockSize = 128, ...options } = config;
    if (!Number.isInteger(sampleRate) || sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
      throw new RangeError(`sample rate ${sampleRate} Hz is not supported; accepted: integer rates ${MIN_SAMPLE_RATE}–${MAX_SAMPLE_RATE} Hz`);
    }
    if (!Number.isInteger(maxBlockSize) || maxBlockSize < 1 || maxBlockSize > MAX_BLOCK_SIZE) {
      throw new RangeError(`maxBlockSize ${maxBlockSize} is not supported; accepted: integers 1–${MAX_BLOCK_SIZE}`);
    }
    this.options = validateCaptureOptions(options);
    this.exports = exports;
    this.sampleRate = sampleRate;
    this.maxBlockSize = maxBlockSize;
    const handle = exports.captureCreate(sampleRate, maxBlockSize, PRESET_CODES[this.options.noiseSuppression]);
    if (handle < 0) throw new RangeError(`the capture kernel rejected rate ${sampleRate} Hz / block ${maxBlockSize}`);
    this.handle = handle;
    this.latencySamples = exports.captureLatencySamples(handle);
    this.kernelSampleRate = exports.captureKernelRate(handle);
    this.input = new Float32View(exports.memory, exports.captureInputPtr(handle), maxBlockSize);
    this.output = new Float32View(exports.memory, exports.captureOutputPtr(handle), maxBlockSize);
  }

  get bypassed(): boolean {
    return this.failure !== null || this.handle < 0;
  }

  /** Applies new options at run time; the kernel ramps between presets over ~100 ms. */
  update(options: CaptureOptions): void {
    const next = validateCaptureOptions({ ...this.options, ...options });
    this.options = next;
    if (this.handle >= 0) this.exports.captureSetPreset(this.handle, PRESET_CODES[next.noiseSuppression]);
  }

  get currentOptions(): Readonly<Required<CaptureOptions>> {
    return this.options;
  }

  /** Uses the scalar twins inside a SIMD build (parity tests, benchmarks). */
  setSimd(on: boolean): void {
    if (this.handle >= 0) this.exports.captureSetSimd(this.handle, on ? 1 : 0);
  }

  /**
   * Processes `input` into `output` (same length, any length). Never throws: returns false when
   * the audio was passed through because the kernel failed or the processor was destroyed.
   */
  process(input: Float32Array, output: Float32Array): boolean {
    if (this.failure !== null || this.handle < 0) {
      passThrough(input, output);
      return false;
    }
    const length = Math.min(input.length, output.length);
    try {
      if (length <= this.maxBlockSize && input.length === length) {
        // The real-time case (one render quantum): no subarray views, nothing allocated.
        this.input.array.set(input);
        this.exports.captureProcess(this.handle, length);
        output.set(this.output.head(length));
        return true;
      }
      for (let offset = 0; offset < length; offset += this.maxBlockSize) {
        const count = Math.min(this.maxBlockSize, length - offset);
        this.input.array.set(input.subarray(offset, offset + count));
        this.exports.captureProcess(this.handle, count);
        output.set(this.output.head(count), offset);
      }
      return true;
    } catch (error) {
      this.failure = error instanceof Error ? error.message : String(error);
      passThrough(input, output);
      try {
        this.onError?.(this.failure);
      } catch {
        // A failing error handler must not turn pass-through into lost audio.
      }
      return false;
    }
  }

  reset(): void {
    if (this.handle >= 0 && this.failure === null) this.exports.captureReset(this.handle);
  }

  stats(): CaptureStats {
    const h = this.handle;
    const live = h >= 0 && this.failure === null;
    return {
      latencySamples: this.latencySamples,
      latencyMs: (1000 * this.latencySamples) / this.sampleRate,
      kernelSampleRate: this.kernelSampleRate,
      speechProbability: live ? this.exports.captureSpeechProbability(h) : 0,
      noiseLevelDbfs: live ? this.exports.captureNoiseLevelDb(h) : -100,
      underruns: live ? this.exports.captureUnderruns(h) : 0,
      invalidInputSamples: live ? this.exports.captureInvalidSamples(h) : 0,
      bypassed: this.bypassed,
      error: this.failure,
    };
  }

  /** Frees the kernel's memory. The processor passes audio through afterwards. */
  destroy(): void {
    if (this.handle < 0) return;
    this.exports.captureDestroy(this.handle);
    this.exports.collectGarbage();
    this.handle = -1;
  }
}

function passThrough(input: Float32Array, output: Float32Array): void {
  if (output === input) return;
  output.set(input.length <= output.length ? input : input.subarray(0, output.length));
}

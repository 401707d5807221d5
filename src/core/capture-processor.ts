// Processor core for one capture channel at the device rate: any block size in, the same out,
// with a constant reported delay. Free of worklet/worker glue so it is tested in Node. On any
// kernel failure it passes input through unchanged, bypasses from then on, and reports once.
// With echo cancellation, process() also takes the far end (what the speakers play) block by block.
import { type CaptureOptions, type ResolvedCaptureOptions, validateCaptureOptions } from './options.js';
import { describeValue } from './describe-value.js';
import { Float32View } from './memory-view.js';
import { ECHO_PRESET_CODES, PRESET_CODES, type SazanamiExports } from './wasm-exports.js';

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
  /** Voice activity of the processed signal (VAD after NS): probability 0..1 and decision with hangover. */
  voiceProbability: number;
  voiceActive: boolean;
  /** Echo canceller (null fields when it is off): linear-stage ERLE, estimated device delay, mean suppression gain. */
  echoReturnLossEnhancementDb: number | null;
  echoDelayMs: number | null;
  echoSuppressionGainDb: number | null;
  /** Far-end samples that were NaN/Inf (replaced by silence). */
  invalidFarEndSamples: number;
  /** Gain control's current gain (null when off). */
  gainDb: number | null;
}

/** Stats of a processor that does not exist (yet): everything idle, bypassed. */
export function idleCaptureStats(): CaptureStats {
  return {
    latencySamples: 0, latencyMs: 0, kernelSampleRate: 0, speechProbability: 0, noiseLevelDbfs: -100,
    underruns: 0, invalidInputSamples: 0, bypassed: true, error: null, voiceProbability: 0, voiceActive: false,
    echoReturnLossEnhancementDb: null, echoDelayMs: null, echoSuppressionGainDb: null, invalidFarEndSamples: 0, gainDb: null,
  };
}

export class CaptureProcessor {
  readonly sampleRate: number;
  readonly maxBlockSize: number;
  readonly latencySamples: number;
  readonly kernelSampleRate: number;
  private readonly exports: SazanamiExports;
  private handle: number;
  private input: Float32View;
  private output: Float32View;
  private farEnd: Float32View | null;
  private options: ResolvedCaptureOptions;
  /** What the current kernel chain was built with (a canceller / gain controller exists). */
  private builtWithCanceller = false;
  private builtWithGainControl = false;
  private failure: string | null = null;
  /** Called once with the first kernel error (the processor then passes audio through). */
  onError: ((message: string) => void) | null = null;

  constructor(exports: SazanamiExports, config: CaptureProcessorConfig) {
    const { sampleRate, maxBlockSize = 128, ...options } = config;
    if (!Number.isInteger(sampleRate) || sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
      throw new RangeError(`sample rate ${describeValue(sampleRate)} Hz is not supported; accepted: integer rates ${MIN_SAMPLE_RATE}–${MAX_SAMPLE_RATE} Hz`);
    }
    if (!Number.isInteger(maxBlockSize) || maxBlockSize < 1 || maxBlockSize > MAX_BLOCK_SIZE) {
      throw new RangeError(`maxBlockSize ${describeValue(maxBlockSize)} is not supported; accepted: integers 1–${MAX_BLOCK_SIZE}`);
    }
    this.options = validateCaptureOptions(options);
    this.exports = exports;
    this.sampleRate = sampleRate;
    this.maxBlockSize = maxBlockSize;
    this.handle = this.build();
    this.latencySamples = exports.captureLatencySamples(this.handle);
    this.kernelSampleRate = exports.captureKernelRate(this.handle);
    this.input = new Float32View(exports.memory, exports.captureInputPtr(this.handle), maxBlockSize);
    this.output = new Float32View(exports.memory, exports.captureOutputPtr(this.handle), maxBlockSize);
    const far = exports.captureFarEndPtr(this.handle);
    this.farEnd = far !== 0 ? new Float32View(exports.memory, far, maxBlockSize) : null;
  }

  /** Creates the kernel chain for the current options; the NS-only chain is the original captureCreate. */
  private build(): number {
    const { exports, sampleRate, maxBlockSize, options } = this;
    // A rebuild keeps what the old chain had, so switching something off later never rebuilds again.
    const withCanceller = options.echoCancellation !== 'off' || this.builtWithCanceller;
    const withGainControl = options.gainControl || this.builtWithGainControl;
    const handle = withCanceller || withGainControl
      ? exports.captureCreateFull(sampleRate, maxBlockSize, PRESET_CODES[options.noiseSuppression],
        withCanceller ? ECHO_PRESET_CODES[options.echoCancellation] : -1, withGainControl ? 1 : 0)
      : exports.captureCreate(sampleRate, maxBlockSize, PRESET_CODES[options.noiseSuppression]);
    if (handle < 0) throw new RangeError(`the capture kernel rejected rate ${sampleRate} Hz / block ${maxBlockSize}`);
    if (withGainControl && !options.gainControl) exports.captureSetGainControl(handle, 0);
    this.builtWithCanceller = withCanceller;
    this.builtWithGainControl = withGainControl;
    return handle;
  }

  /** True when the chain has an echo canceller (process() then uses its farEnd argument). */
  get hasEchoCanceller(): boolean {
    return this.builtWithCanceller;
  }

  get bypassed(): boolean {
    return this.failure !== null || this.handle < 0;
  }

  /**
   * Applies new options at run time; the kernel ramps between NS presets over ~100 ms. Turning on
   * echo cancellation or gain control in a chain built without them rebuilds the chain (same
   * latency; the filters start from scratch), which allocates: do it off the audio thread's hot path.
   */
  update(options: CaptureOptions): void {
    const next = validateCaptureOptions({ ...this.options, ...options });
    this.options = next;
    if (this.handle < 0) return;
    const needsCanceller = next.echoCancellation !== 'off' && !this.builtWithCanceller;
    const needsGainControl = next.gainControl && !this.builtWithGainControl;
    if ((needsCanceller || needsGainControl) && this.failure === null) {
      this.exports.captureDestroy(this.handle);
      this.handle = this.build();
      const { exports, maxBlockSize } = this;
      this.input = new Float32View(exports.memory, exports.captureInputPtr(this.handle), maxBlockSize);
      this.output = new Float32View(exports.memory, exports.captureOutputPtr(this.handle), maxBlockSize);
      const far = exports.captureFarEndPtr(this.handle);
      this.farEnd = far !== 0 ? new Float32View(exports.memory, far, maxBlockSize) : null;
      return;
    }
    this.exports.captureSetPreset(this.handle, PRESET_CODES[next.noiseSuppression]);
    if (this.builtWithCanceller) this.exports.captureSetEchoPreset(this.handle, ECHO_PRESET_CODES[next.echoCancellation]);
    if (this.builtWithGainControl) this.exports.captureSetGainControl(this.handle, next.gainControl ? 1 : 0);
  }

  get currentOptions(): Readonly<ResolvedCaptureOptions> {
    return this.options;
  }

  /** Uses the scalar twins inside a SIMD build (parity tests, benchmarks). */
  setSimd(on: boolean): void {
    if (this.handle >= 0) this.exports.captureSetSimd(this.handle, on ? 1 : 0);
  }

  /**
   * Processes `input` into `output` (same length, any length). `farEnd`, when the chain has an echo
   * canceller, is the far-end block played at the same time (same length as `input`; a shorter one
   * is padded with silence, omitted means silence). Never throws: returns false when the audio was
   * passed through because the kernel failed or the processor was destroyed.
   */
  process(input: Float32Array, output: Float32Array, farEnd?: Float32Array | null): boolean {
    if (this.failure !== null || this.handle < 0) {
      passThrough(input, output);
      return false;
    }
    const length = Math.min(input.length, output.length);
    const far = this.farEnd !== null && farEnd !== undefined && farEnd !== null ? farEnd : null;
    try {
      if (length <= this.maxBlockSize && input.length === length && (far === null || far.length === length)) {
        // The real-time case (one render quantum): no subarray views, nothing allocated.
        this.input.array.set(input);
        if (far !== null) {
          this.farEnd!.array.set(far);
          this.exports.captureProcessWithFarEnd(this.handle, length);
        } else {
          this.exports.captureProcess(this.handle, length);
        }
        output.set(this.output.head(length));
        return true;
      }
      for (let offset = 0; offset < length; offset += this.maxBlockSize) {
        const count = Math.min(this.maxBlockSize, length - offset);
        this.input.array.set(input.subarray(offset, offset + count));
        if (far !== null) {
          const farView = this.farEnd!.array;
          const available = Math.max(0, Math.min(count, far.length - offset));
          if (available > 0) farView.set(far.subarray(offset, offset + available));
          if (available < count) farView.fill(0, available, count);
          this.exports.captureProcessWithFarEnd(this.handle, count);
        } else {
          this.exports.captureProcess(this.handle, count);
        }
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
    const echoOn = this.builtWithCanceller && this.options.echoCancellation !== 'off';
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
      voiceProbability: live ? this.exports.captureVoiceProbability(h) : 0,
      voiceActive: live ? this.exports.captureVoiceActive(h) !== 0 : false,
      echoReturnLossEnhancementDb: live && echoOn ? this.exports.captureEchoReturnLossEnhancementDb(h) : null,
      echoDelayMs: live && echoOn && this.exports.captureEchoDelayMs(h) >= 0 ? this.exports.captureEchoDelayMs(h) : null,
      echoSuppressionGainDb: live && echoOn ? 20 * Math.log10(Math.max(1e-6, this.exports.captureEchoSuppressionGain(h))) : null,
      invalidFarEndSamples: live && this.builtWithCanceller ? this.exports.captureInvalidFarEndSamples(h) : 0,
      gainDb: live && this.builtWithGainControl && this.options.gainControl ? this.exports.captureGainDb(h) : null,
    };
  }

  /**
   * Writes speech probability, noise level, underruns, invalid samples and bypass (1/0) to
   * `target[offset…offset+4]` without allocating (for a shared live-stats buffer).
   */
  writeLiveStats(target: Float64Array, offset: number): void {
    const h = this.handle;
    const live = h >= 0 && this.failure === null;
    target[offset] = live ? this.exports.captureSpeechProbability(h) : 0;
    target[offset + 1] = live ? this.exports.captureNoiseLevelDb(h) : -100;
    target[offset + 2] = live ? this.exports.captureUnderruns(h) : 0;
    target[offset + 3] = live ? this.exports.captureInvalidSamples(h) : 0;
    target[offset + 4] = this.bypassed ? 1 : 0;
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

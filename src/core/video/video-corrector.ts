// The video correction chain from JS: one Wasm VideoCorrector for a fixed frame size and format.
// Frames go in through `input` (a view of the kernel's own buffer, so VideoFrame.copyTo can write
// straight into it) and come out through `output`. Sizes and options are validated here, at the
// edge; process() never throws: a kernel trap turns the corrector into a pass-through that reports
// the error once in stats().
import { ByteView } from './byte-view.js';
import { hasVideoExports, VIDEO_FORMAT_CODES, type VideoExports, type VideoPixelFormat } from './video-exports.js';
import {
  type VideoCorrectionOptions, type VideoCorrectionSettings, validateFrameSize, validatePixelFormat, validateVideoOptions,
} from './video-options.js';

export interface VideoCorrectorConfig {
  width: number;
  height: number;
  /** Layout of input and output frames. Default I420. */
  format?: VideoPixelFormat;
  options?: VideoCorrectionOptions;
}

export interface VideoCorrectorStats {
  frames: number;
  /** Mean luma (0–255) of the last frame's histogram; 0 when neither exposure nor white balance runs. */
  meanLuma: number;
  /** Gamma the exposure curve applies at mid-grey (1 = unchanged, < 1 brightens). */
  midGamma: number;
  /** White-balance gains on R, G, B (1 = unchanged). */
  gains: { red: number; green: number; blue: number };
  /** Luma noise σ in 8-bit levels measured by the denoiser (or the sharpener); 0 when neither runs. */
  noiseSigma: number;
  settings: VideoCorrectionSettings;
  /** True once a kernel error made the corrector pass frames through unchanged. */
  bypassed: boolean;
  error: string | null;
}

/** Bytes of one 4:2:0 frame (I420 and NV12 alike). */
export function frameBytesFor(width: number, height: number): number {
  return width * height + 2 * ((width >> 1) * (height >> 1));
}

export class VideoCorrector {
  readonly width: number;
  readonly height: number;
  readonly format: VideoPixelFormat;
  readonly frameBytes: number;
  private handle: number;
  private settings: VideoCorrectionSettings;
  private readonly inputView: ByteView;
  private readonly outputView: ByteView;
  private error: string | null = null;

  constructor(private readonly exports: VideoExports, config: VideoCorrectorConfig) {
    if (!hasVideoExports(exports)) throw new TypeError('this Wasm build has no video kernel; rebuild with `npm run asbuild`');
    if (typeof config !== 'object' || config === null) throw new TypeError('VideoCorrector needs { width, height, format?, options? }');
    validateFrameSize(config.width, config.height);
    this.format = validatePixelFormat(config.format ?? 'I420');
    this.settings = validateVideoOptions(config.options);
    const handle = exports.videoCreate(config.width, config.height, VIDEO_FORMAT_CODES[this.format]);
    if (handle < 0) throw new RangeError(`the video kernel refused ${config.width} × ${config.height} ${this.format}`);
    this.width = config.width;
    this.height = config.height;
    this.handle = handle;
    this.frameBytes = exports.videoFrameBytes(handle);
    this.inputView = new ByteView(exports.memory, exports.videoInputPtr(handle), this.frameBytes);
    this.outputView = new ByteView(exports.memory, exports.videoOutputPtr(handle), this.frameBytes);
    this.applySettings();
  }

  /** The kernel's input frame buffer (write a frame here, then call process()). */
  get input(): Uint8Array { return this.inputView.array; }
  /** The kernel's output frame buffer (valid until the next process()). */
  get output(): Uint8Array { return this.outputView.array; }
  get current(): Readonly<VideoCorrectionSettings> { return this.settings; }

  /** Corrects `input` into `output`. Never throws; returns false if it passed the frame through. */
  process(): boolean {
    if (this.handle < 0) return false;
    if (this.error === null) {
      try {
        if (this.exports.videoProcess(this.handle)) return true;
        this.error = 'the video kernel rejected its handle';
      } catch (error) {
        this.error = error instanceof Error ? error.message : String(error);
      }
    }
    this.output.set(this.input);
    return false;
  }

  /** Copies `frame` (frameBytes long) in, processes, and returns the output view. */
  processFrame(frame: Uint8Array): Uint8Array {
    if (frame.length !== this.frameBytes) {
      throw new RangeError(`frame has ${frame.length} bytes; a ${this.width} × ${this.height} ${this.format} frame has ${this.frameBytes}`);
    }
    this.input.set(frame);
    this.process();
    return this.output;
  }

  /** Changes options on the fly (unspecified ones keep their value). Throws on bad options. */
  update(options: VideoCorrectionOptions): void {
    this.settings = validateVideoOptions(options, this.settings);
    this.applySettings();
  }

  setSimd(on: boolean): void { if (this.handle >= 0) this.exports.videoSetSimd(this.handle, on ? 1 : 0); }

  /** Forgets temporal state (after a scene cut or a seek). */
  reset(): void { if (this.handle >= 0) this.exports.videoReset(this.handle); }

  stats(): VideoCorrectorStats {
    const e = this.exports, h = this.handle;
    const alive = h >= 0;
    return {
      frames: alive ? e.videoFrameCount(h) : 0,
      meanLuma: alive ? e.videoMeanLuma(h) : 0,
      midGamma: alive ? e.videoMidGamma(h) : 1,
      gains: { red: alive ? e.videoGainRed(h) : 1, green: alive ? e.videoGainGreen(h) : 1, blue: alive ? e.videoGainBlue(h) : 1 },
      noiseSigma: alive ? e.videoNoiseSigma(h) : 0,
      settings: { ...this.settings },
      bypassed: this.error !== null,
      error: this.error,
    };
  }

  destroy(): void {
    if (this.handle < 0) return;
    this.exports.videoDestroy(this.handle);
    this.exports.collectGarbage();
    this.handle = -1;
  }

  private applySettings(): void {
    const e = this.exports, h = this.handle, s = this.settings;
    e.videoSetExposure(h, s.exposureStrength);
    e.videoSetWhiteBalance(h, s.whiteBalanceStrength);
    e.videoSetDenoise(h, s.denoiseStrength);
    e.videoSetSharpen(h, s.sharpenStrength);
  }
}

// Options of the video correction chain: one typed interface, one DEFAULTS object, one validate()
// at the public edge that throws a clear TypeError/RangeError. Frame sizes are validated here too.
import { describeValue } from '../describe-value.js';
import type { VideoPixelFormat } from './video-exports.js';

export interface VideoCorrectionOptions {
  /** Low-light / exposure correction (AGCWD): `true` = full strength, or a strength 0–1. Default off. */
  exposure?: boolean | number;
  /** Automatic white balance on chroma: `true` = full strength, or a strength 0–1. Default off. */
  whiteBalance?: boolean | number;
  /** Temporal denoise strength 0–10 (0 = off; 3 is moderate, 6+ strong). Default off. */
  denoise?: number;
  /** Unsharp-mask strength 0–10 (0 = off; 2 is subtle). Default off. */
  sharpen?: number;
}

/** The validated form: every stage as a strength, 0 meaning off. */
export interface VideoCorrectionSettings {
  exposureStrength: number;
  whiteBalanceStrength: number;
  denoiseStrength: number;
  sharpenStrength: number;
}

export const VIDEO_DEFAULTS: Readonly<VideoCorrectionSettings> = Object.freeze({
  exposureStrength: 0,
  whiteBalanceStrength: 0,
  denoiseStrength: 0,
  sharpenStrength: 0,
});

export const MAX_DENOISE_STRENGTH = 10;
export const MAX_SHARPEN_STRENGTH = 10;
/** Largest side and area accepted (4K UHD either way up; 4096 × 2160 DCI fits). Shared with the kernel. */
export const MAX_VIDEO_SIDE_PIXELS = 4096;
export const MAX_VIDEO_AREA_PIXELS = 4096 * 2160;
export const MIN_VIDEO_SIDE_PIXELS = 2;

const KNOWN_KEYS = new Set(['exposure', 'whiteBalance', 'denoise', 'sharpen']);

/** Validates options on top of `base` (defaults, or the current settings for update()). */
export function validateVideoOptions(options: VideoCorrectionOptions | undefined, base: Readonly<VideoCorrectionSettings> = VIDEO_DEFAULTS): VideoCorrectionSettings {
  if (options === undefined) return { ...base };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError('video options must be an object like { exposure: true, whiteBalance: true, denoise: 3, sharpen: 2 }');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) throw new TypeError(`unknown video option '${describeValue(key)}'; accepted: ${[...KNOWN_KEYS].join(', ')}`);
  }
  return {
    exposureStrength: options.exposure === undefined ? base.exposureStrength : unitStrength('exposure', options.exposure),
    whiteBalanceStrength: options.whiteBalance === undefined ? base.whiteBalanceStrength : unitStrength('whiteBalance', options.whiteBalance),
    denoiseStrength: options.denoise === undefined ? base.denoiseStrength : levelStrength('denoise', options.denoise, MAX_DENOISE_STRENGTH),
    sharpenStrength: options.sharpen === undefined ? base.sharpenStrength : levelStrength('sharpen', options.sharpen, MAX_SHARPEN_STRENGTH),
  };
}

function unitStrength(name: string, value: unknown): number {
  if (value === true) return 1;
  if (value === false) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new RangeError(`${name} must be true, false or a strength from 0 to 1, got ${describeValue(value)}`);
  }
  return value;
}

function levelStrength(name: string, value: unknown, limit: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > limit) {
    throw new RangeError(`${name} must be a number from 0 (off) to ${limit}, got ${describeValue(value)}`);
  }
  return value;
}

/** Throws a RangeError unless width × height is an even size the kernel accepts. */
export function validateFrameSize(width: unknown, height: unknown): void {
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
  if (!ok(width) || !ok(height)) throw new TypeError(`frame size must be integers, got ${describeValue(width)} × ${describeValue(height)}`);
  if (width % 2 !== 0 || height % 2 !== 0 || width < MIN_VIDEO_SIDE_PIXELS || height < MIN_VIDEO_SIDE_PIXELS
    || width > MAX_VIDEO_SIDE_PIXELS || height > MAX_VIDEO_SIDE_PIXELS || width * height > MAX_VIDEO_AREA_PIXELS) {
    throw new RangeError(`frame size ${width} × ${height} is not supported; accepted: even width and height from `
      + `${MIN_VIDEO_SIDE_PIXELS} to ${MAX_VIDEO_SIDE_PIXELS}, at most ${MAX_VIDEO_AREA_PIXELS} pixels (4K)`);
  }
}

export function validatePixelFormat(format: unknown): VideoPixelFormat {
  if (format !== 'I420' && format !== 'NV12') throw new RangeError(`pixel format ${describeValue(format)} is not supported; accepted: I420, NV12`);
  return format;
}

// Options of processAudioTrack / createCaptureNode: the capture options (src/core/options.ts) plus
// how many channels to process. Validated here, at the public edge, with clear TypeError/RangeError.
import { type CaptureOptions, validateCaptureOptions } from '../core/options.js';

export interface AudioTrackOptions extends CaptureOptions {
  /** 1 (default): the input is down-mixed to mono and processed once; 2: each channel on its own. */
  channelCount?: 1 | 2;
}

export interface ValidatedAudioTrackOptions {
  capture: Required<CaptureOptions>;
  channelCount: 1 | 2;
}

export function validateAudioTrackOptions(options: unknown): ValidatedAudioTrackOptions {
  if (options === undefined || options === null) return { capture: validateCaptureOptions(undefined), channelCount: 1 };
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`audio track options must be an object, got ${Array.isArray(options) ? 'an array' : typeof options}`);
  }
  const { channelCount = 1, ...capture } = options as AudioTrackOptions;
  if (channelCount !== 1 && channelCount !== 2) {
    throw new RangeError(`channelCount must be 1 or 2, got ${String(channelCount)}`);
  }
  return { capture: validateCaptureOptions(capture), channelCount };
}

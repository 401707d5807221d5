// Video correction core (Node, workers): the kernel wrapper, options, Y4M file IO.
export { VideoCorrector, frameBytesFor, type VideoCorrectorConfig, type VideoCorrectorStats } from './video-corrector.js';
export {
  type VideoCorrectionOptions, type VideoCorrectionSettings, VIDEO_DEFAULTS, validateVideoOptions, validateFrameSize, validatePixelFormat,
  MAX_DENOISE_STRENGTH, MAX_SHARPEN_STRENGTH,
} from './video-options.js';
export { type VideoExports, type VideoPixelFormat, VIDEO_FORMAT_CODES, hasVideoExports } from './video-exports.js';
export { readY4m, writeY4m, y4mHeader, y4mFrameBytes, Y4mError, type Y4mHeader, type Y4mVideo } from './y4m.js';

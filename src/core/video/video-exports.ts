// The numeric surface of the video kernel, exported by assembly/video/exports.ts. Pointers are byte
// offsets into `memory`. Kept apart from src/core/wasm-exports.ts so the audio surface stays untouched.

export interface VideoExports {
  readonly memory: WebAssembly.Memory;
  videoCreate(width: number, height: number, format: number): number;
  videoDestroy(handle: number): void;
  videoInputPtr(handle: number): number;
  videoOutputPtr(handle: number): number;
  videoFrameBytes(handle: number): number;
  videoProcess(handle: number): number;
  videoSetExposure(handle: number, strength: number): void;
  videoSetWhiteBalance(handle: number, strength: number): void;
  videoSetDenoise(handle: number, strength: number): void;
  videoSetSharpen(handle: number, strength: number): void;
  videoSetSimd(handle: number, on: number): void;
  videoReset(handle: number): void;
  videoFrameCount(handle: number): number;
  videoMeanLuma(handle: number): number;
  videoMidGamma(handle: number): number;
  videoGainRed(handle: number): number;
  videoGainGreen(handle: number): number;
  videoGainBlue(handle: number): number;
  videoNoiseSigma(handle: number): number;
  collectGarbage(): void;
}

/** Pixel format codes shared with assembly/video/video-common.ts. */
export const VIDEO_FORMAT_CODES = { I420: 0, NV12: 1 } as const;
export type VideoPixelFormat = keyof typeof VIDEO_FORMAT_CODES;

/** True when a loaded module has the video exports (a build from before the video kernel has not). */
export function hasVideoExports(exports: object): exports is VideoExports {
  return typeof (exports as Partial<VideoExports>).videoCreate === 'function';
}

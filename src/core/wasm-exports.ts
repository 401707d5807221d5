// The numeric surface exported by assembly/index.ts. Pointers are byte offsets into `memory`.

export interface SazanamiExports {
  readonly memory: WebAssembly.Memory;
  isSimdBuild(): number;
  collectGarbage(): void;

  captureCreate(deviceRate: number, maxBlock: number, preset: number): number;
  captureDestroy(handle: number): void;
  captureInputPtr(handle: number): number;
  captureOutputPtr(handle: number): number;
  captureProcess(handle: number, count: number): number;
  captureSetPreset(handle: number, preset: number): number;
  captureSetSimd(handle: number, on: number): void;
  captureReset(handle: number): void;
  captureLatencySamples(handle: number): number;
  captureKernelRate(handle: number): number;
  captureSpeechProbability(handle: number): number;
  captureNoiseLevelDb(handle: number): number;
  captureUnderruns(handle: number): number;
  captureInvalidSamples(handle: number): number;

  nsCreate(sampleRate: number, preset: number): number;
  nsDestroy(handle: number): void;
  nsInputPtr(handle: number): number;
  nsOutputPtr(handle: number): number;
  nsFrameSize(handle: number): number;
  nsProcess(handle: number): number;
  nsSetPreset(handle: number, preset: number): number;
  nsSetSimd(handle: number, on: number): void;
  nsReset(handle: number): void;
  nsSpeechProbability(handle: number): number;
  nsNoiseLevelDb(handle: number): number;

  fftCreate(size: number): number;
  fftDestroy(handle: number): void;
  fftTimePtr(handle: number): number;
  fftRePtr(handle: number): number;
  fftImPtr(handle: number): number;
  fftSetSimd(handle: number, on: number): void;
  fftForward(handle: number): void;
  fftInverse(handle: number): void;

  resamplerCreate(inRate: number, outRate: number, maxInput: number): number;
  resamplerDestroy(handle: number): void;
  resamplerInputPtr(handle: number): number;
  resamplerOutputPtr(handle: number): number;
  resamplerTaps(handle: number): number;
  resamplerSetSimd(handle: number, on: number): void;
  resamplerProcess(handle: number, count: number): number;
}

/** Preset codes shared with assembly/ns/presets.ts. */
export const PRESET_CODES = { off: 0, light: 1, balanced: 2, strong: 3 } as const;

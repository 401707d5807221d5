// The numeric surface exported by assembly/index.ts. Pointers are byte offsets into `memory`.

export interface SazanamiExports {
  readonly memory: WebAssembly.Memory;
  isSimdBuild(): number;
  collectGarbage(): void;

  captureCreate(deviceRate: number, maxBlock: number, preset: number): number;
  captureCreateFull(deviceRate: number, maxBlock: number, preset: number, echoPreset: number, gainControl: number): number;
  captureDestroy(handle: number): void;
  captureFarEndPtr(handle: number): number;
  captureProcessWithFarEnd(handle: number, count: number): number;
  captureSetEchoPreset(handle: number, preset: number): number;
  captureSetGainControl(handle: number, on: number): number;
  captureEchoReturnLossEnhancementDb(handle: number): number;
  captureEchoDelayMs(handle: number): number;
  captureEchoLeakage(handle: number): number;
  captureEchoSuppressionGain(handle: number): number;
  captureEchoFilterResets(handle: number): number;
  captureVoiceProbability(handle: number): number;
  captureVoiceActive(handle: number): number;
  captureGainDb(handle: number): number;
  captureSpeechLevelDbfs(handle: number): number;
  captureInvalidFarEndSamples(handle: number): number;
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

/** Echo canceller preset codes shared with assembly/aec/aec-common.ts (-1: no canceller built). */
export const ECHO_PRESET_CODES = { off: 0, light: 1, balanced: 2, strong: 3 } as const;

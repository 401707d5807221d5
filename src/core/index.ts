// sazanami/core: the engine core for Node, worklets and workers.
export { EngineCore, loadEngineCore } from './engine-core.js';
export { CaptureProcessor, type CaptureProcessorConfig, type CaptureStats, MAX_BLOCK_SIZE, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE } from './capture-processor.js';
export { NoiseSuppressorKernel, RealFftKernel, ResamplerKernel } from './kernels.js';
export { processOffline, type OfflineStats } from './offline.js';
export { CAPTURE_DEFAULTS, type CaptureOptions, NOISE_SUPPRESSION_LEVELS, type NoiseSuppressionLevel, validateCaptureOptions } from './options.js';
export { instantiateWasm, isWasmSimdSupported, loadWasm, type LoadedWasm, type WasmFlavor, type WasmSource, type WasmSources } from './wasm-loader.js';
export { readWav, writeWav, WavError } from './wav.js';

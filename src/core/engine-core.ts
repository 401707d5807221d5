// The engine core: one loaded Wasm instance and factories for the kernels on it. The same class
// runs in Node (CLI, tests, benchmarks), an AudioWorklet and workers.
import { CaptureProcessor, type CaptureProcessorConfig } from './capture-processor.js';
import { loadWasm, type LoadedWasm, type WasmFlavor, type WasmSources } from './wasm-loader.js';

export class EngineCore {
  readonly wasm: LoadedWasm;

  constructor(wasm: LoadedWasm) {
    this.wasm = wasm;
  }

  get simd(): boolean {
    return this.wasm.flavor === 'simd';
  }

  createCaptureProcessor(config: CaptureProcessorConfig): CaptureProcessor {
    return new CaptureProcessor(this.wasm.exports, config);
  }
}

export async function loadEngineCore(sources?: WasmSources, prefer?: WasmFlavor): Promise<EngineCore> {
  return new EngineCore(await loadWasm(sources, prefer));
}

// Loads both Wasm builds once per test file (from build/, made by `npm run asbuild`).
import { loadWasm, type LoadedWasm } from '../../src/core/wasm-loader.js';

export interface BothBuilds {
  simd: LoadedWasm;
  scalar: LoadedWasm;
}

export async function loadBothBuilds(): Promise<BothBuilds> {
  const [simd, scalar] = await Promise.all([loadWasm({}, 'simd'), loadWasm({}, 'scalar')]);
  return { simd, scalar };
}

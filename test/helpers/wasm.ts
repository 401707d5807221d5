// Loads both Wasm builds (from build/, made by `npm run asbuild`) and probes the kernel allocator.
import { loadWasm, type LoadedWasm } from '../../src/core/wasm-loader.js';
import type { SazanamiExports } from '../../src/core/wasm-exports.js';

export interface BothBuilds {
  simd: LoadedWasm;
  scalar: LoadedWasm;
}

export async function loadBothBuilds(): Promise<BothBuilds> {
  const [simd, scalar] = await Promise.all([loadWasm({}, 'simd'), loadWasm({}, 'scalar')]);
  return { simd, scalar };
}

/**
 * Where the kernel heap's allocator puts the next small object: allocates a 16-point FFT, reads the
 * address of its first buffer and releases the handle. The minimal AssemblyScript runtime frees
 * nothing until collectGarbage(), so without a collection between two probes each probe lands a
 * fixed distance after the previous one, and any allocation in between shifts that distance.
 * This sees allocations long before they would make `memory.buffer.byteLength` grow.
 */
export function allocationCursor(exports: SazanamiExports): number {
  const handle = exports.fftCreate(16);
  const address = exports.fftTimePtr(handle);
  exports.fftDestroy(handle);
  return address;
}

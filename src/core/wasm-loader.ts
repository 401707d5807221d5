// One loader for Node, AudioWorklet and workers: instantiates the SIMD or the scalar build from
// bytes, a compiled WebAssembly.Module or a URL. No eval, no blob: URLs; instantiation is also
// available synchronously for AudioWorkletGlobalScope, where async compile is discouraged.
import type { SazanamiExports } from './wasm-exports.js';

export type WasmSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | URL | string;
export type WasmFlavor = 'simd' | 'scalar';

export interface WasmSources {
  simd?: WasmSource;
  scalar?: WasmSource;
}

export interface LoadedWasm {
  readonly exports: SazanamiExports;
  readonly flavor: WasmFlavor;
  readonly module: WebAssembly.Module;
}

// The smallest module that uses a v128 instruction: validates only where SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

export function isWasmSimdSupported(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/** Default location of a build: build/ beside src/, and dist/build/ beside dist/src/ (copied by `npm run build`). */
export function defaultWasmUrl(flavor: WasmFlavor): URL {
  return new URL(`../../build/sazanami-${flavor}.wasm`, import.meta.url);
}

async function readSource(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer) return WebAssembly.compile(source);
  if (ArrayBuffer.isView(source)) {
    return WebAssembly.compile(new Uint8Array(source.buffer, source.byteOffset, source.byteLength).slice());
  }
  const url = source instanceof URL ? source : new URL(source, (globalThis as { location?: { href: string } }).location?.href);
  if (url.protocol === 'file:') {
    // A variable specifier keeps browser bundlers from trying to resolve a Node-only module.
    const nodeFs = 'node:fs/promises';
    const { readFile } = (await import(/* @vite-ignore */ nodeFs)) as typeof import('node:fs/promises');
    const bytes = await readFile(url);
    return WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url.href}: HTTP ${response.status}`);
  return WebAssembly.compile(await response.arrayBuffer());
}

/** Decodes an AssemblyScript string (UTF-16, byte length stored just before it). */
function readAsString(memory: WebAssembly.Memory, pointer: number): string {
  if (!pointer) return '';
  const bytes = new Uint32Array(memory.buffer, pointer - 4, 1)[0];
  return String.fromCharCode(...new Uint16Array(memory.buffer, pointer, bytes >>> 1));
}

/** Instantiates a compiled module synchronously (AudioWorklet-safe). */
export function instantiateWasm(module: WebAssembly.Module, flavor: WasmFlavor): LoadedWasm {
  let memory: WebAssembly.Memory | undefined;
  const imports = {
    env: {
      abort(messagePtr: number, filePtr: number, line: number, column: number): never {
        const message = memory ? readAsString(memory, messagePtr) : 'abort';
        const file = memory ? readAsString(memory, filePtr) : '';
        throw new Error(`sazanami kernel aborted: ${message} (${file}:${line}:${column})`);
      },
    },
  };
  const instance = new WebAssembly.Instance(module, imports);
  const exports = instance.exports as unknown as SazanamiExports;
  memory = exports.memory;
  return { exports, flavor, module };
}

/**
 * Loads the SIMD build where the engine supports Wasm SIMD, otherwise the scalar build.
 * `prefer` forces a flavor (benchmarks and parity tests use it).
 */
export async function loadWasm(sources: WasmSources = {}, prefer?: WasmFlavor): Promise<LoadedWasm> {
  const flavor: WasmFlavor = prefer ?? (isWasmSimdSupported() ? 'simd' : 'scalar');
  if (flavor === 'simd' && !isWasmSimdSupported()) throw new Error('this engine does not support WebAssembly SIMD');
  const module = await readSource(sources[flavor] ?? defaultWasmUrl(flavor));
  return instantiateWasm(module, flavor);
}

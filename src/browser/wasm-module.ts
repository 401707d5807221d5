// Compiles the sazanami Wasm once on the main thread; the compiled WebAssembly.Module is then
// structured-cloned into each worklet, which instantiates it synchronously. No eval, no blob: URLs.
import { isWasmSimdSupported, type WasmFlavor, type WasmSource, type WasmSources } from '../core/wasm-loader.js';
import { defaultScalarWasmUrl, defaultSimdWasmUrl } from './default-urls.js';

export interface CompiledWasm {
  module: WebAssembly.Module;
  flavor: WasmFlavor;
}

export async function compileWasm(sources: WasmSources = {}, prefer?: WasmFlavor): Promise<CompiledWasm> {
  const simd = isWasmSimdSupported();
  if (prefer === 'simd' && !simd) throw new Error('this browser does not support WebAssembly SIMD; use the scalar build');
  const flavor: WasmFlavor = prefer ?? (simd ? 'simd' : 'scalar');
  const source = sources[flavor] ?? (flavor === 'simd' ? defaultSimdWasmUrl() : defaultScalarWasmUrl());
  return { module: await compileSource(source), flavor };
}

async function compileSource(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer) return WebAssembly.compile(source);
  if (ArrayBuffer.isView(source)) {
    return WebAssembly.compile(new Uint8Array(source.buffer, source.byteOffset, source.byteLength).slice());
  }
  const base = (globalThis as { location?: { href: string } }).location?.href;
  const url = source instanceof URL ? source : new URL(source, base);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`could not load the sazanami Wasm from ${url.href}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!response.ok) throw new Error(`could not load the sazanami Wasm from ${url.href}: HTTP ${response.status}`);
  return WebAssembly.compile(await response.arrayBuffer());
}

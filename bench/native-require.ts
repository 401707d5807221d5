// Loads a CommonJS package (benchmark.js and its lodash/platform dependencies) by compiling its
// files directly with node:vm, bypassing tsx's require hooks. Why: under tsx, requiring a CommonJS
// package detaches an ArrayBuffer somewhere in the hook machinery, which permanently invalidates
// V8's "array buffer detaching" protector; from then on every optimised typed-array access carries
// a detach check, and plain-JS DSP (the FFT baseline) runs ~35 % slower than in a normal Node
// process. Wasm code is unaffected, so loading the harness normally would flatter the kernels.
import { readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname } from 'node:path';
import { compileFunction } from 'node:vm';

const cache = new Map<string, { exports: unknown }>();
const BUILTINS = new Set(builtinModules);

/** `require(id)` as seen from `fromFile` (a path or file: URL), for plain CommonJS packages without native addons. */
export function nativeRequire(id: string, fromFile: string): unknown {
  const hostRequire = createRequire(fromFile);
  if (id.startsWith('node:') || BUILTINS.has(id)) return hostRequire(id);
  const filename = hostRequire.resolve(id);
  const cached = cache.get(filename);
  if (cached !== undefined) return cached.exports;
  if (!filename.endsWith('.js') && !filename.endsWith('.cjs')) return hostRequire(id);
  const module = { exports: {} as unknown, require: (next: string) => nativeRequire(next, filename) };
  cache.set(filename, module);
  const wrapper = compileFunction(readFileSync(filename, 'utf8'), ['exports', 'require', 'module', '__filename', '__dirname'], { filename });
  wrapper.call(module.exports, module.exports, module.require, module, filename, dirname(filename));
  return module.exports;
}

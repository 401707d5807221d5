// Vitest global setup: the browser tests load the compiled library from dist/, so rebuild it when
// any TypeScript source or Wasm build is newer than the compiled output.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './harness.js';

function newestMtime(path: string, filter: (name: string) => boolean): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (stat.isFile()) return filter(path) ? stat.mtimeMs : 0;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry), filter));
  return newest;
}

function oldestMtime(paths: string[]): number {
  return Math.min(...paths.map((path) => (existsSync(path) ? statSync(path).mtimeMs : 0)));
}

export default function setup(): void {
  const at = (path: string) => join(REPO_ROOT, path);
  const wasm = ['build/sazanami-simd.wasm', 'build/sazanami-scalar.wasm'].map(at);
  if (wasm.some((path) => !existsSync(path))) {
    execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
    return;
  }
  const isTs = (name: string) => name.endsWith('.ts');
  const sources = Math.max(newestMtime(at('src'), isTs), newestMtime(at('worklets'), isTs), newestMtime(at('workers'), isTs));
  const compiled = oldestMtime(['dist/src/index.js', 'dist/worklets/capture.worklet.js', 'dist/workers/video.worker.js', 'dist/workers/receive.worker.js', 'dist/worklets/playout.worklet.js', 'dist/workers/video-receive.worker.js'].map(at));
  if (compiled < sources) {
    try {
      execFileSync(join(REPO_ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'pipe' });
    } catch (error) {
      // tsc still emits on type errors (someone mid-edit elsewhere); the tests then show what broke.
      const output = (error as { stdout?: Buffer }).stdout?.toString() ?? String(error);
      console.warn(`tsc -p tsconfig.build.json reported errors:\n${output}`);
    }
    // tsc emits the worklet unbundled; the shipped one is self-contained (scripts/bundle-hosts.mjs).
    execFileSync('node', ['scripts/bundle-hosts.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  const copied = oldestMtime(['dist/build/sazanami-simd.wasm', 'dist/build/sazanami-scalar.wasm'].map(at));
  if (copied < Math.max(...wasm.map((path) => statSync(path).mtimeMs))) {
    execFileSync('node', ['scripts/copy-assets.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
}

// Bundles each host entry (AudioWorklet, worker) with the core it imports into one self-contained
// ESM file in dist/worklets/ and dist/workers/. Hosts are fetched by URL, and bundlers copy such
// URLs as single assets without following their imports, so a shipped host must import nothing.
// (esbuild: a well-kept bundler that is already in the toolchain through tsx and vite.)
import { build } from 'esbuild';

const HOSTS = [
  ['worklets/capture.worklet.ts', 'dist/worklets'],
  ['workers/video.worker.ts', 'dist/workers'],
  ['workers/receive.worker.ts', 'dist/workers'],
  ['worklets/playout.worklet.ts', 'dist/worklets'],
  ['workers/video-receive.worker.ts', 'dist/workers'],
];

for (const [entry, outdir] of HOSTS) {
  await build({
    entryPoints: [entry],
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    // Only reached from Node code paths (file: URLs); never loaded in a worklet or worker.
    external: ['node:*'],
    logLevel: 'warning',
  });
}

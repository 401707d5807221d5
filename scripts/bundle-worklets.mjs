// Bundles each worklet with the core it imports into one self-contained ESM file in dist/worklets/.
// AudioWorklet modules are fetched by URL, and bundlers copy such URLs as single assets without
// following their imports, so the shipped worklet must not import anything. (esbuild: a well-kept
// bundler that is already in the toolchain through tsx and vite.)
import { build } from 'esbuild';

await build({
  entryPoints: ['worklets/capture.worklet.ts'],
  outdir: 'dist/worklets',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  // Only reached from Node code paths (file: URLs); never loaded inside a worklet.
  external: ['node:*'],
  logLevel: 'warning',
});

// Vite config of the demo page (`npm start`, `npm run demo:build`). The page imports the built
// library from ../dist/src/index.js exactly as an app would; the library loads its Wasm and its
// AudioWorklet with `new URL(…, import.meta.url)`, so dev needs the repo root in fs.allow.
// COOP/COEP make the page cross-origin isolated (SharedArrayBuffer, precise timers). FFmpeg's core
// (the "open your own file" tab) is emitted from node_modules as same-origin files, loaded lazily.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const demoRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export default defineConfig({
  root: demoRoot,
  // Relative asset URLs, so the built page also works from a sub-path.
  base: './',
  publicDir: false,
  clearScreen: false,
  server: {
    host: '127.0.0.1',
    port: 5173,
    headers: isolationHeaders,
    fs: { allow: [repoRoot] },
  },
  preview: {
    host: '127.0.0.1',
    port: 4173,
    headers: isolationHeaders,
  },
  worker: { format: 'es' },
  // Nothing to pre-bundle (the page imports dist/ and ESM packages only), and no discovery at run
  // time, which would reload the page. @ffmpeg/ffmpeg starts its worker with
  // `new URL('./worker.js', import.meta.url)`: pre-bundling would move it away from that file.
  optimizeDeps: { noDiscovery: true, include: [], exclude: ['@ffmpeg/ffmpeg'] },
  build: {
    outDir: fileURLToPath(new URL('../dist/demo-site', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Keep the WAV samples and the Wasm as files (never base64 inside the JS).
    assetsInlineLimit: 0,
  },
});

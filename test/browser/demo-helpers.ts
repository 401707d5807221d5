// Plumbing for the demo page test: the demo's own Vite dev server (demo/vite.config.ts, so the
// page is served exactly as `npm start` serves it) on a free port on 127.0.0.1.
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, createServer, preview, type ViteDevServer } from 'vite';

export const DEMO_CONFIG = fileURLToPath(new URL('../../demo/vite.config.ts', import.meta.url));

export interface DemoServer {
  url: string;
  /** Paths requested so far (worklet module fetches are not visible as page responses). */
  requests: string[];
  close(): Promise<void>;
}

export async function startDemoServer(): Promise<DemoServer> {
  const server: ViteDevServer = await createServer({
    configFile: DEMO_CONFIG,
    logLevel: 'warn',
    // No watcher and no HMR: a rebuild of dist/ by someone else must not reload the page mid-test.
    server: { port: 0, strictPort: false, watch: null, hmr: false },
  });
  const requests: string[] = [];
  server.httpServer?.on('request', (request: { url?: string }) => { requests.push(request.url ?? ''); });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error('the Vite dev server did not report a URL');
  return { url, requests, close: () => server.close() };
}

/**
 * Builds the demo (`npm run demo:build`, into a temporary directory) and serves it with
 * `vite preview`: the production bundle, with the worklet and Wasm emitted by the bundler.
 */
export async function startBuiltDemoServer(): Promise<DemoServer> {
  const outDir = mkdtempSync(join(tmpdir(), 'sazanami-demo-site-'));
  await build({ configFile: DEMO_CONFIG, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await preview({ configFile: DEMO_CONFIG, logLevel: 'warn', build: { outDir }, preview: { port: 0, strictPort: false } });
  const requests: string[] = [];
  server.httpServer.on('request', (request: { url?: string }) => { requests.push(request.url ?? ''); });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error('vite preview did not report a URL');
  return {
    url,
    requests,
    close: async () => {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/** Counts pixels of a canvas that differ from its background colour (read in the page). */
export const COUNT_PAINTED_PIXELS = ({ id, background }: { id: string; background: readonly number[] }): { painted: number; total: number } => {
  const canvas = document.getElementById(id) as HTMLCanvasElement;
  const context = canvas.getContext('2d')!;
  const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
  const [r, g, b] = background;
  let painted = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) > 24) painted++;
  }
  return { painted, total: canvas.width * canvas.height };
};

// Shared plumbing for the browser tests: a static server for the repo (COOP/COEP, and a strict CSP
// for the CSP page), headless Debian Chromium through playwright-core, and Float32 transfer helpers.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const NOISY_SPEECH_WAV = join(REPO_ROOT, 'demo/samples/noisy-speech.wav');

/** Only these trees are served. */
const SERVED_PREFIXES = ['/dist/', '/build/', '/test/browser/pages/', '/demo/samples/'];
/** Pages served with the strict policy the library must work under. */
export const STRICT_CSP = "script-src 'self' 'wasm-unsafe-eval'";
const CSP_PAGES = new Set(['/test/browser/pages/csp.html']);

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json', '.json': 'application/json', '.wasm': 'application/wasm', '.wav': 'audio/wav',
};

export interface StaticServer {
  origin: string;
  close(): Promise<void>;
}

export async function startServer(): Promise<StaticServer> {
  const server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(REPO_ROOT, pathname));
    let size = -1;
    if (SERVED_PREFIXES.some((prefix) => pathname.startsWith(prefix)) && file.startsWith(REPO_ROOT) && !pathname.includes(`..${sep}`)) {
      try {
        const stat = statSync(file);
        if (stat.isFile()) size = stat.size;
      } catch {
        size = -1;
      }
    }
    if (size < 0) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    const headers: Record<string, string | number> = {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': size,
      'Cache-Control': 'no-store',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
    };
    if (CSP_PAGES.has(pathname)) headers['Content-Security-Policy'] = STRICT_CSP;
    response.writeHead(200, headers);
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      '--autoplay-policy=no-user-gesture-required', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', ...extraArgs,
    ],
  });
}

/** Opens the test harness page and waits for its module (window.sazanamiTest) to load. */
export async function openHarness(browser: Browser, origin: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') console.log(`[page ${message.type()}] ${message.text()}`);
  });
  page.on('pageerror', (error) => console.log(`[page error] ${error.message}`));
  await page.goto(`${origin}/test/browser/pages/harness.html`);
  await page.waitForFunction(() => (window as unknown as { sazanamiTest?: unknown }).sazanamiTest !== undefined);
  return page;
}

/**
 * For one test file: starts the server, Chromium (with `extraArgs`) and the harness page before
 * its tests and closes them after. Returns a getter for the page.
 */
export function useHarnessPage(extraArgs: string[] = []): () => Page {
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium(extraArgs);
    page = await openHarness(browser, server.origin);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return () => {
    if (page === undefined) throw new Error('the harness page is not open (beforeAll failed)');
    return page;
  };
}

/** Decodes a Float32Array that the page encoded as base64 (little-endian bytes). */
export function float32FromBase64(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

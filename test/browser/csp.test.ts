// The library under `Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'`: no eval, no
// new Function, no blob: URLs, no inline scripts are needed to create the engine and process audio.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, startServer, type StaticServer, STRICT_CSP } from './harness.js';

interface CspResult {
  ok: boolean;
  error?: string;
  flavor?: string;
  latencySamples?: number;
  noiseRmsIn?: number;
  noiseRmsOut?: number;
  violations: string[];
  evalBlocked?: boolean;
  violationsAfterProbe?: string[];
}

describe('strict CSP page', () => {
  let server: StaticServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(`creates the engine and renders through the capture worklet under "${STRICT_CSP}" with no CSP violation`, async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${server.origin}/test/browser/pages/csp.html`);
    expect(response?.headers()['content-security-policy']).toBe(STRICT_CSP);
    await page.waitForFunction(() => (window as unknown as { cspResult?: unknown }).cspResult !== undefined);
    const result = await page.evaluate(() => (window as unknown as { cspResult: CspResult }).cspResult);
    console.log(`CSP page: ${JSON.stringify(result)}`);
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.violations).toEqual([]);
    expect(result.latencySamples).toBeGreaterThan(0);
    // Audio was really processed: the strong preset lowers the noise-only section.
    expect(result.noiseRmsOut!).toBeLessThan(0.5 * result.noiseRmsIn!);
    // Control: the policy is enforced on this page and the listener sees violations.
    expect(result.evalBlocked).toBe(true);
    expect(result.violationsAfterProbe!.length).toBeGreaterThan(0);
    await page.close();
  });
});

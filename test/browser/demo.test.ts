// The demo page (`npm start`) in headless Chromium, served by its own Vite config: it loads the
// library from dist/ (Wasm + worklet resolved through Vite), plays the sample through
// processAudioTrack, toggles A/B, switches presets, paints both spectrograms and shows live stats,
// all under its strict Content-Security-Policy.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKGROUND_RGB } from '../../demo/spectrogram.js';
import { COUNT_PAINTED_PIXELS, type DemoServer, startBuiltDemoServer, startDemoServer } from './demo-helpers.js';
import { launchChromium, REPO_ROOT } from './harness.js';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

interface DemoSnapshot {
  listening: 'a' | 'b';
  preset: string;
  source: 'scene' | 'microphone' | null;
  contextState: AudioContextState | null;
  gainA: number | null;
  gainB: number | null;
  alignmentMs: number | null;
  measuredLagMs: number | null;
  flavor: string | null;
  stats: {
    latencyMs: number; cpuUsPerFrame: number | null; noiseLevelDbfs: number; speechProbability: number;
    underruns: number; bypassed: boolean; error: string | null; options: { noiseSuppression: string };
  } | null;
  offlineCpuUsPerFrame: number | null;
  shownCpuUsPerFrame: number | null;
  liveCpuUsPerFrame: number | null;
}

function snapshot(page: Page): Promise<DemoSnapshot> {
  return page.evaluate(() => (window as unknown as { sazanamiDemo: { snapshot(): DemoSnapshot } }).sazanamiDemo.snapshot());
}

async function waitForSnapshot(page: Page, predicate: (state: DemoSnapshot) => boolean, what: string): Promise<DemoSnapshot> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const state = await snapshot(page);
    if (predicate(state)) return state;
    await page.waitForTimeout(50);
  }
  const shown = await page.evaluate(() => `${document.getElementById('status')?.textContent} / ${document.getElementById('error')?.textContent}`);
  throw new Error(`timed out waiting for ${what}; last state ${JSON.stringify(await snapshot(page))}; page says: ${shown}`);
}

const SERVERS = [
  { name: 'vite dev (npm start)', tag: 'dev', start: startDemoServer, workletPath: '/dist/worklets/capture.worklet.js' },
  { name: 'production build (npm run demo:build)', tag: 'build', start: startBuiltDemoServer, workletPath: '/assets/capture.worklet-' },
] as const;

describe.each(SERVERS)('demo page, $name', ({ tag, start, workletPath }) => {
  let server: DemoServer;
  let browser: Browser;
  let page: Page;
  const pageProblems: string[] = [];
  const assetStatus = new Map<string, number>();

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await start();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Record CSP violations (the init script itself is injected by CDP, outside the page's CSP).
    await page.addInitScript(() => {
      const violations: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = violations;
      document.addEventListener('securitypolicyviolation', (event) => violations.push(`${event.violatedDirective}: ${event.blockedURI}`));
    });
    page.on('console', (message) => {
      if (message.type() === 'error') pageProblems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (/\.(wasm|wav)$/.test(url.pathname)) assetStatus.set(url.pathname, response.status());
    });
    await page.goto(server.url);
    await page.waitForFunction(() => (window as unknown as { sazanamiDemo?: unknown }).sazanamiDemo !== undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('plays the sample through processAudioTrack, toggles A/B, switches presets and shows spectrograms and stats', async () => {
    await page.screenshot({ path: join(ARTIFACTS, `demo-idle-${tag}.png`), fullPage: true });
    expect(await page.getAttribute('#ab-switch', 'aria-checked')).toBe('false');

    await page.click('#play');
    const running = await waitForSnapshot(page, (s) => s.contextState === 'running' && s.source === 'scene' && s.stats !== null, 'playback');
    expect(running.listening).toBe('a');
    expect(running.stats!.latencyMs).toBeGreaterThan(0);
    expect(await page.getAttribute('#play', 'data-state')).toBe('playing');
    expect(await page.textContent('#play-label')).toBe('Pause');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

    // One click on the switch: B, with its gain at 1 once the 20 ms crossfade is over.
    await page.click('#ab-switch');
    expect(await page.getAttribute('#ab-switch', 'aria-checked')).toBe('true');
    expect(await page.getAttribute('#ab-switch', 'data-listening')).toBe('b');
    const onB = await waitForSnapshot(page, (s) => s.gainB === 1 && s.gainA === 0, 'the B gain to reach 1');
    expect(onB.listening).toBe('b');
    expect(await page.getAttribute('#spectrum-b', 'class')).toContain('listening');

    // Keys: A picks A, space toggles back to B.
    await page.keyboard.press('a');
    await waitForSnapshot(page, (s) => s.listening === 'a' && s.gainA === 1 && s.gainB === 0, 'the A key');
    await page.keyboard.press(' ');
    await waitForSnapshot(page, (s) => s.listening === 'b' && s.gainB === 1, 'the space bar');
    expect(await page.getAttribute('#ab-switch', 'aria-checked')).toBe('true');

    // Preset: the worklet reports the new options in its stats.
    await page.click('label[for="preset-strong"]');
    expect(await page.isChecked('#preset-strong')).toBe(true);
    await waitForSnapshot(page, (s) => s.preset === 'strong' && s.stats?.options.noiseSuppression === 'strong', 'the strong preset');

    // Let the spectrograms scroll and the stats settle (audio time; nothing asserted on speed).
    await page.waitForTimeout(3000);
    // µs per frame: benchmarked offline on this device (the live worklet reading is shown beside it).
    await waitForSnapshot(page, (s) => s.offlineCpuUsPerFrame !== null, 'the CPU benchmark');
    // A's delay locks to B's measured end-to-end lag (the reported latency + MediaStream buffering).
    await waitForSnapshot(page, (s) => s.measuredLagMs !== null, 'the A/B lag measurement');
    const painted = {
      a: await page.evaluate(COUNT_PAINTED_PIXELS, { id: 'canvas-a', background: [...BACKGROUND_RGB] }),
      b: await page.evaluate(COUNT_PAINTED_PIXELS, { id: 'canvas-b', background: [...BACKGROUND_RGB] }),
    };
    const state = await snapshot(page);
    const shown = {
      cpuUs: await page.textContent('#stat-cpu'), loadPercent: await page.textContent('#stat-load'),
      latencyMs: await page.textContent('#stat-latency'), noiseDbfs: await page.textContent('#stat-noise'),
      speechPercent: await page.textContent('#stat-speech'),
    };
    console.log(`[${tag}] library assets`, JSON.stringify({ responses: [...assetStatus], worklet: server.requests.filter((path) => path.includes('worklet')) }));
    console.log(`[${tag}] demo stats`, JSON.stringify({
      flavor: state.flavor, alignmentMs: state.alignmentMs, measuredLagMs: state.measuredLagMs, shownCpuUsPerFrame: state.shownCpuUsPerFrame,
      liveCpuUsPerFrame: state.liveCpuUsPerFrame,       offlineCpuUsPerFrame: state.offlineCpuUsPerFrame, stats: state.stats, shown, painted,
    }, null, 1));
    await page.screenshot({ path: join(ARTIFACTS, `demo-playing-${tag}.png`), fullPage: true });

    // More than 5 % of each canvas painted (the sample is loud broadband noise plus speech).
    expect(painted.a.painted / painted.a.total).toBeGreaterThan(0.05);
    expect(painted.b.painted / painted.b.total).toBeGreaterThan(0.05);
    expect(Number.isFinite(state.shownCpuUsPerFrame)).toBe(true);
    expect(Number.isFinite(Number.parseFloat(shown.cpuUs ?? ''))).toBe(true);
    expect(Number.isFinite(Number.parseFloat(shown.latencyMs ?? ''))).toBe(true);
    // The lag cannot be shorter than the processing delay (1 ms of slack for the coarse search).
    expect(state.measuredLagMs!).toBeGreaterThan(state.stats!.latencyMs - 1);
    expect(state.alignmentMs).toBeCloseTo(state.measuredLagMs!, 3);
    expect(state.stats!.bypassed).toBe(false);
    expect(state.stats!.error).toBeNull();

    // The library's assets resolved through Vite, and nothing broke the page's CSP.
    expect([...assetStatus.entries()].filter(([path]) => path.endsWith('.wasm'))).toContainEqual([expect.stringMatching(/sazanami-(simd|scalar)[-\w]*\.wasm$/), 200]);
    expect(server.requests.filter((path) => path.includes(workletPath))).not.toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
    expect(pageProblems).toEqual([]);
  });

  it('switches recordings, and to the (fake) microphone and back, on the same processor', async () => {
    await page.selectOption('#scene', 'babble');
    await page.waitForTimeout(800);
    await page.keyboard.press('b');
    const onBabble = await waitForSnapshot(page, (s) => s.source === 'scene' && s.listening === 'b', 'the babble scene on B');
    expect(onBabble.stats?.bypassed).toBe(false);

    await page.click('#mic');
    const onMic = await waitForSnapshot(page, (s) => s.source === 'microphone', 'the microphone');
    expect(await page.getAttribute('#mic', 'data-state')).toBe('on');
    expect(await page.textContent('#mic-label')).toBe('Back to the sample');
    expect(onMic.stats?.bypassed).toBe(false);
    await page.waitForTimeout(500);
    await page.click('#mic');
    await waitForSnapshot(page, (s) => s.source === 'scene', 'the sample again');
    expect(await page.getAttribute('#mic', 'data-state')).toBe('off');
    expect(pageProblems).toEqual([]);
  });

  it('lays out on a phone-sized screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(ARTIFACTS, `demo-mobile-${tag}.png`), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});

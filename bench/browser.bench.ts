// The capture worklet in real headless Chromium: 60 s of noisy speech rendered through an
// OfflineAudioContext with the worklet (balanced preset), next to the same render without it and
// next to Node's processOffline on the same audio. Per 10 ms figures are the worklet's own share
// (render with worklet − render without). Skipped with a note when Chromium or dist/ is missing.
import { existsSync } from 'node:fs';
import { loadEngineCore, processOffline } from '../src/core/offline.js';
import { CHROMIUM_PATH, launchChromium, openHarness, startServer } from '../test/browser/harness.js';
import { type BenchDefinition, errorRow, finishTable, median, REPO_ROOT, type ResultRow, runIfMain } from './harness.js';
import { noisySpeech, resampleSignal } from './signals.js';

const SECONDS = 60;
const BASELINE = 'Node processOffline 48 kHz';

interface OfflineSpeed { sampleRate: number; seconds: number; flavor: string; withWorkletMs: number; baselineMs: number }

function row(name: string, totalMs: number, framesOf10Ms: number, note: string): ResultRow {
  return {
    case: name, microsecondsPerUnit: (1000 * totalMs) / framesOf10Ms, rmePercent: null, samples: 2,
    realTimeFactor: (SECONDS * 1000) / totalMs, speedVsBaseline: null, note,
  };
}

export const bench: BenchDefinition = {
  name: 'browser',
  description: 'capture worklet in Chromium through OfflineAudioContext vs Node',
  async run() {
    const rows: ResultRow[] = [];
    const frames = SECONDS * 100;
    const core = await loadEngineCore();
    const signal48k = noisySpeech(SECONDS);
    const signal44k = resampleSignal(core.wasm, signal48k, 44_100);
    for (const [name, signal] of [[BASELINE, signal48k], ['Node processOffline 44.1 kHz', signal44k]] as const) {
      const runs = [0, 1, 2].map(() => {
        const started = performance.now();
        processOffline(core, [signal.samples], signal.sampleRateHz, { noiseSuppression: 'balanced' });
        return performance.now() - started;
      });
      rows.push(row(name, median(runs), frames, `median of 3 runs: ${runs.map((ms) => ms.toFixed(0)).join(', ')} ms`));
    }
    const notes = [
      `input: ${SECONDS} s of the built-in noisy-speech sample (looped), preset balanced`,
      'Chromium rows: best of 2 OfflineAudioContext renders after a warm-up; µs/10 ms = (render with worklet − render without) / 6000',
      'real-time × = audio seconds / the row\'s processing time (Chromium: the worklet\'s share only)',
    ];
    if (!existsSync(CHROMIUM_PATH) || !existsSync(`${REPO_ROOT}dist/src/index.js`)) {
      notes.push(`skipped Chromium: ${!existsSync(CHROMIUM_PATH) ? `${CHROMIUM_PATH} not installed` : 'dist/ not built (npm run build)'}`);
    } else {
      const server = await startServer();
      const browser = await launchChromium();
      try {
        const page = await openHarness(browser, server.origin);
        for (const sampleRate of [48_000, 44_100]) {
          const name = `Chromium worklet ${sampleRate / 1000} kHz`;
          try {
            const r = await page.evaluate((args) => (window as any).sazanamiTest.offlineSpeed(args) as Promise<OfflineSpeed>,
              { sampleRate, seconds: SECONDS, noiseSuppression: 'balanced' });
            const workletMs = Math.max(r.withWorkletMs - r.baselineMs, 1e-3);
            rows.push(row(name, workletMs, frames,
              `${r.flavor} build; render with worklet ${r.withWorkletMs.toFixed(0)} ms, without ${r.baselineMs.toFixed(0)} ms; whole render ${(SECONDS * 1000 / r.withWorkletMs).toFixed(0)}× real time`));
          } catch (error) {
            rows.push(errorRow(name, error));
          }
        }
      } finally {
        await browser.close();
        await server.close();
      }
    }
    return [finishTable({
      name: 'browser',
      title: `Capture chain per 10 ms: Chromium AudioWorklet (OfflineAudioContext) vs Node (baseline: ${BASELINE})`,
      unit: '10 ms',
      audioSecondsPerUnit: 0.01,
      baseline: BASELINE,
      notes,
    }, rows)];
  },
};

await runIfMain(bench, import.meta.url);

// stop()/detach() at any moment (test/browser/pages/stop-anytime.js): audio and video processors and
// a whole attached call, stopped 0–500 ms after they started (twice at once; a call also while the app
// renegotiates), and engine.close() under pending starts. No unhandled error, the app's tracks live,
// processed tracks ended, original senders' tracks restored, nothing left running.
import { describe, expect, it } from 'vitest';
import { NOISY_SPEECH_WAV, useHarnessPage } from './harness.js';

const DELAYS_MS = [0, 1, 7, 50, 233, 500];

describe('stop at any moment', () => {
  const page = useHarnessPage([`--use-file-for-fake-audio-capture=${NOISY_SPEECH_WAV}`]);

  it(`stops processors and calls cleanly at ${DELAYS_MS.join('/')} ms, and engine.close() under pending starts`, async () => {
    await page().addScriptTag({ type: 'module', content: "import * as m from '/test/browser/pages/stop-anytime.js'; window.stopPage = m;" });
    await page().waitForFunction(() => (window as unknown as { stopPage?: unknown }).stopPage !== undefined);
    const r = await page().evaluate((delaysMs) => (window as unknown as { stopPage: { stopAtAnyMoment(a: unknown): Promise<{
      outcomes: { audio: number; video: number; call: number; doubleStop: number; errors: string[] }; closeOutcomes: string[];
      afterClose: string; live: { mic: string; cam: string; liveProcessors: number }; unhandled: string[] }> } }).stopPage.stopAtAnyMoment({ delaysMs }), DELAYS_MS);
    console.log(`stop at any moment: ${JSON.stringify(r)}`);
    expect(r.outcomes.errors).toEqual([]);
    expect(r.outcomes).toMatchObject({ audio: DELAYS_MS.length, video: DELAYS_MS.length, call: DELAYS_MS.length });
    // Each start pending at engine.close() settles: rejected (InvalidStateError, its processor stopped)
    // unless it had finished before close() — nothing outlives the engine.
    expect(r.closeOutcomes).toHaveLength(3);
    for (const outcome of r.closeOutcomes) expect(outcome).toMatch(/^(resolved|rejected: InvalidStateError)$/);
    expect(r.closeOutcomes.filter((o) => o !== 'resolved').length).toBeGreaterThan(0);
    expect(r.afterClose).toMatch(/^InvalidStateError: this engine was closed/);
    expect(r.live).toEqual({ mic: 'live', cam: 'live', liveProcessors: 0 });
    expect(r.unhandled).toEqual([]);
  });
});

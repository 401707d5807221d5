// The CPU-load estimator behind attachCall (src/browser/load-controller.ts): steps down one level per
// run of mildly overloaded intervals, at once when the overload is severe (everything when half the
// audio is missing), skips levels that change nothing, steps back up after a healthy stretch and
// backs off when a step up had to be undone; bad samples and disabled control change nothing.
import { describe, expect, it } from 'vitest';
import { LOAD_CONTROL_DEFAULTS, LoadController, validateLoadControlOptions } from '../src/browser/load-controller.js';

const settings = { ...LOAD_CONTROL_DEFAULTS, intervalMs: 500, overloadedIntervals: 2, recoverAfterMs: 3000 };

/** Feeds `count` intervals of 500 ms at `ratio` from `startMs`; returns the levels after each and the end time. */
function feed(controller: LoadController, ratio: number, count: number, startMs: number): { levels: string[]; endMs: number } {
  const levels: string[] = [];
  let now = startMs;
  for (let i = 0; i < count; i++) { now += 500; levels.push(controller.observe(500, 500 * ratio, now)); }
  return { levels, endMs: now };
}

describe('LoadController', () => {
  it('stays at full while the render keeps up, with timer jitter', () => {
    const c = new LoadController(settings);
    const ratios = [1.002, 0.985, 1.01, 0.975, 1.0, 0.99];
    ratios.forEach((r, i) => c.observe(500, 500 * r, 500 * (i + 1)));
    expect(c.level).toBe('full');
    expect(c.stats().stepsDown).toBe(0);
  });

  it('steps down one level per two mildly overloaded intervals, to all-bypassed at most', () => {
    const c = new LoadController(settings);
    const { levels } = feed(c, 0.9, 10, 0);
    expect(levels.slice(0, 6)).toEqual(['full', 'video-correction-bypassed', 'video-correction-bypassed', 'noise-suppression-bypassed',
      'noise-suppression-bypassed', 'all-bypassed']);
    expect(c.level).toBe('all-bypassed');
    expect(c.stats().bypassed).toEqual(['video correction', 'noise suppression', 'echo cancellation', 'gain control']);
    expect(c.stats().renderDeficitMs).toBeCloseTo(500, 6);
  });

  it('steps down every interval when a quarter of the audio is missing, and bypasses everything at once when half is', () => {
    const c = new LoadController(settings);
    expect(feed(c, 0.7, 3, 0).levels).toEqual(['video-correction-bypassed', 'noise-suppression-bypassed', 'all-bypassed']);
    const d = new LoadController(settings);
    expect(feed(d, 0.3, 1, 0).levels).toEqual(['all-bypassed']);
    expect(d.stats()).toMatchObject({ stepsDown: 1, minRenderRatio: 0.3 });
  });

  it('with the default 250 ms intervals, judges mild overload and health over a 1 s window, so clock steps of ±5 % neither step down nor block a step up', () => {
    const c = new LoadController({ ...LOAD_CONTROL_DEFAULTS, recoverAfterMs: 2000 });
    const jitter = [0.95, 1.05, 0.96, 1.04];
    let t = 0;
    for (let i = 0; i < 40; i++) { t += 250; c.observe(250, 250 * jitter[i % 4], t); }
    expect(c.level).toBe('full');
    t += 250; c.observe(250, 250 * 0.3, t);  // severe: everything bypassed at once
    expect(c.level).toBe('all-bypassed');
    for (let i = 0; i < 40; i++) { t += 250; c.observe(250, 250 * jitter[i % 4], t); }
    expect(c.stats().stepsUp).toBeGreaterThan(0);
  });

  it('skips a level that changes nothing (no video on the call)', () => {
    const c = new LoadController(settings, (level) => level === 'video-correction-bypassed');
    const { levels } = feed(c, 0.9, 2, 0);
    expect(levels).toEqual(['full', 'noise-suppression-bypassed']);
    feed(c, 1.0, 20, 1000);
    expect(c.level).toBe('full');
  });

  it('steps back up after a healthy stretch, and waits twice as long after an undone step up', () => {
    const c = new LoadController(settings);
    let t = feed(c, 0.9, 2, 0).endMs;
    expect(c.level).toBe('video-correction-bypassed');
    // 3 s healthy → back to full.
    const healthy = feed(c, 1.0, 6, t);
    expect(healthy.levels.at(-1)).toBe('full');
    t = healthy.endMs;
    // Overloaded again right after the step up: down, and the next step up needs 6 s.
    t = feed(c, 0.9, 2, t).endMs;
    expect(c.level).toBe('video-correction-bypassed');
    const wait = feed(c, 1.0, 11, t);
    expect(wait.levels.at(-1)).toBe('video-correction-bypassed');
    expect(feed(c, 1.0, 1, wait.endMs).levels[0]).toBe('full');
    expect(c.stats()).toMatchObject({ stepsDown: 2, stepsUp: 2 });
  });

  it('ignores bad samples and does nothing when disabled', () => {
    const c = new LoadController(settings);
    for (const [wall, rendered] of [[0, 0], [-1, 10], [500, NaN], [500, -5], [NaN, 500], [500, Infinity]]) c.observe(wall, rendered, 1000);
    expect(c.stats().renderRatio).toBeNull();
    const off = new LoadController(validateLoadControlOptions(false));
    feed(off, 0.1, 10, 0);
    expect(off.level).toBe('full');
    expect(off.stats().enabled).toBe(false);
  });

  it('validates options with messages naming what is accepted', () => {
    expect(validateLoadControlOptions(undefined)).toEqual(LOAD_CONTROL_DEFAULTS);
    expect(() => validateLoadControlOptions({ intervalMs: 10 })).toThrow(/intervalMs must be a number from 100 to 60000/);
    expect(() => validateLoadControlOptions({ overloadRatio: 2 })).toThrow(/overloadRatio/);
    expect(() => validateLoadControlOptions({ bogus: 1 } as never)).toThrow(/unknown loadControl option 'bogus'/);
    expect(() => validateLoadControlOptions('yes' as never)).toThrow(TypeError);
  });
});

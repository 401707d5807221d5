// The CPU-load estimator of attachCall: decides, from how fast the audio thread renders, whether the
// device keeps up, and steps processing down (or back up) one level at a time. Pure logic (no
// browser APIs) so it is tested in Node; src/browser/call-attachment.ts feeds it and applies levels.
//
// The signal: an AudioContext renders `sampleRate` frames per second of wall time when its thread
// keeps up. When the thread is starved (our kernels or anything else too slow for the device), the
// rendered time falls behind the wall clock and the user hears gaps. AudioWorkletGlobalScope has no
// clock in Chromium (no `performance`, Date.now() frozen within a quantum), so the kernels cannot
// time themselves there; the render ratio is measured from the main thread instead.

/** Processing levels, lightest last. Each level keeps everything the previous one bypassed bypassed. */
export const LOAD_LEVELS = ['full', 'video-correction-bypassed', 'noise-suppression-bypassed', 'all-bypassed'] as const;
export type LoadLevel = (typeof LOAD_LEVELS)[number];

export interface LoadControlOptions {
  /** Measure and react. Default true. */
  enabled?: boolean;
  /** How often the render ratio is sampled, ms. Default 250. */
  intervalMs?: number;
  /** Rendered/wall time below this is an overloaded interval. Default 0.97 (30 ms lost per second). */
  overloadRatio?: number;
  /**
   * Intervals whose summed render ratio decides a mild overload (and health). Default 4 (1 s): one
   * short interval is too noisy (the context's clock moves in steps). A severe overload does not wait:
   * an interval below 0.75 steps down at once, below 0.5 goes straight to all-bypassed.
   */
  overloadedIntervals?: number;
  /** Healthy time before trying one level up, ms; doubles each time a step up had to be undone. Default 10 000. */
  recoverAfterMs?: number;
}

export const LOAD_CONTROL_DEFAULTS: Readonly<Required<LoadControlOptions>> = Object.freeze({
  enabled: true,
  intervalMs: 250,
  overloadRatio: 0.97,
  overloadedIntervals: 4,
  recoverAfterMs: 10_000,
});

/** The longest the recovery back-off grows to, ms. */
const MAX_RECOVER_AFTER_MS = 300_000;
/** A ratio at or above this counts as healthy (slack for timer jitter between the two clocks). */
const HEALTHY_RATIO = 0.99;
/**
 * Below this the listener hears gaps in every interval (a quarter of the audio or more is missing):
 * step down at once instead of waiting for a run. Below SEVERE_ALL_RATIO, half is missing: bypass
 * everything at once. (Stepping one level per second, the overload test heard ~2 s of gaps.)
 */
const SEVERE_RATIO = 0.75;
const SEVERE_ALL_RATIO = 0.5;

export function validateLoadControlOptions(options: boolean | LoadControlOptions | undefined): Required<LoadControlOptions> {
  if (options === undefined || options === true) return { ...LOAD_CONTROL_DEFAULTS };
  if (options === false) return { ...LOAD_CONTROL_DEFAULTS, enabled: false };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError('loadControl must be a boolean or an object like { intervalMs: 1000, overloadRatio: 0.97 }');
  }
  const known = new Set(Object.keys(LOAD_CONTROL_DEFAULTS));
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new TypeError(`unknown loadControl option '${key}'; accepted: ${[...known].join(', ')}`);
  }
  const merged = { ...LOAD_CONTROL_DEFAULTS, ...options };
  if (typeof merged.enabled !== 'boolean') throw new TypeError('loadControl.enabled must be a boolean');
  const range = (name: string, value: number, low: number, high: number): void => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < low || value > high) {
      throw new RangeError(`loadControl.${name} must be a number from ${low} to ${high}, got ${String(value)}`);
    }
  };
  range('intervalMs', merged.intervalMs, 100, 60_000);
  range('overloadRatio', merged.overloadRatio, 0.5, 0.999);
  range('overloadedIntervals', merged.overloadedIntervals, 1, 60);
  range('recoverAfterMs', merged.recoverAfterMs, 1000, MAX_RECOVER_AFTER_MS);
  return merged;
}

export interface LoadStats {
  enabled: boolean;
  level: LoadLevel;
  /** Rendered audio time / wall time over the last interval (1 = keeping up), null before the first. */
  renderRatio: number | null;
  /** Lowest ratio seen. */
  minRenderRatio: number | null;
  /** Audio time the render thread fell behind the wall clock since attach, ms. */
  renderDeficitMs: number;
  stepsDown: number;
  stepsUp: number;
  /** What is bypassed now, for people reading stats. */
  bypassed: string[];
}

export function bypassedAt(level: LoadLevel): string[] {
  const index = LOAD_LEVELS.indexOf(level);
  const out: string[] = [];
  if (index >= 1) out.push('video correction');
  if (index >= 2) out.push('noise suppression');
  if (index >= 3) out.push('echo cancellation', 'gain control');
  return out;
}

export class LoadController {
  private levelIndex = 0;
  /** The last intervals (wall and rendered ms), a ring of `overloadedIntervals`, for the windowed ratio. */
  private readonly windowWall: Float64Array;
  private readonly windowRendered: Float64Array;
  private windowCount = 0;
  private windowNext = 0;
  private healthySinceMs: number | null = null;
  private recoverAfterMs: number;
  /** Set when a step up happened; an overload soon after means that step was too much. */
  private lastStepUpMs: number | null = null;
  private ratio: number | null = null;
  private minRatio: number | null = null;
  private deficitMs = 0;
  private down = 0;
  private up = 0;

  /**
   * `changesNothing(level)`: true for a level that would change nothing on this call (e.g. bypassing
   * video correction on a call without video); such levels are stepped over in both directions.
   */
  constructor(private readonly settings: Required<LoadControlOptions> = LOAD_CONTROL_DEFAULTS,
    private readonly changesNothing: (level: LoadLevel) => boolean = () => false) {
    this.recoverAfterMs = settings.recoverAfterMs;
    this.windowWall = new Float64Array(settings.overloadedIntervals);
    this.windowRendered = new Float64Array(settings.overloadedIntervals);
  }

  private step(direction: 1 | -1): void {
    let next = this.levelIndex + direction;
    // Levels 1 … last−1 are skippable; 'full' and 'all-bypassed' always exist.
    while (next > 0 && next < LOAD_LEVELS.length - 1 && this.changesNothing(LOAD_LEVELS[next])) next += direction;
    this.levelIndex = Math.max(0, Math.min(LOAD_LEVELS.length - 1, next));
  }

  get level(): LoadLevel {
    return LOAD_LEVELS[this.levelIndex];
  }

  /**
   * One interval: `wallMs` of wall-clock time in which the context rendered `renderedMs` of audio,
   * ending at `nowMs`. Returns the level to apply now (changed or not). Bad numbers are ignored.
   */
  observe(wallMs: number, renderedMs: number, nowMs: number): LoadLevel {
    if (!this.settings.enabled || !(wallMs > 0) || !Number.isFinite(renderedMs) || renderedMs < 0 || !Number.isFinite(nowMs)) return this.level;
    const ratio = renderedMs / wallMs;
    this.ratio = ratio;
    this.minRatio = this.minRatio === null ? ratio : Math.min(this.minRatio, ratio);
    this.deficitMs += Math.max(0, wallMs - renderedMs);
    // The window: the last `overloadedIntervals` intervals summed (full once that many were seen).
    const size = this.windowWall.length;
    this.windowWall[this.windowNext] = wallMs;
    this.windowRendered[this.windowNext] = renderedMs;
    this.windowNext = (this.windowNext + 1) % size;
    this.windowCount = Math.min(size, this.windowCount + 1);
    let wallSum = 0, renderedSum = 0;
    for (let i = 0; i < this.windowCount; i++) { wallSum += this.windowWall[i]; renderedSum += this.windowRendered[i]; }
    const windowRatio = renderedSum / wallSum;
    const full = this.windowCount === size;
    const severe = ratio < SEVERE_RATIO;
    if (severe || (full && windowRatio < this.settings.overloadRatio)) {
      this.healthySinceMs = null;
      if (this.levelIndex < LOAD_LEVELS.length - 1) {
        // Undoing a recent step up: wait longer before the next try.
        if (this.lastStepUpMs !== null && nowMs - this.lastStepUpMs < 2 * this.recoverAfterMs) {
          this.recoverAfterMs = Math.min(MAX_RECOVER_AFTER_MS, 2 * this.recoverAfterMs);
        }
        if (ratio < SEVERE_ALL_RATIO) this.levelIndex = LOAD_LEVELS.length - 1;
        else this.step(1);
        this.down++;
        this.lastStepUpMs = null;
        // The next decision needs a window measured at the new level.
        this.windowCount = 0;
      }
      return this.level;
    }
    if (!full || windowRatio < HEALTHY_RATIO) return this.level;
    if (this.healthySinceMs === null) this.healthySinceMs = nowMs - wallSum;
    if (this.levelIndex > 0 && nowMs - this.healthySinceMs >= this.recoverAfterMs) {
      this.step(-1);
      this.up++;
      this.healthySinceMs = nowMs;
      this.lastStepUpMs = nowMs;
      this.windowCount = 0;
    }
    return this.level;
  }

  stats(): LoadStats {
    return {
      enabled: this.settings.enabled, level: this.level, renderRatio: this.ratio, minRenderRatio: this.minRatio,
      renderDeficitMs: this.deficitMs, stepsDown: this.down, stepsUp: this.up, bypassed: bypassedAt(this.level),
    };
  }
}

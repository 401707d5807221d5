// Noise power spectrum tracker: the speech-presence-probability estimator of Gerkmann & Hendriks,
// "Unbiased MMSE-based noise power estimation with low complexity and low tracking delay"
// (IEEE TASLP 2012), floored by a minimum-statistics tracker (Martin 2001, sub-window minima) so
// it also recovers quickly from a start in digital silence or a sudden rise of the noise floor.
import { ptr, SIMD_BUILD } from '../common';
import { expScalar, expSimd } from '../vmath';

/** Fixed a-priori SNR assumed under speech presence (15 dB), as in the paper. */
const SPEECH_PRIOR_SNR: f32 = 31.622777;
/** ≈ 100 ms time constant (the paper uses 0.8): less speech leaks into the estimate, and rises of
 * the noise floor are still caught within the minimum-statistics window below. */
const NOISE_SMOOTHING: f32 = 0.9;
const PRESENCE_SMOOTHING: f32 = 0.9;
const STAGNATION_LIMIT: f32 = 1.0;
/** Minimum-statistics window: SUBWINDOWS × SUBWINDOW_FRAMES frames of 10 ms (≈ 1.5 s). */
const SUBWINDOWS: i32 = 6;
const SUBWINDOW_FRAMES: i32 = 25;
const MIN_SMOOTHING: f32 = 0.7;
/** Minimum of smoothed periodograms under-estimates the mean noise power by about this factor. */
const MIN_BIAS: f32 = 1.6;
const POWER_FLOOR: f32 = 1e-10;
const STARTUP_FRAMES: i32 = 4;

export class NoiseEstimator {
  readonly bins: i32;
  useSimd: bool = SIMD_BUILD;
  /** Current noise power per bin (same units as the periodogram). */
  readonly noise: StaticArray<f32>;
  private presence: StaticArray<f32>;
  private smoothedPower: StaticArray<f32>;
  private subwindowMinima: StaticArray<f32>;
  private currentMinimum: StaticArray<f32>;
  private windowMinimum: StaticArray<f32>;
  private frameInSubwindow: i32 = 0;
  private subwindowIndex: i32 = 0;
  private frames: i32 = 0;

  constructor(binsPadded: i32) {
    this.bins = binsPadded;
    this.noise = new StaticArray<f32>(binsPadded);
    this.presence = new StaticArray<f32>(binsPadded);
    this.smoothedPower = new StaticArray<f32>(binsPadded);
    this.subwindowMinima = new StaticArray<f32>(binsPadded * SUBWINDOWS);
    this.currentMinimum = new StaticArray<f32>(binsPadded);
    this.windowMinimum = new StaticArray<f32>(binsPadded);
    this.reset();
  }

  reset(): void {
    for (let k = 0; k < this.bins; k++) {
      unchecked(this.noise[k] = POWER_FLOOR);
      unchecked(this.presence[k] = 0);
      unchecked(this.smoothedPower[k] = 0);
      unchecked(this.currentMinimum[k] = f32.MAX_VALUE);
      unchecked(this.windowMinimum[k] = f32.MAX_VALUE);
    }
    for (let i = 0; i < this.subwindowMinima.length; i++) unchecked(this.subwindowMinima[i] = f32.MAX_VALUE);
    this.frameInSubwindow = 0;
    this.subwindowIndex = 0;
    this.frames = 0;
  }

  /** Updates the noise estimate from one frame's periodogram |Y|². */
  update(power: usize): void {
    const bins = this.bins;
    const noise = ptr(this.noise);
    if (this.frames < STARTUP_FRAMES) {
      // Average the first frames: the estimator needs a starting point and speech rarely starts at once.
      const w: f32 = 1.0 / <f32>(this.frames + 1);
      for (let k = 0; k < bins; k++) {
        const o = <usize>k << 2;
        const prev: f32 = this.frames == 0 ? <f32>0 : load<f32>(noise + o);
        store<f32>(noise + o, max<f32>(prev + (load<f32>(power + o) - prev) * w, POWER_FLOOR));
      }
    } else if (SIMD_BUILD && this.useSimd) {
      this.updateSppSimd(power);
    } else {
      this.updateSppScalar(power);
    }
    this.trackMinimum(power);
    this.frames++;
  }

  private updateSppScalar(power: usize): void {
    const noise = ptr(this.noise), presence = ptr(this.presence), floor = ptr(this.windowMinimum);
    const exponentScale = -SPEECH_PRIOR_SNR / (<f32>1 + SPEECH_PRIOR_SNR);
    for (let k = 0; k < this.bins; k++) {
      const o = <usize>k << 2;
      const p = load<f32>(power + o);
      const n = load<f32>(noise + o);
      const snr = min<f32>(p / n, 1000);
      let post: f32 = 1 / (<f32>1 + (<f32>1 + SPEECH_PRIOR_SNR) * expScalar(snr * exponentScale));
      const pbar = PRESENCE_SMOOTHING * load<f32>(presence + o) + (<f32>1 - PRESENCE_SMOOTHING) * post;
      store<f32>(presence + o, pbar);
      if (pbar > STAGNATION_LIMIT) post = min<f32>(post, STAGNATION_LIMIT);
      const expected = (<f32>1 - post) * p + post * n;
      let next = NOISE_SMOOTHING * n + (<f32>1 - NOISE_SMOOTHING) * expected;
      next = max<f32>(next, MIN_BIAS * load<f32>(floor + o));
      store<f32>(noise + o, max<f32>(next, POWER_FLOOR));
    }
  }

  private updateSppSimd(power: usize): void {
    if (!SIMD_BUILD) return;
    const noise = ptr(this.noise), presence = ptr(this.presence), floor = ptr(this.windowMinimum);
    const exponentScale = f32x4.splat(-SPEECH_PRIOR_SNR / (<f32>1 + SPEECH_PRIOR_SNR));
    const one = f32x4.splat(1);
    const priorPlusOne = f32x4.splat(<f32>1 + SPEECH_PRIOR_SNR);
    const limit = f32x4.splat(STAGNATION_LIMIT);
    for (let k = 0; k < this.bins; k += 4) {
      const o = <usize>k << 2;
      const p = v128.load(power + o);
      const n = v128.load(noise + o);
      const snr = f32x4.min(f32x4.div(p, n), f32x4.splat(1000));
      let post = f32x4.div(one, f32x4.add(one, f32x4.mul(priorPlusOne, expSimd(f32x4.mul(snr, exponentScale)))));
      const pbar = f32x4.add(f32x4.mul(f32x4.splat(PRESENCE_SMOOTHING), v128.load(presence + o)),
        f32x4.mul(f32x4.splat(<f32>1 - PRESENCE_SMOOTHING), post));
      v128.store(presence + o, pbar);
      post = v128.bitselect(f32x4.min(post, limit), post, f32x4.gt(pbar, limit));
      const expected = f32x4.add(f32x4.mul(f32x4.sub(one, post), p), f32x4.mul(post, n));
      let next = f32x4.add(f32x4.mul(f32x4.splat(NOISE_SMOOTHING), n), f32x4.mul(f32x4.splat(<f32>1 - NOISE_SMOOTHING), expected));
      next = f32x4.max(next, f32x4.mul(f32x4.splat(MIN_BIAS), v128.load(floor + o)));
      v128.store(noise + o, f32x4.max(next, f32x4.splat(POWER_FLOOR)));
    }
  }

  /** Sub-window minimum tracking of the recursively smoothed periodogram. */
  private trackMinimum(power: usize): void {
    const bins = this.bins;
    const smoothed = ptr(this.smoothedPower), current = ptr(this.currentMinimum), window = ptr(this.windowMinimum);
    const first = this.frames == 0;
    for (let k = 0; k < bins; k++) {
      const o = <usize>k << 2;
      const s = first ? load<f32>(power + o) : MIN_SMOOTHING * load<f32>(smoothed + o) + (<f32>1 - MIN_SMOOTHING) * load<f32>(power + o);
      store<f32>(smoothed + o, s);
      store<f32>(current + o, min<f32>(load<f32>(current + o), s));
      store<f32>(window + o, min<f32>(load<f32>(window + o), s));
    }
    if (++this.frameInSubwindow < SUBWINDOW_FRAMES) return;
    // Sub-window complete: store its minimum, restart it, and recompute the window minimum.
    this.frameInSubwindow = 0;
    const slot = ptr(this.subwindowMinima) + (<usize>(this.subwindowIndex * bins) << 2);
    memory.copy(slot, current, <usize>bins << 2);
    this.subwindowIndex = (this.subwindowIndex + 1) % SUBWINDOWS;
    for (let k = 0; k < bins; k++) {
      const o = <usize>k << 2;
      let m = load<f32>(smoothed + o);
      for (let w = 0; w < SUBWINDOWS; w++) m = min<f32>(m, load<f32>(ptr(this.subwindowMinima) + (<usize>(w * bins + k) << 2)));
      store<f32>(window + o, m);
      store<f32>(current + o, f32.MAX_VALUE);
    }
  }
}

// Echo delay estimator: finds the loudspeaker→microphone delay (0–500 ms) by cross-correlating
// low-passed, decimated (2 kHz) copies of the far end and the microphone, with exponential
// forgetting so it tracks changes. A lag is reported only after the normalised correlation peak is
// high and stable for a while. The idea follows WebRTC AEC3's matched-filter delay estimator
// (decimated signals, a peak that must persist before the delay is changed).
import { ptr, SIMD_BUILD } from '../common';
import { DELAY_ESTIMATOR_RATE_HZ, MAX_DELAY_MS } from './aec-common';
import { Biquad } from './biquad';

const LOWPASS_HZ: f64 = 700;
/** Forgetting factor per 10 ms frame: ≈ 0.7 s memory. */
const FORGET: f32 = 0.985;
/** Normalised correlation a peak needs before it is trusted. */
const MIN_PEAK_CORRELATION: f32 = 0.2;
/** Frames the same peak (within ±1 ms) must persist before the reported delay changes. */
const STABLE_FRAMES: i32 = 15;
/** Far-end frames below this mean square (≈ −60 dBFS) do not update the correlation. */
const MIN_FAR_POWER: f32 = 1e-6;

export class DelayEstimator {
  readonly decimation: i32;
  /** Decimated samples per 10 ms frame. */
  readonly samplesPerFrame: i32;
  readonly maxLag: i32;
  useSimd: bool = SIMD_BUILD;
  /** Reported delay in kernel-rate samples, or -1 before a reliable estimate. */
  delaySamples: i32 = -1;
  /** Normalised correlation of the current peak, 0..1. */
  peakCorrelation: f32 = 0;
  private candidateLag: i32 = -1;
  private stableFrames: i32 = 0;
  /** Far end, decimated, newest first (reversed so each lag's products are contiguous). */
  private history: StaticArray<f32>;
  private correlation: StaticArray<f32>;
  private micDecimated: StaticArray<f32>;
  private micPower: f32 = 0;
  private farPower: f32 = 0;
  private micFilter1: Biquad; private micFilter2: Biquad;
  private farFilter1: Biquad; private farFilter2: Biquad;

  constructor(sampleRate: i32, frameSize: i32) {
    const q = max<i32>(1, sampleRate / DELAY_ESTIMATOR_RATE_HZ);
    const perFrame = frameSize / q;
    const maxLag = (MAX_DELAY_MS * DELAY_ESTIMATOR_RATE_HZ / 1000 + 3) & ~3;
    this.decimation = q;
    this.samplesPerFrame = perFrame;
    this.maxLag = maxLag;
    this.history = new StaticArray<f32>(maxLag + perFrame + 8);
    this.correlation = new StaticArray<f32>(maxLag);
    this.micDecimated = new StaticArray<f32>(perFrame);
    this.micFilter1 = new Biquad(sampleRate, LOWPASS_HZ, false); this.micFilter2 = new Biquad(sampleRate, LOWPASS_HZ, false);
    this.farFilter1 = new Biquad(sampleRate, LOWPASS_HZ, false); this.farFilter2 = new Biquad(sampleRate, LOWPASS_HZ, false);
  }

  reset(): void {
    memory.fill(ptr(this.history), 0, <usize>this.history.length << 2);
    memory.fill(ptr(this.correlation), 0, <usize>this.correlation.length << 2);
    this.micFilter1.reset(); this.micFilter2.reset(); this.farFilter1.reset(); this.farFilter2.reset();
    this.micPower = 0; this.farPower = 0;
    this.delaySamples = -1; this.peakCorrelation = 0; this.candidateLag = -1; this.stableFrames = 0;
  }

  /** Takes one frame of microphone and far-end samples; returns true when the reported delay changed. */
  update(mic: usize, far: usize, frameSize: i32): bool {
    const q = this.decimation, m = this.samplesPerFrame;
    const hist = ptr(this.history), dec = ptr(this.micDecimated);
    memory.copy(hist + (<usize>m << 2), hist, <usize>(this.history.length - m) << 2);
    let framePowerFar: f32 = 0, framePowerMic: f32 = 0;
    let j = 0;
    for (let i = 0; i < frameSize; i++) {
      const o = <usize>i << 2;
      const fm = this.micFilter2.step(this.micFilter1.step(load<f32>(mic + o)));
      const ff = this.farFilter2.step(this.farFilter1.step(load<f32>(far + o)));
      if ((i + 1) % q == 0 && j < m) {
        store<f32>(dec + (<usize>j << 2), fm);
        // Newest first: the last decimated sample of this frame goes to index 0.
        store<f32>(hist + (<usize>(m - 1 - j) << 2), ff);
        framePowerFar += ff * ff;
        framePowerMic += fm * fm;
        j++;
      }
    }
    if (framePowerFar < MIN_FAR_POWER * <f32>m) return false;
    this.micPower = FORGET * this.micPower + framePowerMic;
    this.farPower = FORGET * this.farPower + framePowerFar;
    this.correlate();
    return this.pickPeak();
  }

  private correlate(): void {
    const m = this.samplesPerFrame, L = this.maxLag;
    const hist = ptr(this.history), dec = ptr(this.micDecimated), corr = ptr(this.correlation);
    if (SIMD_BUILD && this.useSimd) {
      const forget = f32x4.splat(FORGET);
      for (let l = 0; l < L; l += 4) {
        let acc = f32x4.mul(v128.load(corr + (<usize>l << 2)), forget);
        for (let n = 0; n < m; n++) {
          const x = f32x4.splat(load<f32>(dec + (<usize>n << 2)));
          acc = f32x4.add(acc, f32x4.mul(x, v128.load(hist + (<usize>(m - 1 - n + l) << 2))));
        }
        v128.store(corr + (<usize>l << 2), acc);
      }
    } else {
      for (let l = 0; l < L; l++) {
        let acc = load<f32>(corr + (<usize>l << 2)) * FORGET;
        for (let n = 0; n < m; n++) {
          acc += load<f32>(dec + (<usize>n << 2)) * load<f32>(hist + (<usize>(m - 1 - n + l) << 2));
        }
        store<f32>(corr + (<usize>l << 2), acc);
      }
    }
  }

  private pickPeak(): bool {
    const corr = ptr(this.correlation);
    let best: f32 = 0, bestLag = 0;
    for (let l = 0; l < this.maxLag; l++) {
      const c = Mathf.abs(load<f32>(corr + (<usize>l << 2)));
      if (c > best) { best = c; bestLag = l; }
    }
    const norm = Mathf.sqrt(this.micPower * this.farPower) + 1e-20;
    this.peakCorrelation = min<f32>(1, best / norm);
    if (this.peakCorrelation < MIN_PEAK_CORRELATION) { this.stableFrames = 0; return false; }
    const tolerance = DELAY_ESTIMATOR_RATE_HZ / 1000;
    if (this.candidateLag >= 0 && abs<i32>(bestLag - this.candidateLag) <= tolerance) this.stableFrames++;
    else { this.candidateLag = bestLag; this.stableFrames = 0; }
    if (this.stableFrames < STABLE_FRAMES) return false;
    const delay = this.candidateLag * this.decimation;
    if (this.delaySamples >= 0 && abs<i32>(delay - this.delaySamples) <= tolerance * this.decimation) return false;
    this.delaySamples = delay;
    return true;
  }
}

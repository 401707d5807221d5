// Spectral gain of the optimally-modified log-spectral amplitude estimator (OM-LSA; Cohen &
// Berdugo, "Speech enhancement for non-stationary noise environments", Signal Processing 2001):
// decision-directed a-priori SNR (Ephraim & Malah 1985), MMSE-LSA gain under speech presence,
// a speech-presence probability from locally and globally smoothed a-priori SNR, and a gain floor
// under absence. Gains are combined in the log domain: G = G_H1^p · G_min^(1-p).
import { ptr, SIMD_BUILD } from '../common';
import { expint1Scalar, expint1Simd, expScalar, expSimd, lnScalar, lnSimd } from '../vmath';

const DECISION_DIRECTED_WEIGHT: f32 = 0.92;
const MAX_POSTERIOR_SNR: f32 = 1000;
const PRIOR_SMOOTHING: f32 = 0.7;
/** Presence is certain above -5 dB and absent below -10 dB of smoothed a-priori SNR (Cohen 2003). */
const PRIOR_SNR_ABSENT: f32 = 0.1;
const PRIOR_SNR_PRESENT: f32 = 0.31622777;
const MAX_ABSENCE_PROBABILITY: f32 = 0.95;
/** Half-widths of the local and global smoothing windows, in bins (≈ 31–47 Hz per bin). */
const LOCAL_HALF_WIDTH: i32 = 1;
const GLOBAL_HALF_WIDTH: i32 = 15;

export class SuppressionGain {
  readonly bins: i32;
  readonly usedBins: i32;
  useSimd: bool = SIMD_BUILD;
  /** ln of the gain floor under speech absence; ramped towards target to change presets smoothly. */
  logGainFloor: f32 = 0;
  targetLogGainFloor: f32 = 0;
  /** ln of the smallest a-priori SNR allowed (limits musical noise). */
  logMinPriorSnr: f32 = -2.3;
  /** 0 = full processing, 1 = unity gain; ramped for glitch-free bypass. */
  bypass: f32 = 0;
  targetBypass: f32 = 0;
  readonly gain: StaticArray<f32>;
  readonly presence: StaticArray<f32>;
  private cleanPowerEstimate: StaticArray<f32>;
  private smoothedPriorSnr: StaticArray<f32>;
  private absence: StaticArray<f32>;
  private prefix: StaticArray<f32>;
  private first: bool = true;

  constructor(bins: i32, binsPadded: i32) {
    this.usedBins = bins;
    this.bins = binsPadded;
    this.gain = new StaticArray<f32>(binsPadded);
    this.presence = new StaticArray<f32>(binsPadded);
    this.cleanPowerEstimate = new StaticArray<f32>(binsPadded);
    this.smoothedPriorSnr = new StaticArray<f32>(binsPadded);
    this.absence = new StaticArray<f32>(binsPadded);
    this.prefix = new StaticArray<f32>(binsPadded + 1);
    this.reset();
  }

  reset(): void {
    memory.fill(ptr(this.cleanPowerEstimate), 0, <usize>this.bins << 2);
    memory.fill(ptr(this.smoothedPriorSnr), 0, <usize>this.bins << 2);
    memory.fill(ptr(this.presence), 0, <usize>this.bins << 2);
    for (let k = 0; k < this.bins; k++) unchecked(this.gain[k] = 1);
    this.logGainFloor = this.targetLogGainFloor;
    this.bypass = this.targetBypass;
    this.first = true;
  }

  /** Computes `gain` from the periodogram and the noise estimate. */
  update(power: usize, noise: usize): void {
    // One-frame ramps (≈ 100 ms to settle) so preset changes never click.
    this.logGainFloor += (this.targetLogGainFloor - this.logGainFloor) * 0.1;
    this.bypass += (this.targetBypass - this.bypass) * 0.1;
    if (Mathf.abs(this.bypass - this.targetBypass) < 1e-4) this.bypass = this.targetBypass;
    this.updateAbsence();
    if (SIMD_BUILD && this.useSimd) this.gainSimd(power, noise);
    else this.gainScalar(power, noise);
    this.first = false;
  }

  /** A-priori probability of speech absence q from smoothed a-priori SNR of the previous frame. */
  private updateAbsence(): void {
    const n = this.usedBins;
    const zeta = ptr(this.smoothedPriorSnr), prefix = ptr(this.prefix), absence = ptr(this.absence);
    store<f32>(prefix, 0);
    for (let k = 0; k < n; k++) {
      store<f32>(prefix + (<usize>(k + 1) << 2), load<f32>(prefix + (<usize>k << 2)) + load<f32>(zeta + (<usize>k << 2)));
    }
    const range: f32 = lnScalar(PRIOR_SNR_PRESENT / PRIOR_SNR_ABSENT);
    for (let k = 0; k < n; k++) {
      const local = windowMean(prefix, k, LOCAL_HALF_WIDTH, n);
      const global = windowMean(prefix, k, GLOBAL_HALF_WIDTH, n);
      const q: f32 = 1 - presenceFromPrior(local, range) * presenceFromPrior(global, range);
      store<f32>(absence + (<usize>k << 2), min<f32>(q, MAX_ABSENCE_PROBABILITY));
    }
    for (let k = n; k < this.bins; k++) store<f32>(absence + (<usize>k << 2), MAX_ABSENCE_PROBABILITY);
  }

  private gainScalar(power: usize, noise: usize): void {
    const gain = ptr(this.gain), presenceOut = ptr(this.presence), clean = ptr(this.cleanPowerEstimate);
    const zeta = ptr(this.smoothedPriorSnr), absence = ptr(this.absence);
    const minPrior = expScalar(this.logMinPriorSnr);
    const ddWeight: f32 = this.first ? 0 : DECISION_DIRECTED_WEIGHT;
    const floorLog = this.logGainFloor;
    const keep: f32 = 1 - this.bypass;
    for (let k = 0; k < this.bins; k++) {
      const o = <usize>k << 2;
      const p = load<f32>(power + o);
      const n = load<f32>(noise + o);
      const posterior = min<f32>(p / n, MAX_POSTERIOR_SNR);
      const prior = max<f32>(ddWeight * load<f32>(clean + o) / n + (<f32>1 - ddWeight) * max<f32>(posterior - 1, 0), minPrior);
      const v = max<f32>(prior * posterior / (<f32>1 + prior), 1e-10);
      const logGainH1 = min<f32>(lnScalar(prior) - lnScalar(<f32>1 + prior) + 0.5 * expint1Scalar(min<f32>(v, 80)), 0);
      const q = load<f32>(absence + o);
      const presence: f32 = 1 / (<f32>1 + q / (<f32>1 - q) * (<f32>1 + prior) * expScalar(-min<f32>(v, 80)));
      const g = expScalar(keep * (presence * logGainH1 + (<f32>1 - presence) * floorLog));
      store<f32>(gain + o, g);
      store<f32>(presenceOut + o, presence);
      const gH1 = expScalar(logGainH1);
      store<f32>(clean + o, gH1 * gH1 * p);
      store<f32>(zeta + o, PRIOR_SMOOTHING * load<f32>(zeta + o) + (<f32>1 - PRIOR_SMOOTHING) * prior);
    }
  }

  private gainSimd(power: usize, noise: usize): void {
    if (!SIMD_BUILD) return;
    const gain = ptr(this.gain), presenceOut = ptr(this.presence), clean = ptr(this.cleanPowerEstimate);
    const zeta = ptr(this.smoothedPriorSnr), absence = ptr(this.absence);
    const minPrior = f32x4.splat(expScalar(this.logMinPriorSnr));
    const ddWeight = f32x4.splat(this.first ? 0 : DECISION_DIRECTED_WEIGHT);
    const ddRest = f32x4.sub(f32x4.splat(1), ddWeight);
    const floorLog = f32x4.splat(this.logGainFloor);
    const keep = f32x4.splat(<f32>1 - this.bypass);
    const one = f32x4.splat(1), zero = f32x4.splat(0), half = f32x4.splat(0.5), vMax = f32x4.splat(80);
    for (let k = 0; k < this.bins; k += 4) {
      const o = <usize>k << 2;
      const p = v128.load(power + o);
      const n = v128.load(noise + o);
      const posterior = f32x4.min(f32x4.div(p, n), f32x4.splat(MAX_POSTERIOR_SNR));
      const prior = f32x4.max(f32x4.add(f32x4.mul(ddWeight, f32x4.div(v128.load(clean + o), n)),
        f32x4.mul(ddRest, f32x4.max(f32x4.sub(posterior, one), zero))), minPrior);
      const onePlusPrior = f32x4.add(one, prior);
      const v = f32x4.max(f32x4.div(f32x4.mul(prior, posterior), onePlusPrior), f32x4.splat(1e-10));
      const vc = f32x4.min(v, vMax);
      const logGainH1 = f32x4.min(f32x4.add(f32x4.sub(lnSimd(prior), lnSimd(onePlusPrior)), f32x4.mul(half, expint1Simd(vc))), zero);
      const q = v128.load(absence + o);
      const presence = f32x4.div(one, f32x4.add(one,
        f32x4.mul(f32x4.mul(f32x4.div(q, f32x4.sub(one, q)), onePlusPrior), expSimd(f32x4.neg(vc)))));
      const logGain = f32x4.add(f32x4.mul(presence, logGainH1), f32x4.mul(f32x4.sub(one, presence), floorLog));
      v128.store(gain + o, expSimd(f32x4.mul(keep, logGain)));
      v128.store(presenceOut + o, presence);
      const gH1 = expSimd(logGainH1);
      v128.store(clean + o, f32x4.mul(f32x4.mul(gH1, gH1), p));
      v128.store(zeta + o, f32x4.add(f32x4.mul(f32x4.splat(PRIOR_SMOOTHING), v128.load(zeta + o)),
        f32x4.mul(f32x4.splat(<f32>1 - PRIOR_SMOOTHING), prior)));
    }
  }
}

// @ts-ignore: decorator
@inline function windowMean(prefix: usize, k: i32, halfWidth: i32, n: i32): f32 {
  const lo = max<i32>(k - halfWidth, 0);
  const hi = min<i32>(k + halfWidth + 1, n);
  return (load<f32>(prefix + (<usize>hi << 2)) - load<f32>(prefix + (<usize>lo << 2))) / <f32>(hi - lo);
}

// @ts-ignore: decorator
@inline function presenceFromPrior(zeta: f32, logRange: f32): f32 {
  if (zeta <= PRIOR_SNR_ABSENT) return 0;
  if (zeta >= PRIOR_SNR_PRESENT) return 1;
  return lnScalar(zeta / PRIOR_SNR_ABSENT) / logRange;
}

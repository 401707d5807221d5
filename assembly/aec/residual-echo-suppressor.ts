// Residual echo suppression and comfort noise, applied in the noise suppressor's STFT so it adds no
// delay; after WebRTC AEC3 (residual_echo_estimator, erle_estimator, reverb_model, suppression_gain,
// dominant_nearend_detector). Residual echo power per bin: R[k] = max(η_b·|Ŷ[k]|², decay·R_prev[k]),
// the linear echo estimate over the band's ERLE (η_b = 1/ERLE_b) with a reverberation tail carried
// frame to frame. η_b is the larger of two per-band estimates, learned while the far end plays:
// Valin's leakage (IEEE TASLP 2007) per band — the regression slope of |E|² on |Ŷ|², which near-end
// speech (uncorrelated with Ŷ) barely moves and an echo-path change raises at once, and which may
// exceed 1 while the filter still under-predicts — and AEC3's ratio of means Σ|E|²/Σ|Ŷ|², learned
// only in frames whose band output is within BAND_NEAR_END_RATIO of the regression's prediction
// (so double talk does not inflate it). Neither learns while near-end speech is detected unless the
// canceller reports that its error is echo (not converged, coherent, or an echo-path change): near-end
// speech teaching the ERLE would raise the residual estimate and suppress the near end itself. The tail decays at the room's rate (read off the adaptive
// filter's partitions) in double talk and no faster than SINGLE_TALK_DECAY otherwise. Gain per bin:
// G = max(floor, 1 − γ·R/|E|²), with the preset's over-suppression γ, or its much smaller near-end
// γ while the frame is near-end dominated, so near-end speech bins are not suppressed. Comfort noise
// with the power of the tracked background floor fills what the gain removed (ITU-T G.168).
import { ptr, SIMD_BUILD } from '../common';
import { Stft } from '../stft';
import {
  AEC_OFF, aecGainFloorDb, aecNearEndOverSuppression, aecOverSuppression, isValidAecPreset,
} from './aec-common';

/** Background floor: falls quickly, rises ≈ 2 dB/s. */
const FLOOR_RISE: f32 = 1.005;
const FLOOR_FALL: f32 = 0.8;
const PHASES: i32 = 256;
/**
 * Slowest release of the residual estimate per frame outside double talk (−0.46 dB per 10 ms): the
 * residual a converging filter leaves is mostly the part of the tail it has not learned, which
 * rings on at the room's late decay, slower than the learned taps suggest.
 */
const SINGLE_TALK_DECAY: f32 = 0.9;
/** Leakage regression smoothing per band: β = min(β_max, β0·Σ|Ŷ|²/Σ|E|²) per frame (Valin). */
const LEAK_BETA0: f32 = 0.08;
const LEAK_BETA_MAX: f32 = 0.04;
/** η range: ERLE of at most 40 dB per band, and up to 20 dB more echo than the filter predicts. */
const MIN_LEAK: f32 = 1e-4;
const MAX_LEAK: f32 = 100;
/** Relative band width (bands are ≥ 2 bins, about 20 % of their start frequency wide). */
const BAND_WIDTH_RATIO: f32 = 0.2;
/** Near-end dominated frame: Σ|E|² > this × Σ R over the bins (held for NEAR_END_HOLD frames). */
const NEAR_END_RATIO: f32 = 8;
/** The tracked floor sits below the mean output power in pauses (a minimum tracker): scaled up by this for the near-end test. */
const FLOOR_BIAS: f32 = 4;
const NEAR_END_HOLD: i32 = 15;
/**
 * Also near-end dominated: Σ|E|² > NEAR_END_RESIDUAL_RATIO × ΣR while the output holds more than
 * NEAR_END_ECHO_RATIO × the linear echo estimate's power (the microphone has more than the echo the
 * filter explains: a power-domain Geigel test, which a converging filter does not trip).
 */
const NEAR_END_RESIDUAL_RATIO: f32 = 3;
const NEAR_END_ECHO_RATIO: f32 = 2;
const RATIO_SMOOTHING: f32 = 0.05;
/**
 * Not near-end speech while the output holds more than this × the microphone's power: the canceller
 * added its own error there (an echo estimate where no echo is, as in a far-end pause), which a
 * residual estimate scaled by the ERLE would take for near-end speech.
 */
const NEAR_END_MAX_GAIN: f32 = 1.25;
/**
 * A detection starts the hold only while the linear echo estimate holds at least this × the
 * output's power; otherwise it counts for its own frame alone. With no echo to suppress the
 * decision does not matter, and a hold started on noise in a far-end pause would carry the gentle
 * near-end suppression into the next far-end onset.
 */
const NEAR_END_HOLD_MIN_ECHO: f32 = 0.01;
/** A band learns the ratio-of-means ERLE only while |E|² < this × the predicted residual. */
const BAND_NEAR_END_RATIO: f32 = 8;

export class ResidualEchoSuppressor {
  readonly bins: i32;
  readonly binsPadded: i32;
  preset: i32 = AEC_OFF;
  /** Echo gain per bin and the comfort noise spectrum for the latest frame. */
  readonly gain: StaticArray<f32>;
  readonly comfortRe: StaticArray<f32>;
  readonly comfortIm: StaticArray<f32>;
  useSimd: bool = SIMD_BUILD;
  /** Mean echo gain over the bins in the last frame (1 = nothing suppressed). */
  meanGain: f32 = 1;
  /** The last frame was near-end dominated. */
  nearEnd: bool = false;
  private echoStft: Stft;
  private errorPower: StaticArray<f32>;
  private echoPower: StaticArray<f32>;
  /** Residual echo power estimate per bin (carried: the reverberation tail). */
  private residual: StaticArray<f32>;
  private floor: StaticArray<f32>;
  private leakBin: StaticArray<f32>;
  private cosTable: StaticArray<f32>;
  private sinTable: StaticArray<f32>;
  /** Band of each bin, first bin of each band, and the per-band regression state. */
  private bandStart: StaticArray<i32>;
  readonly bands: i32;
  private meanError: StaticArray<f32>;
  private meanEcho: StaticArray<f32>;
  private covariance: StaticArray<f32>;
  private variance: StaticArray<f32>;
  private leak: StaticArray<f32>;
  /** Smoothed band powers of |E|² and |Ŷ|² in echo-dominated frames (the ratio-of-means ERLE). */
  private ratioError: StaticArray<f32>;
  private ratioEcho: StaticArray<f32>;
  private gainFloor: f32 = 1;
  private overSuppression: f32 = 0;
  private nearEndOverSuppression: f32 = 0;
  private nearEndHold: i32 = 0;
  private random: u32 = 0x12345678;
  private first: bool = true;

  constructor(frameSize: i32, preset: i32) {
    const stft = new Stft(frameSize);
    this.echoStft = stft;
    const K = stft.bins;
    this.bins = K;
    this.binsPadded = stft.binsPadded;
    const Kp = stft.binsPadded;
    this.gain = new StaticArray<f32>(Kp);
    this.comfortRe = new StaticArray<f32>(Kp);
    this.comfortIm = new StaticArray<f32>(Kp);
    this.errorPower = new StaticArray<f32>(Kp);
    this.echoPower = new StaticArray<f32>(Kp);
    this.residual = new StaticArray<f32>(Kp);
    this.floor = new StaticArray<f32>(Kp);
    this.leakBin = new StaticArray<f32>(Kp);
    // Bands: ≥ 2 bins, ≈ BAND_WIDTH_RATIO of their start wide (roughly constant-Q above ~10 bins).
    let count = 0;
    for (let start = 0; start < K; count++) start += max<i32>(2, <i32>(BAND_WIDTH_RATIO * <f32>start));
    this.bands = count;
    const bandStart = new StaticArray<i32>(count + 1);
    let start = 0;
    for (let b = 0; b < count; b++) {
      unchecked(bandStart[b] = start);
      start += max<i32>(2, <i32>(BAND_WIDTH_RATIO * <f32>start));
    }
    unchecked(bandStart[count] = K);
    this.bandStart = bandStart;
    this.meanError = new StaticArray<f32>(count);
    this.meanEcho = new StaticArray<f32>(count);
    this.covariance = new StaticArray<f32>(count);
    this.variance = new StaticArray<f32>(count);
    this.leak = new StaticArray<f32>(count);
    this.ratioError = new StaticArray<f32>(count);
    this.ratioEcho = new StaticArray<f32>(count);
    const cosTable = new StaticArray<f32>(PHASES), sinTable = new StaticArray<f32>(PHASES);
    for (let i = 0; i < PHASES; i++) {
      const a = 2 * Math.PI * <f64>i / <f64>PHASES;
      unchecked(cosTable[i] = <f32>Math.cos(a));
      unchecked(sinTable[i] = <f32>Math.sin(a));
    }
    this.cosTable = cosTable;
    this.sinTable = sinTable;
    this.setPreset(preset);
    this.reset();
  }

  set simd(on: bool) {
    this.useSimd = on;
    this.echoStft.useSimd = on;
  }

  setPreset(preset: i32): void {
    if (!isValidAecPreset(preset)) preset = AEC_OFF;
    this.preset = preset;
    this.gainFloor = Mathf.pow(10, aecGainFloorDb(preset) / 20);
    this.overSuppression = aecOverSuppression(preset);
    this.nearEndOverSuppression = aecNearEndOverSuppression(preset);
  }

  reset(): void {
    this.echoStft.reset();
    const bytes = <usize>this.binsPadded << 2;
    memory.fill(ptr(this.residual), 0, bytes);
    memory.fill(ptr(this.floor), 0, bytes);
    memory.fill(ptr(this.comfortRe), 0, bytes);
    memory.fill(ptr(this.comfortIm), 0, bytes);
    memory.fill(ptr(this.errorPower), 0, bytes);
    memory.fill(ptr(this.echoPower), 0, bytes);
    for (let k = 0; k < this.binsPadded; k++) { unchecked(this.gain[k] = 1); unchecked(this.leakBin[k] = 1); }
    this.resetLeak();
    this.random = 0x12345678;
    this.first = true;
    this.meanGain = 1;
    this.nearEnd = false;
    this.nearEndHold = 0;
  }

  /** Inverse ERLE η of band `b` (the fraction of the linear echo estimate's power left over). */
  leakOfBand(b: i32): f32 { return unchecked(this.leak[b]); }

  /** Forgets the per-band ERLE (after the canceller restarted from scratch). */
  resetLeak(): void {
    const B = this.bands, bytes = <usize>B << 2;
    memory.fill(ptr(this.meanError), 0, bytes);
    memory.fill(ptr(this.meanEcho), 0, bytes);
    memory.fill(ptr(this.covariance), 0, bytes);
    memory.fill(ptr(this.variance), 0, bytes);
    memory.fill(ptr(this.ratioError), 0, bytes);
    memory.fill(ptr(this.ratioEcho), 0, bytes);
    for (let b = 0; b < B; b++) unchecked(this.leak[b] = 1);
  }

  /**
   * Computes gain and comfort noise for the spectrum errRe/errIm (the STFT of the canceller's
   * output, analysed with the same framing as `echo`, the frame of echo the canceller removed).
   * `farActive`: the far end played something this frame (the ERLE only learns then);
   * `tailDecay`: the room's echo power decay per frame, from the adaptive filter;
   * `echoDominated`: the canceller knows its error is echo (EchoCanceller.echoDominated), so the
   * ERLE keeps learning even while near-end speech is detected.
   */
  update(errRe: usize, errIm: usize, echo: usize, farActive: bool, tailDecay: f32, echoDominated: bool = true): void {
    const stft = this.echoStft;
    stft.analyze(echo);
    const K = this.bins, Kp = this.binsPadded;
    const g = ptr(this.gain), res = ptr(this.residual), fl = ptr(this.floor);
    const cRe = ptr(this.comfortRe), cIm = ptr(this.comfortIm);
    if (this.preset == AEC_OFF) {
      for (let k = 0; k < K; k++) store<f32>(g + (<usize>k << 2), 1);
      memory.fill(cRe, 0, <usize>Kp << 2);
      memory.fill(cIm, 0, <usize>Kp << 2);
      this.meanGain = 1;
      return;
    }
    const pe = ptr(this.errorPower), py = ptr(this.echoPower);
    powers(errRe, errIm, pe, Kp, this.useSimd);
    powers(ptr(stft.re), ptr(stft.im), py, Kp, this.useSimd);
    // Near-end speech must not teach the ERLE (it would inflate η, and with it the suppression of
    // the near end itself) unless the canceller knows the error is echo (an echo-path change).
    if (farActive && (!this.nearEnd || echoDominated)) this.updateLeak(pe, py);

    // R = max(η·|Ŷ|², decay·R_prev): the previous frame's residual rings on at the room's decay.
    const lk = ptr(this.leakBin);
    const decay = this.nearEnd ? tailDecay : max<f32>(tailDecay, SINGLE_TALK_DECAY);
    const sums = residualEcho(pe, py, lk, res, fl, decay, Kp, this.useSimd);
    // Near-end dominated: the output holds much more than the predicted residual echo plus the
    // background floor (so far-end pauses, where both are small, do not count), and not more than
    // the microphone (else the surplus is the canceller's own error, not speech).
    const output = sums.error, expected = sums.residual;
    const detected = (output > NEAR_END_RATIO * expected
      || (output > NEAR_END_RESIDUAL_RATIO * expected && output > NEAR_END_ECHO_RATIO * sums.echo))
      && output < NEAR_END_MAX_GAIN * micPower(errRe, errIm, ptr(stft.re), ptr(stft.im), K);
    if (detected && sums.echo > NEAR_END_HOLD_MIN_ECHO * output) this.nearEndHold = NEAR_END_HOLD;
    else if (this.nearEndHold > 0) this.nearEndHold--;
    this.nearEnd = detected || this.nearEndHold > 0;
    const gamma = this.nearEnd ? this.nearEndOverSuppression : this.overSuppression;
    const sum = suppressionGain(pe, res, g, gamma, this.gainFloor, K, this.useSimd);
    this.meanGain = sum / <f32>K;

    for (let k = 0; k < K; k++) {
      const o = <usize>k << 2;
      const p = load<f32>(pe + o) + 1e-20;
      const gk = load<f32>(g + o);
      // Background floor of the canceller output.
      let f = load<f32>(fl + o);
      if (this.first) f = p;
      else f = p < f ? FLOOR_FALL * f + (1 - FLOOR_FALL) * p : f * FLOOR_RISE;
      store<f32>(fl + o, f);
      // Comfort noise fills the power the gain removed from the floor.
      const amplitude = Mathf.sqrt(f * max<f32>(0, 1 - gk * gk));
      this.random = this.random * 1664525 + 1013904223;
      const phase = <i32>(this.random >>> 24);
      store<f32>(cRe + o, amplitude * unchecked(this.cosTable[phase]));
      store<f32>(cIm + o, amplitude * unchecked(this.sinTable[phase]));
    }
    this.first = false;
  }

  /** One step of the per-band leakage regression (|E|² on |Ŷ|²), then η spread onto the bins. */
  private updateLeak(pe: usize, py: usize): void {
    const B = this.bands;
    for (let b = 0; b < B; b++) {
      const from = unchecked(this.bandStart[b]), to = unchecked(this.bandStart[b + 1]);
      let e: f32 = 0, y: f32 = 0;
      for (let k = from; k < to; k++) {
        const o = <usize>k << 2;
        e += load<f32>(pe + o);
        y += load<f32>(py + o);
      }
      const me = unchecked(this.meanError[b]), my = unchecked(this.meanEcho[b]);
      const de = e - me, dy = y - my;
      const beta = min<f32>(LEAK_BETA_MAX, LEAK_BETA0 * y / (e + 1e-20));
      unchecked(this.meanError[b] = me + beta * de);
      unchecked(this.meanEcho[b] = my + beta * dy);
      const cov = (<f32>1 - beta) * unchecked(this.covariance[b]) + beta * de * dy;
      const v = (<f32>1 - beta) * unchecked(this.variance[b]) + beta * dy * dy;
      unchecked(this.covariance[b] = cov);
      unchecked(this.variance[b] = v);
      let eta: f32 = v > 1e-30 ? cov / v : 1;
      // Ratio of means in echo-dominated frames: catches residual the regression misses (tail, lag).
      if (e < BAND_NEAR_END_RATIO * max<f32>(eta, MIN_LEAK) * y) {
        unchecked(this.ratioError[b] = unchecked(this.ratioError[b]) + RATIO_SMOOTHING * (e - unchecked(this.ratioError[b])));
        unchecked(this.ratioEcho[b] = unchecked(this.ratioEcho[b]) + RATIO_SMOOTHING * (y - unchecked(this.ratioEcho[b])));
      }
      const ratio = unchecked(this.ratioError[b]) / (unchecked(this.ratioEcho[b]) + 1e-20);
      if (ratio < eta || !(eta == eta)) {} else eta = ratio;
      if (!(eta >= MIN_LEAK)) eta = MIN_LEAK;
      if (eta > MAX_LEAK) eta = MAX_LEAK;
      unchecked(this.leak[b] = eta);
      const lk = ptr(this.leakBin);
      for (let k = from; k < to; k++) store<f32>(lk + (<usize>k << 2), eta);
    }
  }
}

/** out[k] = re[k]² + im[k]² for k < n (n a multiple of 4 with SIMD). */
function powers(re: usize, im: usize, out: usize, n: i32, simd: bool): void {
  if (SIMD_BUILD && simd) {
    for (let k = 0; k < n; k += 4) {
      const o = <usize>k << 2;
      const r = v128.load(re + o), i = v128.load(im + o);
      v128.store(out + o, f32x4.add(f32x4.mul(r, r), f32x4.mul(i, i)));
    }
  } else {
    for (let k = 0; k < n; k++) {
      const o = <usize>k << 2;
      const r = load<f32>(re + o), i = load<f32>(im + o);
      store<f32>(out + o, r * r + i * i);
    }
  }
}

/** Σ|E[k] + Ŷ[k]|² over n bins: the microphone frame's power in the same STFT framing. */
function micPower(eRe: usize, eIm: usize, yRe: usize, yIm: usize, n: i32): f32 {
  let s: f32 = 0;
  for (let k = 0; k < n; k++) {
    const o = <usize>k << 2;
    const r = load<f32>(eRe + o) + load<f32>(yRe + o), i = load<f32>(eIm + o) + load<f32>(yIm + o);
    s += r * r + i * i;
  }
  return s;
}

/** Per-frame sums over the bins: Σ|E|², Σ(R + FLOOR_BIAS·floor), Σ|Ŷ|². */
class Sums { error: f32 = 0; residual: f32 = 0; echo: f32 = 0; }
const SUMS = new Sums();

/**
 * res[k] = max(η[k]·|Ŷ[k]|², decay·res[k]) (the previous frame's residual rings on at the room's
 * decay); returns Σ|E|², Σ(R + FLOOR_BIAS·floor) and Σ|Ŷ|² over the n bins (padding bins are zero).
 */
function residualEcho(pe: usize, py: usize, lk: usize, res: usize, fl: usize, decay: f32, n: i32, simd: bool): Sums {
  let sumE: f32 = 0, sumR: f32 = 0, sumY: f32 = 0;
  if (SIMD_BUILD && simd) {
    const dv = f32x4.splat(decay), fb = f32x4.splat(FLOOR_BIAS);
    let se = f32x4.splat(0), sr = f32x4.splat(0), sy = f32x4.splat(0);
    for (let k = 0; k < n; k += 4) {
      const o = <usize>k << 2;
      const r = f32x4.max(f32x4.mul(v128.load(lk + o), v128.load(py + o)), f32x4.mul(dv, v128.load(res + o)));
      v128.store(res + o, r);
      se = f32x4.add(se, v128.load(pe + o));
      sy = f32x4.add(sy, v128.load(py + o));
      sr = f32x4.add(sr, f32x4.add(r, f32x4.mul(fb, v128.load(fl + o))));
    }
    sumE = f32x4.extract_lane(se, 0) + f32x4.extract_lane(se, 1) + f32x4.extract_lane(se, 2) + f32x4.extract_lane(se, 3);
    sumR = f32x4.extract_lane(sr, 0) + f32x4.extract_lane(sr, 1) + f32x4.extract_lane(sr, 2) + f32x4.extract_lane(sr, 3);
    sumY = f32x4.extract_lane(sy, 0) + f32x4.extract_lane(sy, 1) + f32x4.extract_lane(sy, 2) + f32x4.extract_lane(sy, 3);
  } else {
    for (let k = 0; k < n; k++) {
      const o = <usize>k << 2;
      const r = max<f32>(load<f32>(lk + o) * load<f32>(py + o), decay * load<f32>(res + o));
      store<f32>(res + o, r);
      sumE += load<f32>(pe + o);
      sumY += load<f32>(py + o);
      sumR += r + FLOOR_BIAS * load<f32>(fl + o);
    }
  }
  SUMS.error = sumE; SUMS.residual = sumR; SUMS.echo = sumY;
  return SUMS;
}

/** g[k] = clamp(1 − γ·R[k]/|E[k]|², floor, 1) for k < K; returns Σ g. */
function suppressionGain(pe: usize, res: usize, g: usize, gamma: f32, floor: f32, K: i32, simd: bool): f32 {
  let sum: f32 = 0;
  let k = 0;
  if (SIMD_BUILD && simd) {
    const gv = f32x4.splat(gamma), fv = f32x4.splat(floor), one = f32x4.splat(1), tiny = f32x4.splat(1e-20);
    let s = f32x4.splat(0);
    for (; k + 4 <= K; k += 4) {
      const o = <usize>k << 2;
      const p = f32x4.add(v128.load(pe + o), tiny);
      const x = f32x4.sub(one, f32x4.div(f32x4.mul(gv, v128.load(res + o)), p));
      const gk = f32x4.min(one, f32x4.max(fv, x));
      v128.store(g + o, gk);
      s = f32x4.add(s, gk);
    }
    sum = f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
  }
  for (; k < K; k++) {
    const o = <usize>k << 2;
    const p = load<f32>(pe + o) + 1e-20;
    const gk = min<f32>(1, max<f32>(floor, 1 - gamma * load<f32>(res + o) / p));
    store<f32>(g + o, gk);
    sum += gk;
  }
  return sum;
}

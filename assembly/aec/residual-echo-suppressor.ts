// Residual echo suppression and comfort noise, applied in the noise suppressor's STFT so it adds no
// delay. The residual echo power is the leakage-scaled power of the linear echo estimate (the same
// leakage η that steers the canceller's learning rate, as speexdsp's speex_echo_get_residual does),
// over-estimated per preset and smeared over a few frames for reverberation past the filter. The
// gain is a spectral-subtraction (Wiener-like) gain floored per preset. Comfort noise with the power
// of the tracked background floor fills what the gain removed, so suppressed echo is not heard as
// silence gaps (ITU-T G.168 "comfort noise injection").
import { ptr, SIMD_BUILD } from '../common';
import { Stft } from '../stft';
import { AEC_OFF, aecGainFloorDb, aecOverSuppression, isValidAecPreset } from './aec-common';

/** Residual echo power carried into the next frame (reverberation beyond the filter), per frame. */
const RESIDUAL_DECAY: f32 = 0.4;
/** Background floor: falls quickly, rises ≈ 2 dB/s. */
const FLOOR_RISE: f32 = 1.005;
const FLOOR_FALL: f32 = 0.8;
const PHASES: i32 = 256;

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
  private echoStft: Stft;
  private residual: StaticArray<f32>;
  private floor: StaticArray<f32>;
  private cosTable: StaticArray<f32>;
  private sinTable: StaticArray<f32>;
  private gainFloor: f32 = 1;
  private overSuppression: f32 = 0;
  private random: u32 = 0x12345678;
  private first: bool = true;

  constructor(frameSize: i32, preset: i32) {
    const stft = new Stft(frameSize);
    this.echoStft = stft;
    this.bins = stft.bins;
    this.binsPadded = stft.binsPadded;
    const Kp = stft.binsPadded;
    this.gain = new StaticArray<f32>(Kp);
    this.comfortRe = new StaticArray<f32>(Kp);
    this.comfortIm = new StaticArray<f32>(Kp);
    this.residual = new StaticArray<f32>(Kp);
    this.floor = new StaticArray<f32>(Kp);
    this.cosTable = new StaticArray<f32>(PHASES);
    this.sinTable = new StaticArray<f32>(PHASES);
    for (let i = 0; i < PHASES; i++) {
      const a = 2 * Math.PI * <f64>i / <f64>PHASES;
      unchecked(this.cosTable[i] = <f32>Math.cos(a));
      unchecked(this.sinTable[i] = <f32>Math.sin(a));
    }
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
  }

  reset(): void {
    this.echoStft.reset();
    memory.fill(ptr(this.residual), 0, <usize>this.binsPadded << 2);
    memory.fill(ptr(this.floor), 0, <usize>this.binsPadded << 2);
    memory.fill(ptr(this.comfortRe), 0, <usize>this.binsPadded << 2);
    memory.fill(ptr(this.comfortIm), 0, <usize>this.binsPadded << 2);
    for (let k = 0; k < this.binsPadded; k++) unchecked(this.gain[k] = 1);
    this.random = 0x12345678;
    this.first = true;
    this.meanGain = 1;
  }

  /**
   * Computes gain and comfort noise for the spectrum errRe/errIm (the STFT of the canceller's
   * output, analysed with the same framing as `echo`, the frame of echo the canceller removed).
   */
  update(errRe: usize, errIm: usize, echo: usize, leak: f32): void {
    const stft = this.echoStft;
    stft.analyze(echo);
    const yRe = ptr(stft.re), yIm = ptr(stft.im);
    const K = this.bins;
    const g = ptr(this.gain), res = ptr(this.residual), fl = ptr(this.floor);
    const cRe = ptr(this.comfortRe), cIm = ptr(this.comfortIm);
    if (this.preset == AEC_OFF) {
      for (let k = 0; k < K; k++) store<f32>(g + (<usize>k << 2), 1);
      memory.fill(cRe, 0, <usize>this.binsPadded << 2);
      memory.fill(cIm, 0, <usize>this.binsPadded << 2);
      this.meanGain = 1;
      return;
    }
    const scale = this.overSuppression * leak;
    const floorGain = this.gainFloor;
    let sum: f32 = 0;
    for (let k = 0; k < K; k++) {
      const o = <usize>k << 2;
      const er = load<f32>(errRe + o), ei = load<f32>(errIm + o);
      const yr = load<f32>(yRe + o), yi = load<f32>(yIm + o);
      const pe = er * er + ei * ei + 1e-20;
      const r = max<f32>(scale * (yr * yr + yi * yi), RESIDUAL_DECAY * load<f32>(res + o));
      store<f32>(res + o, r);
      const gk = min<f32>(1, max<f32>(floorGain, (pe - r) / pe));
      store<f32>(g + o, gk);
      sum += gk;
      // Background floor of the canceller output.
      let f = load<f32>(fl + o);
      if (this.first) f = pe;
      else f = pe < f ? FLOOR_FALL * f + (1 - FLOOR_FALL) * pe : f * FLOOR_RISE;
      store<f32>(fl + o, f);
      // Comfort noise fills the power the gain removed from the floor.
      const amplitude = Mathf.sqrt(f * max<f32>(0, 1 - gk * gk));
      this.random = this.random * 1664525 + 1013904223;
      const phase = <i32>(this.random >>> 24);
      store<f32>(cRe + o, amplitude * unchecked(this.cosTable[phase]));
      store<f32>(cIm + o, amplitude * unchecked(this.sinTable[phase]));
    }
    this.first = false;
    this.meanGain = sum / <f32>K;
  }
}

// Single-channel noise suppressor on 10 ms frames: STFT → noise tracking → OM-LSA gain → inverse
// STFT. Owns every buffer; process() allocates nothing. Delay: one frame.
import { frameSamples, ptr, sanitize, SIMD_BUILD } from '../common';
import { lnScalar } from '../vmath';
import { Stft } from '../stft';
import { NoiseEstimator } from './noise-estimator';
import { isValidPreset, PRESET_OFF, presetGainFloorDb, presetMinPriorSnrDb } from './presets';
import { SuppressionGain } from './suppression-gain';

const DB_TO_LN: f32 = 0.11512925; // ln(10) / 20
const VOICE_LOW_HZ: f32 = 300;
const VOICE_HIGH_HZ: f32 = 3400;
/** Inputs beyond ±this (about +24 dBFS) are clipped before analysis. */
const MAX_INPUT: f32 = 16;

export class NoiseSuppressor {
  readonly sampleRate: i32;
  readonly frameSize: i32;
  preset: i32;
  readonly input: StaticArray<f32>;
  readonly output: StaticArray<f32>;
  /** Mean speech-presence probability over the voice band in the last frame, 0..1. */
  speechProbability: f32 = 0;
  /** Estimated noise power in the last frame, dB relative to a full-scale square wave. */
  noiseLevelDb: f32 = -100;
  /** Samples that were NaN/Inf (replaced by 0) since creation. */
  invalidSamples: i32 = 0;
  private stft: Stft;
  private estimator: NoiseEstimator;
  private gain: SuppressionGain;
  private power: StaticArray<f32>;
  private voiceLowBin: i32;
  private voiceHighBin: i32;

  constructor(sampleRate: i32, preset: i32) {
    const frameSize = frameSamples(sampleRate);
    const stft = new Stft(frameSize);
    const bins = stft.bins, padded = stft.binsPadded;
    const binHz = <f32>sampleRate / <f32>stft.fftSize;
    this.sampleRate = sampleRate;
    this.frameSize = frameSize;
    this.input = new StaticArray<f32>(frameSize);
    this.output = new StaticArray<f32>(frameSize);
    this.stft = stft;
    this.estimator = new NoiseEstimator(padded);
    this.gain = new SuppressionGain(bins, padded);
    this.power = new StaticArray<f32>(padded);
    this.voiceLowBin = <i32>(VOICE_LOW_HZ / binHz);
    this.voiceHighBin = min<i32>(<i32>(VOICE_HIGH_HZ / binHz), bins - 1);
    this.preset = PRESET_OFF;
    this.setPreset(preset);
    this.gain.reset();
  }

  set useSimd(on: bool) {
    this.stft.useSimd = on;
    this.estimator.useSimd = on;
    this.gain.useSimd = on;
  }

  get latencySamples(): i32 {
    return this.frameSize;
  }

  setPreset(preset: i32): void {
    if (!isValidPreset(preset)) preset = PRESET_OFF;
    this.preset = preset;
    this.gain.targetBypass = preset == PRESET_OFF ? 1 : 0;
    if (preset != PRESET_OFF) {
      this.gain.targetLogGainFloor = presetGainFloorDb(preset) * DB_TO_LN;
      this.gain.logMinPriorSnr = presetMinPriorSnrDb(preset) * 0.23025851; // ln(10)/10
    }
  }

  reset(): void {
    this.stft.reset();
    this.estimator.reset();
    this.gain.reset();
    this.speechProbability = 0;
    this.noiseLevelDb = -100;
  }

  /** Processes `input` (one frame) into `output` (the frame before it, enhanced). */
  process(): void {
    this.analyze();
    this.synthesize(0, 0, 0);
  }

  /** The STFT of the latest analysed frame (valid between analyze() and synthesize()). */
  get spectrumRe(): usize { return ptr(this.stft.re); }
  get spectrumIm(): usize { return ptr(this.stft.im); }

  /** First half of process(): analyses `input` and computes the noise-suppression gain. */
  analyze(): void {
    const inPtr = ptr(this.input);
    this.invalidSamples += sanitize(inPtr, this.frameSize, MAX_INPUT);
    const stft = this.stft;
    stft.analyze(inPtr);
    const re = ptr(stft.re), im = ptr(stft.im), pw = ptr(this.power);
    const padded = stft.binsPadded;
    if (SIMD_BUILD && this.gain.useSimd) {
      for (let k = 0; k < padded; k += 4) {
        const o = <usize>k << 2;
        const r = v128.load(re + o), i = v128.load(im + o);
        v128.store(pw + o, f32x4.add(f32x4.mul(r, r), f32x4.mul(i, i)));
      }
    } else {
      for (let k = 0; k < padded; k++) {
        const o = <usize>k << 2;
        const r = load<f32>(re + o), i = load<f32>(im + o);
        store<f32>(pw + o, r * r + i * i);
      }
    }
    this.estimator.update(pw);
    this.gain.update(pw, ptr(this.estimator.noise));
  }

  /**
   * Second half of process(): applies the gain and writes `output`. With `echoGain` ≠ 0 (a residual
   * echo suppressor's per-bin gain and comfort noise, binsPadded each) the spectrum becomes
   * G_ns · (G_echo · Y + comfort noise).
   */
  synthesize(echoGain: usize, comfortRe: usize, comfortIm: usize): void {
    const stft = this.stft;
    const re = ptr(stft.re), im = ptr(stft.im);
    const padded = stft.binsPadded;
    const g = ptr(this.gain.gain);
    if (echoGain != 0) {
      if (SIMD_BUILD && this.gain.useSimd) {
        for (let k = 0; k < padded; k += 4) {
          const o = <usize>k << 2;
          const gk = v128.load(g + o), ge = v128.load(echoGain + o);
          v128.store(re + o, f32x4.mul(gk, f32x4.add(f32x4.mul(v128.load(re + o), ge), v128.load(comfortRe + o))));
          v128.store(im + o, f32x4.mul(gk, f32x4.add(f32x4.mul(v128.load(im + o), ge), v128.load(comfortIm + o))));
        }
      } else {
        for (let k = 0; k < padded; k++) {
          const o = <usize>k << 2;
          const gk = load<f32>(g + o), ge = load<f32>(echoGain + o);
          store<f32>(re + o, gk * (load<f32>(re + o) * ge + load<f32>(comfortRe + o)));
          store<f32>(im + o, gk * (load<f32>(im + o) * ge + load<f32>(comfortIm + o)));
        }
      }
    } else if (SIMD_BUILD && this.gain.useSimd) {
      for (let k = 0; k < padded; k += 4) {
        const o = <usize>k << 2;
        const gk = v128.load(g + o);
        v128.store(re + o, f32x4.mul(v128.load(re + o), gk));
        v128.store(im + o, f32x4.mul(v128.load(im + o), gk));
      }
    } else {
      for (let k = 0; k < padded; k++) {
        const o = <usize>k << 2;
        const gk = load<f32>(g + o);
        store<f32>(re + o, load<f32>(re + o) * gk);
        store<f32>(im + o, load<f32>(im + o) * gk);
      }
    }
    stft.synthesize(ptr(this.output));
    this.updateStats();
  }

  private updateStats(): void {
    const presence = ptr(this.gain.presence), noise = ptr(this.estimator.noise);
    let p: f32 = 0;
    for (let k = this.voiceLowBin; k <= this.voiceHighBin; k++) p += load<f32>(presence + (<usize>k << 2));
    this.speechProbability = p / <f32>(this.voiceHighBin - this.voiceLowBin + 1);
    let total: f32 = 0;
    for (let k = 0; k < this.stft.bins; k++) total += load<f32>(noise + (<usize>k << 2));
    // White noise of variance σ² gives E|Y_k|² = σ²·Σw² = σ²·N per bin, and there are M/2+1 bins.
    const variance = total / (<f32>this.frameSize * <f32>this.stft.bins);
    this.noiseLevelDb = 4.3429448 * lnScalar(max<f32>(variance, 1e-12));
  }
}


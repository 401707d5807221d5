// Packet-loss concealment on decoded PCM: pitch-period extrapolation after ITU-T G.711 Appendix I
// (pitch search on the history, a template of 1 → 2 → 3 periods with an overlap-added wrap so it
// repeats without clicks, hold then fade) done on the LPC residual, as SILK's PLC and WebRTC
// NetEq's expand do: the history is inverse-filtered by A(z), the residual's last periods repeat
// (mixed with white noise for unvoiced sound, NetEq's voiced/noise split) and 1/A(z) synthesises
// them with its state continued from the real samples. The spectral envelope stays smooth across
// the template's wrap, and the gap starts without a step and without a look-ahead (zero added
// delay). Long bursts fade to comfort noise at the tracked background level; a cross-faded merge
// joins returning real audio.
import { ptr } from '../common';
import { LagSearch } from './correlation';
import { LinearPredictor, LPC_ORDER } from './lpc';
import { CONCEAL_MERGED, CONCEAL_REAL, CONCEAL_SYNTHETIC, MAX_PITCH_MS, MIN_PITCH_MS, msToSamples } from './receive-common';

/** Extrapolation held this long (decaying by HOLD_DECAY), then faded linearly to comfort noise over FADE_MS. */
export const HOLD_MS: f32 = 60;
export const FADE_MS: f32 = 140;
/**
 * Fraction of the level lost over the hold (a gentle decay, as SILK's PLC does, keeps repeated
 * periods from buzzing). It falls with the square root of the time, faster at first like the
 * per-frame geometric decay of SILK and CELT: a single lost packet ends 17 % down instead of 10 %
 * (0.02–0.07 dB lower join LSD on Opus-decoded and PCM speech, random and bursty loss), and the
 * level at the end of the hold — what long bursts hear — is unchanged.
 */
export const HOLD_DECAY: f32 = 0.3;
/**
 * Length of the window that scores a pitch candidate at the gap start. Shorter than the time
 * stretcher's (CORRELATION_WINDOW_MS, 10 ms): the period just before the gap is the one continued
 * (8 ms: 0.05–0.3 dB lower join LSD than 10 ms on random and bursty loss, Opus and PCM; 6 ms and
 * 20 ms are worse).
 */
const PITCH_WINDOW_MS: f32 = 8;
/**
 * The template grows to 2 periods after this much concealment and to 3 after twice as much (G.711 I
 * grows after 10 ms; a single lost 20 ms packet then changes template mid-gap, which cost about
 * 1 dB of join LSD on PCM and 0.4 dB on Opus-decoded speech; growing per packet keeps it whole).
 */
const TEMPLATE_GROWTH_MS: f32 = 20;
/** Length of the cross-fade from synthetic into returning real audio. */
const MERGE_MS: f32 = 2.5;
/** History kept for analysis: 3 longest periods + the correlation window + the wrap overlap. */
const HISTORY_MS: f32 = 60;
/**
 * Correlation at or below LOW is treated as unvoiced (noise only), at or above HIGH as fully voiced.
 * Codec-decoded speech correlates less than clean PCM; 0.4 (not 0.6) keeps its vowels periodic.
 */
const VOICING_LOW: f32 = 0.2;
const VOICING_HIGH: f32 = 0.4;
/** The background level rises at most this fast (dB per second) and follows drops at once. */
const FLOOR_RISE_DB_PER_SECOND: f32 = 6;
const RANDOM_SEED: u32 = 0x2545f491;
/**
 * Share of the decoder's own concealment at the start of a single lost Opus packet (concealToward).
 * Measured on 48 loss patterns of speech at 24 kb/s (random 5 % / 10 %), join LSD: 0 (our
 * extrapolation first) 9.90 / 10.25 dB, 0.6 9.75 / 10.13, 1 (the decoder's alone) 9.80 / 10.19;
 * libopus's PLC alone 9.76 / 10.14. Mixed, the two do better than either one.
 */
const HINT_START_WEIGHT: f32 = 0.6;

export class Concealer {
  readonly sampleRate: i32;
  /** Largest block that real()/conceal() accept. */
  readonly maxBlock: i32;
  useSimd: bool;
  /** True while the last output sample was synthetic. */
  concealing: bool = false;
  /** Samples synthesised since the current gap began. */
  gapSamples: i32 = 0;
  /** Pitch period and voicing found at the start of the current gap. */
  pitchLag: i32 = 0;
  voicing: f32 = 0;
  /** Background level (RMS) tracked on real audio; the level comfort noise fades to. */
  floorRms: f32 = 0;

  // Kernel-owned I/O for the stand-alone use through exports (the chain passes its own pointers).
  readonly input: StaticArray<f32>;
  readonly output: StaticArray<f32>;

  private readonly minLag: i32;
  private readonly maxLag: i32;
  private readonly windowSamples: i32;
  private readonly historySamples: i32;
  private readonly history: StaticArray<f32>;
  private readonly snapshot: StaticArray<f32>;
  private readonly template: StaticArray<f32>;
  private readonly noise: StaticArray<f32>;
  private readonly synthetic: StaticArray<f32>;
  private readonly residual: StaticArray<f32>;
  private readonly synthesisState: StaticArray<f64> = new StaticArray<f64>(LPC_ORDER);
  private readonly savedState: StaticArray<f64> = new StaticArray<f64>(LPC_ORDER);
  private readonly search: LagSearch = new LagSearch();
  private readonly predictor: LinearPredictor;
  private templateLength: i32 = 0;
  private templatePeriods: i32 = 0;
  private phase: i32 = 0;
  private recentRms: f32 = 0;
  private noiseScale: f32 = 1;
  private random: u32 = RANDOM_SEED;
  private readonly holdSamples: i32;
  private readonly fadeSamples: i32;
  private readonly growthSamples: i32;
  private readonly mergeSamples: i32;

  constructor(sampleRate: i32, maxBlock: i32, useSimd: bool) {
    this.sampleRate = sampleRate;
    this.maxBlock = maxBlock;
    this.useSimd = useSimd;
    const maxLag = msToSamples(MAX_PITCH_MS, sampleRate);
    const historySamples = msToSamples(HISTORY_MS, sampleRate);
    const mergeSamples = msToSamples(MERGE_MS, sampleRate);
    this.minLag = msToSamples(MIN_PITCH_MS, sampleRate);
    this.maxLag = maxLag;
    this.windowSamples = msToSamples(PITCH_WINDOW_MS, sampleRate);
    this.historySamples = historySamples;
    this.history = new StaticArray<f32>(historySamples);
    this.snapshot = new StaticArray<f32>(historySamples);
    this.residual = new StaticArray<f32>(historySamples);
    this.template = new StaticArray<f32>(3 * maxLag);
    this.noise = new StaticArray<f32>(maxBlock);
    this.input = new StaticArray<f32>(maxBlock);
    this.output = new StaticArray<f32>(maxBlock);
    this.holdSamples = msToSamples(HOLD_MS, sampleRate);
    this.fadeSamples = msToSamples(FADE_MS, sampleRate);
    this.growthSamples = msToSamples(TEMPLATE_GROWTH_MS, sampleRate);
    this.mergeSamples = mergeSamples;
    this.synthetic = new StaticArray<f32>(mergeSamples + maxLag);
    this.predictor = new LinearPredictor(msToSamples(20, sampleRate));
    this.search.useSimd = useSimd;
  }

  setSimd(on: bool): void {
    this.useSimd = on;
    this.search.useSimd = on;
  }

  reset(): void {
    for (let i = 0; i < this.historySamples; i++) unchecked(this.history[i] = 0);
    this.concealing = false;
    this.gapSamples = 0;
    this.floorRms = 0;
    this.recentRms = 0;
    this.random = RANDOM_SEED;
    this.predictor.reset();
  }

  /**
   * Real audio: copies `count` samples from `src` to `dst` (they may alias). If the previous output
   * was synthetic, the first MERGE_MS are cross-faded from the continuation of the concealment;
   * returns CONCEAL_MERGED then, else CONCEAL_REAL.
   */
  real(src: usize, dst: usize, count: i32): i32 {
    let status = CONCEAL_REAL;
    if (this.concealing) {
      const m = count < this.mergeSamples ? count : this.mergeSamples;
      this.continuation(m);
      const s = ptr(this.synthetic);
      for (let n = 0; n < m; n++) {
        const w = <f32>(0.5 - 0.5 * Mathf.cos(Mathf.PI * (<f32>n + 0.5) / <f32>m));
        const x = load<f32>(s + (<usize>n << 2)) * (1 - w) + load<f32>(src + (<usize>n << 2)) * w;
        store<f32>(dst + (<usize>n << 2), x);
      }
      if (dst != src) memory.copy(dst + (<usize>m << 2), src + (<usize>m << 2), <usize>(count - m) << 2);
      this.concealing = false;
      this.gapSamples = 0;
      status = CONCEAL_MERGED;
    } else if (dst != src) {
      memory.copy(dst, src, <usize>count << 2);
    }
    this.trackFloor(dst, count);
    this.pushHistory(dst, count);
    return status;
  }

  /** Writes `count` synthetic samples to `dst`. */
  conceal(dst: usize, count: i32): void {
    if (!this.concealing) this.startGap();
    this.synthesise(dst, count);
    this.pushHistory(dst, count);
  }

  /**
   * Conceals `count` samples of a lost packet for which the codec's decoder made its own concealment
   * `hint` (Opus decoding a 1-byte placeholder in the lost packet's place: its PLC runs and its state
   * stays in step, so the packet after the gap decodes continuously from that concealment instead of
   * from the state before the gap). The output mixes our extrapolation with the decoder's, which
   * knows the codec's own pitch and gain parameters: from HINT_START_WEIGHT of the decoder's at the
   * packet start to all of it at the end (a raised cosine over the whole packet; these samples are
   * `position` to `position + count` of `total`), so the real packet after it follows without a
   * merge. Only ever given for a single lost packet (see src/core/receive/decode-sequencer.ts).
   */
  concealToward(hint: usize, dst: usize, count: i32, position: i32, total: i32): void {
    if (!this.concealing) this.startGap();
    this.synthesise(dst, count);
    const length = <f32>(total > 0 ? total : <i32>1);
    for (let n = 0; n < count; n++) {
      const t = (<f32>(position + n) + 0.5) / length;
      const w = t >= 1 ? <f32>1 : HINT_START_WEIGHT + (1 - HINT_START_WEIGHT) * <f32>(0.5 - 0.5 * Mathf.cos(Mathf.PI * t));
      const at = <usize>n << 2;
      store<f32>(dst + at, load<f32>(dst + at) * (1 - w) + load<f32>(hint + at) * w);
    }
    this.pushHistory(dst, count);
    if (position + count >= total) {
      this.concealing = false;
      this.gapSamples = 0;
    }
  }

  /** The stand-alone kernel: input → output when `present`, else concealment; returns a CONCEAL_* status. */
  process(present: bool, count: i32): i32 {
    if (present) return this.real(ptr(this.input), ptr(this.output), count);
    this.conceal(ptr(this.output), count);
    return CONCEAL_SYNTHETIC;
  }

  private startGap(): void {
    const h = ptr(this.history);
    const end = this.historySamples;
    memory.copy(ptr(this.snapshot), h, <usize>end << 2);
    // Pitch: the last window against the same length one lag earlier.
    const window = this.windowSamples;
    this.search.search(h + (<usize>(end - window) << 2), window, this.minLag, this.maxLag);
    this.pitchLag = this.search.lag;
    this.voicing = this.search.correlation;
    let energy: f32 = 0;
    const recent = msToSamples(20, this.sampleRate);
    for (let i = end - recent; i < end; i++) energy += unchecked(this.history[i]) * unchecked(this.history[i]);
    this.recentRms = Mathf.sqrt(energy / <f32>recent);
    this.predictor.analyse(h + (<usize>(end - recent) << 2), recent);
    // White excitation of unit RMS through 1/A(z) has RMS ≈ 1/sqrt(residualRatio).
    this.noiseScale = <f32>Math.sqrt(this.predictor.residualRatio);
    // Residual e = A(z)·x of the history; the extrapolation repeats its pitch periods and filters
    // them through 1/A(z) continuing from the real samples (SILK's PLC, NetEq's expand).
    const a = this.predictor.coefficients;
    for (let i = 0; i < LPC_ORDER; i++) unchecked(this.residual[i] = 0);
    for (let i = LPC_ORDER; i < end; i++) {
      let e = <f64>unchecked(this.snapshot[i]);
      for (let k = 1; k <= LPC_ORDER; k++) e += unchecked(a[k]) * <f64>unchecked(this.snapshot[i - k]);
      unchecked(this.residual[i] = <f32>e);
    }
    for (let k = 0; k < LPC_ORDER; k++) unchecked(this.synthesisState[k] = <f64>this.snapshot[end - 1 - k]);
    this.templateLength = 0;
    this.buildTemplate(1);
    this.phase = 0;
    this.concealing = true;
    this.gapSamples = 0;
  }

  /** The last `periods` pitch periods of the residual, their end overlap-added into the samples before them. */
  private buildTemplate(periods: i32): void {
    const p = this.pitchLag, end = this.historySamples;
    const length = periods * p;
    const overlap = p >> 2 > 1 ? p >> 2 : 1;
    for (let i = 0; i < length; i++) unchecked(this.template[i] = this.residual[end - length + i]);
    // Wrapping from the template's end to its start must look like residual[end − length − 1] → [end − length].
    for (let j = 0; j < overlap; j++) {
      const w = (<f32>j + 1) / (<f32>overlap + 1);
      const k = length - overlap + j;
      unchecked(this.template[k] = this.template[k] * (1 - w) + this.residual[end - length - overlap + j] * w);
    }
    if (this.templateLength > 0) this.phase += length - this.templateLength;  // same sample, longer cycle
    this.templateLength = length;
    this.templatePeriods = periods;
  }

  /**
   * Writes `count` samples of the extrapolation to `dst`: the periodic and noise excitation, scaled
   * by the hold/fade level, through 1/A(z). Comfort noise at the background level joins only in the
   * fade: mixed in during the hold it stood in for the decay (at the level of the sound itself where
   * the floor tracker saw no pause, e.g. a sustained tone, −15 dB of noise on it).
   */
  private synthesise(dst: usize, count: i32): void {
    for (let n = 0; n < count; n++) unchecked(this.noise[n] = this.nextUniform() * 1.7320508);
    const voicedWeight = clamp01((this.voicing - VOICING_LOW) / (VOICING_HIGH - VOICING_LOW));
    const unvoicedWeight = Mathf.sqrt(1 - voicedWeight * voicedWeight);
    const a = this.predictor.coefficients, state = this.synthesisState;
    const residualRms = this.recentRms * this.noiseScale, floorExcitation = this.floorRms * this.noiseScale;
    for (let n = 0; n < count; n++) {
      const g = this.gapSamples;
      if (this.templatePeriods < 3 && g >= this.templatePeriods * this.growthSamples) this.buildTemplate(this.templatePeriods + 1);
      const hold = this.levelAt(g);
      const periodic = unchecked(this.template[this.phase]);
      if (++this.phase >= this.templateLength) this.phase = 0;
      const comfortWeight: f32 = g < this.holdSamples ? 0 : clamp01(<f32>(g - this.holdSamples) / <f32>this.fadeSamples);
      const noiseRms = hold * unvoicedWeight * residualRms + comfortWeight * floorExcitation;
      let y = <f64>(hold * voicedWeight * periodic + noiseRms * unchecked(this.noise[n]));
      for (let k = 1; k <= LPC_ORDER; k++) y -= unchecked(a[k]) * unchecked(state[k - 1]);
      for (let k = LPC_ORDER - 1; k > 0; k--) unchecked(state[k] = state[k - 1]);
      unchecked(state[0] = y);
      store<f32>(dst + (<usize>n << 2), <f32>y);
      this.gapSamples = g + 1;
    }
  }

  /**
   * Fills `synthetic[0..m)` with the continuation of the concealment exactly where it stopped. It is
   * not phase-shifted towards the real audio: a shift jumps the synthetic waveform at the first
   * merged sample (a click that cost 2–3 dB of join LSD on PCM and Opus); the short raised-cosine
   * cross-fade handles the mismatch better.
   */
  private continuation(m: i32): void {
    // Continue the synthesis without committing: save and restore the phase/gap/noise/filter state.
    const phase = this.phase, random = this.random, gap = this.gapSamples;
    const periods = this.templatePeriods;
    for (let k = 0; k < LPC_ORDER; k++) unchecked(this.savedState[k] = this.synthesisState[k]);
    this.templatePeriods = 3;  // no growth inside the look-ahead
    this.synthesise(ptr(this.synthetic), m);
    this.templatePeriods = periods;
    for (let k = 0; k < LPC_ORDER; k++) unchecked(this.synthesisState[k] = this.savedState[k]);
    this.phase = phase; this.random = random; this.gapSamples = gap;
  }

  /** Level of the extrapolation `g` samples into a gap: HOLD_DECAY over the hold, then a linear fade to 0. */
  private levelAt(g: i32): f32 {
    if (g < this.holdSamples) return 1 - HOLD_DECAY * Mathf.sqrt(<f32>g / <f32>this.holdSamples);
    return (1 - HOLD_DECAY) * clamp01(1 - <f32>(g - this.holdSamples) / <f32>this.fadeSamples);
  }

  private trackFloor(p: usize, count: i32): void {
    if (count <= 0) return;
    let energy: f32 = 0;
    for (let i = 0; i < count; i++) { const x = load<f32>(p + (<usize>i << 2)); energy += x * x; }
    const rms = Mathf.sqrt(energy / <f32>count);
    const seconds = <f32>count / <f32>this.sampleRate;
    const rise = Mathf.pow(10, FLOOR_RISE_DB_PER_SECOND * seconds / 20);
    if (this.floorRms == 0 || rms < this.floorRms) this.floorRms = rms;
    else this.floorRms = this.floorRms * rise < rms ? this.floorRms * rise : rms;
  }

  private pushHistory(p: usize, count: i32): void {
    const h = ptr(this.history);
    const size = this.historySamples;
    if (count >= size) {
      memory.copy(h, p + (<usize>(count - size) << 2), <usize>size << 2);
      return;
    }
    memory.copy(h, h + (<usize>count << 2), <usize>(size - count) << 2);
    memory.copy(h + (<usize>(size - count) << 2), p, <usize>count << 2);
  }

  /** Uniform in [−1, 1) from a xorshift32 (deterministic: reset() restores the seed). */
  private nextUniform(): f32 {
    let x = this.random;
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    this.random = x;
    return <f32>(<f64>x / 2147483648.0 - 1.0);
  }
}

// @ts-ignore: decorator
@inline function clamp01(x: f32): f32 {
  return x > 0 ? (x < 1 ? x : 1) : 0;
}

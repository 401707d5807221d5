// Acoustic echo canceller on 10 ms frames at 8/16/32/48 kHz: a bulk delay from the delay
// estimator, then a two-filter partitioned FDAF (MDF, Soo & Pang 1990; speexdsp mdf.c). The
// background filter adapts with the per-bin learning rate of Valin, "On adjusting the learning rate
// in frequency domain echo cancellation with double-talk" (IEEE TASLP 2007): μ = min(μmax,
// η·|Ŷ|²/|E|²) with the leakage η estimated by recursive regression, so it slows down by itself in
// double talk and speeds up again after an echo-path change. The foreground filter, which makes the
// output, only copies the background when that is significantly better, and the background is reset
// to the foreground when it diverges (speexdsp's two-path scheme). Output: the linear echo-cancelled
// frame; residual echo is removed later by ResidualEchoSuppressor in the NS's spectrum.
// Owns every buffer; process() allocates nothing and never throws.
import { nextPowerOfTwo, ptr, SIMD_BUILD } from '../common';
import { RealFft } from '../fft';
import { DELAY_MARGIN_FRAMES, FILTER_LENGTH_MS, MAX_DELAY_MS } from './aec-common';
import { DelayEstimator } from './delay-estimator';
import { PartitionedFilter, powerAccumulate, SpectrumRing } from './partitioned-filter';

/** Learning rate while the filter has not converged yet (normalised per bin, exact power norm). */
const INITIAL_STEP: f32 = 0.25;
const MAX_STEP: f32 = 0.5;
const MIN_LEAK: f32 = 0.005;
/**
 * Leakage regression smoothing: β = min(β_max, β0·Syy/See) per frame (speexdsp's values), used in
 * double talk (the residual echo suppressor reports near-end speech) so near-end speech, whose
 * spectral changes correlate with the echo's by chance, does not inflate η and with it the step.
 */
const LEAK_BETA0: f32 = 0.02;
const LEAK_BETA_MAX: f32 = 0.005;
/** Faster leakage tracking otherwise (convergence, echo-path changes). */
const LEAK_BETA0_FAST: f32 = 0.1;
const LEAK_BETA_MAX_FAST: f32 = 0.04;
/** Error/echo-estimate coherence (smoothed Sey²/(See·Syy)) above which the error is echo, not near end. */
const COHERENT: f32 = 0.03;
const COHERENCE_SMOOTHING: f32 = 0.1;
/**
 * Learning-rate factor in double talk: small, so near-end speech barely moves the filter (the
 * foreground copies the background only when that is better, so the output filter stays protected).
 */
const NEAR_END_STEP: f32 = 0.05;
/** Frames of fast tracking after a delay change or after the output got louder than the microphone. */
const FAST_HOLD_FRAMES: i32 = 200;
/** Smoothing of the microphone/output powers for the "output louder than microphone" test (~100 ms). */
const SHORT_SMOOTHING: f32 = 0.1;
/**
 * "Louder" means by this factor, over a microphone above the far-end activity floor: at the noise
 * floor (far-end pauses) the two powers are equal within chance and the test would flip at random.
 */
const WORSE_RATIO: f32 = 1.25;
const SPECTRUM_AVERAGE: f32 = 0.05;
/** Far-end frames quieter than this mean square (≈ −80 dBFS) do not adapt the filter. */
const MIN_FAR_POWER: f32 = 1e-8;
const VAR1_UPDATE: f32 = 0.5;
const VAR2_UPDATE: f32 = 0.25;
const VAR_BACKTRACK: f32 = 4;
/** Frames in a row the output may be much louder than the microphone before the filters are reset. */
const DIVERGED_FRAMES: i32 = 30;
const CONSTRAIN_PER_FRAME: i32 = 26;
/** Proportionate weights: every partition keeps at least this fraction of the largest one's. */
const PROP_FLOOR: f32 = 0.1;
/** Σ of initial learning rates (in frames × rate) before the Valin rate takes over. */
const ADAPTED_AFTER: f32 = 10;
/** Far-end power floor per bin, relative to the mean over bins (keeps weakly excited bins from overshooting). */
const REGULARIZATION: f32 = 1e-4;
/** Tail decay per frame before it is measured (−3 dB per 10 ms, RT60 ≈ 0.2 s) and its bounds. */
const DEFAULT_TAIL_DECAY: f32 = 0.5;
const MIN_TAIL_DECAY: f32 = 0.05;
const MAX_TAIL_DECAY: f32 = 0.85;
const TAIL_DECAY_SMOOTHING: f32 = 0.05;
/** Partitions per side of the early-decay ratio. */
const TAIL_SPAN: i32 = 4;

export class EchoCanceller {
  readonly sampleRate: i32;
  readonly frameSize: i32;
  readonly fftSize: i32;
  readonly binsPadded: i32;
  readonly partitions: i32;
  readonly maxDelayFrames: i32;
  /** Microphone frame in, far-end (loudspeaker) frame in, echo-cancelled frame out. */
  readonly input: StaticArray<f32>;
  readonly farEnd: StaticArray<f32>;
  readonly output: StaticArray<f32>;
  /** The echo removed from this frame (input − output), for the residual echo suppressor. */
  readonly echo: StaticArray<f32>;
  /** Leakage η: the fraction of echo power the linear filter leaves (0.005..1). */
  leak: f32 = 1;
  adapted: bool = false;
  bulkDelayFrames: i32 = 0;
  /** Smoothed echo return loss enhancement of the linear stage while the far end is active, dB. */
  erleDb: f32 = 0;
  /**
   * Echo power decay per frame past the filter's main taps (the room's reverberation), read off the
   * background filter's partition energies; the residual echo suppressor's tail model uses it.
   */
  tailDecay: f32 = DEFAULT_TAIL_DECAY;
  /** Far end active in the last frame. */
  farActive: bool = false;
  resets: i32 = 0;
  /**
   * Near-end speech detected in the previous frame (set by the owner from the residual echo
   * suppressor's double-talk detector): unless the error is coherent with the echo estimate, the
   * delay just changed or the output is louder than the microphone (an echo-path change, which the
   * detector also flags), the leakage is then tracked slowly and the learning rate scaled down.
   */
  nearEnd: bool = false;
  /**
   * The error is echo whatever the near-end detector says: the filter has not converged yet, its
   * error is coherent with its echo estimate, or an echo-path change is suspected (new delay, output
   * louder than the microphone). The residual echo suppressor keeps learning its ERLE then.
   */
  echoDominated: bool = true;
  private fft: RealFft;
  private delayEstimator: DelayEstimator;
  private ring: SpectrumRing;
  private background: PartitionedFilter;
  private foreground: PartitionedFilter;
  private farBlock: StaticArray<f32>;
  private time: StaticArray<f32>;
  private yBackground: StaticArray<f32>;
  private yForeground: StaticArray<f32>;
  private errorBackground: StaticArray<f32>;
  private specRe: StaticArray<f32>;
  private specIm: StaticArray<f32>;
  private errRe: StaticArray<f32>;
  private errIm: StaticArray<f32>;
  private farPower: StaticArray<f32>;
  private errorPower: StaticArray<f32>;
  private echoPower: StaticArray<f32>;
  private errorPowerAverage: StaticArray<f32>;
  private echoPowerAverage: StaticArray<f32>;
  private fadeIn: StaticArray<f32>;
  /** Proportionate step weights per partition (Σ = 0.99) and the background's energy per partition. */
  private prop: StaticArray<f32>;
  private partitionEnergy: StaticArray<f32>;
  private seySmooth: f32 = 0;
  private seeSmooth: f32 = 0;
  private syySmooth: f32 = 0;
  /** Smoothed coherence of the background error with its echo estimate. */
  coherence: f32 = 0;
  private fastHold: i32 = 0;
  private micShort: f32 = 0;
  private outShort: f32 = 0;
  private worseFrames: i32 = 0;
  private pey: f32 = 0;
  private pyy: f32 = 1;
  private sumAdapt: f32 = 0;
  private davg1: f32 = 0; private davg2: f32 = 0; private dvar1: f32 = 0; private dvar2: f32 = 0;
  private constrainNext: i32 = 0;
  private micPowerSmooth: f32 = 0;
  private outPowerSmooth: f32 = 0;
  private divergedFrames: i32 = 0;

  constructor(sampleRate: i32) {
    const N = sampleRate / 100;
    const M = nextPowerOfTwo(2 * N);
    const K = (M >> 1) + 1, Kp = (K + 3) & ~3;
    const P = (FILTER_LENGTH_MS + 9) / 10;
    this.sampleRate = sampleRate;
    this.frameSize = N;
    this.fftSize = M;
    this.binsPadded = Kp;
    this.partitions = P;
    const maxDelayFrames = MAX_DELAY_MS / 10;
    this.maxDelayFrames = maxDelayFrames;
    this.input = new StaticArray<f32>(N);
    this.farEnd = new StaticArray<f32>(N);
    this.output = new StaticArray<f32>(N);
    this.echo = new StaticArray<f32>(N);
    this.fft = new RealFft(M);
    this.delayEstimator = new DelayEstimator(sampleRate, N);
    this.ring = new SpectrumRing(maxDelayFrames + P + 1, Kp);
    this.background = new PartitionedFilter(P, Kp);
    this.foreground = new PartitionedFilter(P, Kp);
    this.farBlock = new StaticArray<f32>(M);
    this.time = new StaticArray<f32>(M);
    this.yBackground = new StaticArray<f32>(N);
    this.yForeground = new StaticArray<f32>(N);
    this.errorBackground = new StaticArray<f32>(N);
    this.specRe = new StaticArray<f32>(Kp);
    this.specIm = new StaticArray<f32>(Kp);
    this.errRe = new StaticArray<f32>(Kp);
    this.errIm = new StaticArray<f32>(Kp);
    this.farPower = new StaticArray<f32>(Kp);
    this.errorPower = new StaticArray<f32>(Kp);
    this.echoPower = new StaticArray<f32>(Kp);
    this.errorPowerAverage = new StaticArray<f32>(Kp);
    this.echoPowerAverage = new StaticArray<f32>(Kp);
    const fade = new StaticArray<f32>(N);
    for (let i = 0; i < N; i++) unchecked(fade[i] = <f32>(0.5 - 0.5 * Math.cos(Math.PI * (<f64>i + 0.5) / <f64>N)));
    this.fadeIn = fade;
    this.prop = new StaticArray<f32>(P);
    this.partitionEnergy = new StaticArray<f32>(P);
    this.reset();
  }

  set useSimd(on: bool) {
    this.fft.useSimd = on;
    this.delayEstimator.useSimd = on;
    this.background.useSimd = on;
    this.foreground.useSimd = on;
  }

  /** Delay estimate in kernel samples, or -1 while unknown. */
  get estimatedDelaySamples(): i32 {
    return this.delayEstimator.delaySamples;
  }

  reset(): void {
    this.ring.reset();
    this.restart();
  }

  /**
   * Forgets what was learnt — filters, delay estimate, statistics — but keeps the far-end history:
   * the microphone still carries the echo of it for the length of the path. (Restarting with the
   * history zeroed too, in the middle of an echo, left the canceller 6 dB short of a fresh one 20 s
   * later: it first learnt the echo of far-end audio it could no longer see.)
   */
  restart(): void {
    this.delayEstimator.reset();
    this.resetFilters();
    memory.fill(ptr(this.farBlock), 0, <usize>this.fftSize << 2);
    this.bulkDelayFrames = 0;
    this.micPowerSmooth = 0;
    this.outPowerSmooth = 0;
    this.erleDb = 0;
    this.tailDecay = DEFAULT_TAIL_DECAY;
    this.resets = 0;
    this.nearEnd = false;
  }

  private resetFilters(): void {
    this.background.reset();
    this.foreground.reset();
    memory.fill(ptr(this.errorPowerAverage), 0, <usize>this.binsPadded << 2);
    memory.fill(ptr(this.echoPowerAverage), 0, <usize>this.binsPadded << 2);
    this.pey = 0; this.pyy = 1; this.leak = 1; this.sumAdapt = 0; this.adapted = false;
    this.davg1 = 0; this.davg2 = 0; this.dvar1 = 0; this.dvar2 = 0;
    this.divergedFrames = 0;
    this.seySmooth = 0; this.seeSmooth = 0; this.syySmooth = 0; this.coherence = 0;
    this.fastHold = 0; this.micShort = 0; this.outShort = 0; this.worseFrames = 0; this.echoDominated = true;
    for (let p = 0; p < this.partitions; p++) unchecked(this.prop[p] = <f32>0.99 / <f32>this.partitions);
  }

  process(): void {
    const N = this.frameSize, M = this.fftSize, Kp = this.binsPadded, simd = this.background.useSimd;
    const d = ptr(this.input), x = ptr(this.farEnd), out = ptr(this.output);
    const fft = this.fft, time = ptr(this.time);

    if (this.delayEstimator.update(d, x, N)) this.retarget();

    // Far-end spectrum of the last M samples (overlap-save), into the ring.
    const block = ptr(this.farBlock);
    memory.copy(block, block + (<usize>N << 2), <usize>(M - N) << 2);
    memory.copy(block + (<usize>(M - N) << 2), x, <usize>N << 2);
    const ring = this.ring;
    const slot = ring.advance();
    const slotOffset = <usize>(slot * Kp) << 2;
    fft.forward(block, ptr(ring.re) + slotOffset, ptr(ring.im) + slotOffset);

    const D = this.bulkDelayFrames;
    // Echo estimates of both filters.
    const sRe = ptr(this.specRe), sIm = ptr(this.specIm);
    const yb = ptr(this.yBackground), yf = ptr(this.yForeground), eb = ptr(this.errorBackground);
    this.background.filter(ring, D, sRe, sIm);
    fft.inverse(sRe, sIm, time);
    memory.copy(yb, time + (<usize>(M - N) << 2), <usize>N << 2);
    this.foreground.filter(ring, D, sRe, sIm);
    fft.inverse(sRe, sIm, time);
    memory.copy(yf, time + (<usize>(M - N) << 2), <usize>N << 2);

    let sxx: f32 = 0, see: f32 = 0, sff: f32 = 0, syy: f32 = 0, sey: f32 = 0, dbf: f32 = 0, sdd: f32 = 0;
    for (let i = 0; i < N; i++) {
      const o = <usize>i << 2;
      const di = load<f32>(d + o), xi = load<f32>(x + o), ybi = load<f32>(yb + o);
      const ebi = di - ybi, efi = di - load<f32>(yf + o);
      store<f32>(eb + o, ebi);
      store<f32>(out + o, efi);
      sxx += xi * xi; see += ebi * ebi; sff += efi * efi; syy += ybi * ybi; sey += ebi * ybi;
      dbf += (efi - ebi) * (efi - ebi); sdd += di * di;
    }
    const farActive = sxx > MIN_FAR_POWER * <f32>N;
    this.farActive = farActive;

    // Non-finite filter state (cannot happen with sanitized input; guards the contract anyway).
    if (!isFinite(see) || !isFinite(sff)) {
      this.resetFilters();
      this.resets++;
      memory.copy(out, d, <usize>N << 2);
      memory.fill(ptr(this.echo), 0, <usize>N << 2);
      return;
    }

    // Foreground/background decision (speexdsp mdf.c).
    const diff = sff - see;
    this.davg1 = <f32>0.6 * this.davg1 + <f32>0.4 * diff;
    this.davg2 = <f32>0.85 * this.davg2 + <f32>0.15 * diff;
    this.dvar1 = <f32>0.36 * this.dvar1 + <f32>0.16 * sff * dbf;
    this.dvar2 = <f32>0.7225 * this.dvar2 + <f32>0.0225 * sff * dbf;
    let resetBackground = false;
    if (diff * Mathf.abs(diff) > sff * dbf
      || this.davg1 * Mathf.abs(this.davg1) > VAR1_UPDATE * this.dvar1
      || this.davg2 * Mathf.abs(this.davg2) > VAR2_UPDATE * this.dvar2) {
      this.foreground.copyFrom(this.background);
      this.davg1 = 0; this.davg2 = 0; this.dvar1 = 0; this.dvar2 = 0;
      // Cross-fade from the old foreground's output to the new one within this frame.
      const fade = ptr(this.fadeIn);
      for (let i = 0; i < N; i++) {
        const o = <usize>i << 2;
        const w = load<f32>(fade + o);
        store<f32>(out + o, (1 - w) * load<f32>(out + o) + w * load<f32>(eb + o));
      }
    } else if (-diff * Mathf.abs(diff) > VAR_BACKTRACK * sff * dbf
      || -this.davg1 * Mathf.abs(this.davg1) > VAR_BACKTRACK * this.dvar1
      || -this.davg2 * Mathf.abs(this.davg2) > VAR_BACKTRACK * this.dvar2) {
      resetBackground = true;
      this.background.copyFrom(this.foreground);
      this.davg1 = 0; this.davg2 = 0; this.dvar1 = 0; this.dvar2 = 0;
    }

    // What was removed, and the statistics of the output.
    const echo = ptr(this.echo);
    let soo: f32 = 0;
    for (let i = 0; i < N; i++) {
      const o = <usize>i << 2;
      const e = load<f32>(out + o);
      soo += e * e;
      store<f32>(echo + o, load<f32>(d + o) - e);
    }
    if (farActive) {
      this.micPowerSmooth = <f32>0.98 * this.micPowerSmooth + <f32>0.02 * sdd;
      this.outPowerSmooth = <f32>0.98 * this.outPowerSmooth + <f32>0.02 * soo;
      this.erleDb = <f32>4.3429448 * Mathf.log((this.micPowerSmooth + 1e-12) / (this.outPowerSmooth + 1e-12));
    }
    if (soo > 4 * sdd + 1e-6 * <f32>N) {
      if (++this.divergedFrames >= DIVERGED_FRAMES) { this.resetFilters(); this.resets++; }
    } else {
      this.divergedFrames = 0;
    }

    // Output louder than the microphone over ~100 ms: the filter adds echo (path change), not double talk.
    this.micShort += SHORT_SMOOTHING * (sdd - this.micShort);
    this.outShort += SHORT_SMOOTHING * (sff - this.outShort);
    if (this.outShort > WORSE_RATIO * this.micShort && this.micShort > MIN_FAR_POWER * <f32>N) this.worseFrames = FAST_HOLD_FRAMES;
    else if (this.worseFrames > 0) this.worseFrames--;
    if (resetBackground || !farActive) return;
    this.adapt(eb, yb, sxx, see, syy, sey);
  }

  /** One learning step of the background filter from its error `eb` and echo estimate `yb`. */
  private adapt(eb: usize, yb: usize, sxx: f32, see: f32, syy: f32, sey: f32): void {
    const N = this.frameSize, M = this.fftSize, Kp = this.binsPadded, simd = this.background.useSimd;
    const fft = this.fft, time = ptr(this.time);
    const eRe = ptr(this.errRe), eIm = ptr(this.errIm), sRe = ptr(this.specRe), sIm = ptr(this.specIm);
    // Error and echo-estimate spectra of the frame (zero-padded at the front, as overlap-save needs).
    memory.fill(time, 0, <usize>(M - N) << 2);
    memory.copy(time + (<usize>(M - N) << 2), eb, <usize>N << 2);
    fft.forward(time, eRe, eIm);
    memory.copy(time + (<usize>(M - N) << 2), yb, <usize>N << 2);
    fft.forward(time, sRe, sIm);
    const rf = ptr(this.errorPower), yf = ptr(this.echoPower);
    const eh = ptr(this.errorPowerAverage), yh = ptr(this.echoPowerAverage);
    let peyNow: f32 = 0, pyyNow: f32 = 0;
    for (let k = 0; k < Kp; k++) {
      const o = <usize>k << 2;
      const er = load<f32>(eRe + o), ei = load<f32>(eIm + o), yr = load<f32>(sRe + o), yi = load<f32>(sIm + o);
      const e2 = er * er + ei * ei, y2 = yr * yr + yi * yi;
      store<f32>(rf + o, e2);
      store<f32>(yf + o, y2);
      const ehk = load<f32>(eh + o), yhk = load<f32>(yh + o);
      const de = e2 - ehk, dy = y2 - yhk;
      peyNow += de * dy;
      pyyNow += dy * dy;
      store<f32>(eh + o, ehk + SPECTRUM_AVERAGE * de);
      store<f32>(yh + o, yhk + SPECTRUM_AVERAGE * dy);
    }
    // Leakage by recursive regression, slower when the error is large against the echo, and slower
    // still in double talk that is not an echo-path change.
    this.seySmooth += COHERENCE_SMOOTHING * (sey - this.seySmooth);
    this.seeSmooth += COHERENCE_SMOOTHING * (see - this.seeSmooth);
    this.syySmooth += COHERENCE_SMOOTHING * (syy - this.syySmooth);
    this.coherence = this.seySmooth * this.seySmooth / (this.seeSmooth * this.syySmooth + 1e-20);
    if (this.fastHold > 0) this.fastHold--;
    this.echoDominated = !this.adapted || this.coherence > COHERENT || this.fastHold > 0 || this.worseFrames > 0;
    const fast = !this.nearEnd || this.echoDominated;
    const beta = fast
      ? min<f32>(LEAK_BETA_MAX_FAST, LEAK_BETA0_FAST * syy / (see + 1e-12))
      : min<f32>(LEAK_BETA_MAX, LEAK_BETA0 * syy / (see + 1e-12));
    this.pey = (1 - beta) * this.pey + beta * peyNow;
    this.pyy = (1 - beta) * this.pyy + beta * pyyNow;
    if (this.pyy < 1e-20) this.pyy = 1e-20;
    if (this.pey < MIN_LEAK * this.pyy) this.pey = MIN_LEAK * this.pyy;
    if (this.pey > this.pyy) this.pey = this.pyy;
    const leak = this.pey / this.pyy;
    this.leak = leak;
    // Residual-to-error ratio (bounded below by the error/echo-estimate correlation).
    let rer = (<f32>0.0001 * sxx + 3 * leak * syy) / (see + 1e-12);
    const corr = sey * sey / (1e-20 + see * syy);
    if (rer < corr) rer = corr;
    if (rer > 0.5) rer = 0.5;

    // Proportionate weights (speexdsp mdf_adjust_prop): partitions holding more of the echo path
    // learn faster; the far-end power is weighted the same way (PNLMS normalisation xᵀGx).
    const P = this.partitions, prop = this.prop, energy = this.partitionEnergy;
    this.background.partitionEnergies(energy);
    let maxAmp: f32 = 1e-9;
    for (let p = 0; p < P; p++) {
      const a = Mathf.sqrt(unchecked(energy[p]));
      unchecked(prop[p] = a);
      if (a > maxAmp) maxAmp = a;
    }
    if (this.adapted) this.measureTailDecay(energy, maxAmp);
    let propSum: f32 = 0;
    for (let p = 0; p < P; p++) { const v = unchecked(prop[p]) + PROP_FLOOR * maxAmp; unchecked(prop[p] = v); propSum += v; }
    for (let p = 0; p < P; p++) unchecked(prop[p] = <f32>0.99 * unchecked(prop[p]) / propSum);
    const S = ptr(this.farPower), ring = this.ring, D = this.bulkDelayFrames;
    memory.fill(S, 0, <usize>Kp << 2);
    for (let p = 0; p < P; p++) {
      const o = ring.offsetOf(D + p);
      powerAccumulate(S, ptr(ring.re) + o, ptr(ring.im) + o, unchecked(prop[p]), Kp, simd);
    }
    let meanS: f32 = 0;
    for (let k = 0; k < Kp; k++) meanS += load<f32>(S + (<usize>k << 2));
    meanS /= <f32>Kp;
    const regularize = REGULARIZATION * meanS + <f32>M * 1e-10;
    // Each block spectrum sums M samples while a frame's error has N: scale the step by M/N so μ
    // means what it means for time-domain block NLMS.
    const blockScale = <f32>M / <f32>N;
    if (!this.adapted) {
      const rate = min<f32>(INITIAL_STEP, INITIAL_STEP * sxx / (see + 1e-12));
      this.sumAdapt += rate;
      if (this.sumAdapt > <f32>ADAPTED_AFTER && leak > 0.03) this.adapted = true;
      for (let k = 0; k < Kp; k++) {
        const o = <usize>k << 2;
        const g = blockScale * rate / (load<f32>(S + o) + regularize);
        store<f32>(eRe + o, load<f32>(eRe + o) * g);
        store<f32>(eIm + o, load<f32>(eIm + o) * g);
      }
    } else {
      const stepScale: f32 = fast ? 1 : NEAR_END_STEP;
      for (let k = 0; k < Kp; k++) {
        const o = <usize>k << 2;
        const e2 = load<f32>(rf + o) + 1e-12;
        let r = leak * load<f32>(yf + o);
        if (r > <f32>0.5 * e2) r = <f32>0.5 * e2;
        r = <f32>0.7 * r + <f32>0.3 * rer * e2;
        const step = min<f32>(MAX_STEP, r / e2) * stepScale;
        const g = blockScale * step / (load<f32>(S + o) + regularize);
        store<f32>(eRe + o, load<f32>(eRe + o) * g);
        store<f32>(eIm + o, load<f32>(eIm + o) * g);
      }
    }
    this.background.adapt(ring, D, eRe, eIm, prop);
    for (let c = 0; c < CONSTRAIN_PER_FRAME; c++) {
      this.background.constrain(this.constrainNext, N, fft, time);
      this.constrainNext = this.constrainNext + 1 == this.partitions ? 0 : this.constrainNext + 1;
    }
  }

  /**
   * Tail decay per frame from partition energies: the early decay right after the strongest
   * partition (mean ratio of TAIL_SPAN partitions to the TAIL_SPAN before them), smoothed. A sparse
   * path drops to the misadjustment floor at once and reads as a fast decay, a room as its own.
   */
  private measureTailDecay(energy: StaticArray<f32>, maxAmp: f32): void {
    const P = this.partitions;
    let peak = 0;
    const peakEnergy = maxAmp * maxAmp;
    for (let p = 0; p < P; p++) if (unchecked(energy[p]) >= peakEnergy) { peak = p; break; }
    const from = peak + 1;
    if (from + 2 * TAIL_SPAN > P) return;
    let early: f32 = 1e-30, late: f32 = 1e-30;
    for (let p = 0; p < TAIL_SPAN; p++) { early += unchecked(energy[from + p]); late += unchecked(energy[from + TAIL_SPAN + p]); }
    let decay = Mathf.pow(late / early, <f32>1 / <f32>TAIL_SPAN);
    if (!(decay >= MIN_TAIL_DECAY)) decay = MIN_TAIL_DECAY;
    if (decay > MAX_TAIL_DECAY) decay = MAX_TAIL_DECAY;
    this.tailDecay += TAIL_DECAY_SMOOTHING * (decay - this.tailDecay);
  }

  /** Moves the bulk delay so the filter starts DELAY_MARGIN_FRAMES before the estimated direct path. */
  private retarget(): void {
    const estimate = this.delayEstimator.delaySamples;
    if (estimate < 0) return;
    // A new delay means a new echo path: track the leakage fast for a while even if the residual
    // echo suppressor takes the louder output for near-end speech.
    this.fastHold = FAST_HOLD_FRAMES;
    let target = estimate / this.frameSize - DELAY_MARGIN_FRAMES;
    if (target < 0) target = 0;
    if (target > this.maxDelayFrames) target = this.maxDelayFrames;
    const current = this.bulkDelayFrames;
    // Inside the span already covered well (margin kept, most of the tail inside): leave it to the filter.
    if (target >= current && target <= current + 3) return;
    this.background.shift(target - current);
    this.foreground.shift(target - current);
    this.bulkDelayFrames = target;
  }
}

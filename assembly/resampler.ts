// Polyphase windowed-sinc sample-rate converter for any rational ratio in/out (Kaiser window,
// after Crochiere & Rabiner; the same structure as speexdsp's resampler). Each output is one dot
// product of TAPS input samples with the filter phase closest to its fractional position.
// Quality: passband 0..0.80·min(in,out)/2 flat within 0.1 dB, stopband ≥ 80 dB from min(in,out)/2 on.
import { gcd, ptr, SIMD_BUILD } from './common';

/** Filter taps per phase at the narrower of the two rates (doubled, etc., when decimating). */
const BASE_TAPS: i32 = 64;
/** Above this many exact phases, positions are quantised to this many phases and interpolated. */
const MAX_EXACT_PHASES: i32 = 1024;
const KAISER_BETA: f64 = 8.0;
/** Cut-off as a fraction of the narrower Nyquist: leaves the transition band below Nyquist. */
const CUTOFF_FRACTION: f64 = 0.905;

export class Resampler {
  readonly inRate: i32;
  readonly outRate: i32;
  readonly taps: i32;
  /** Output samples advance by step/phases input samples. */
  readonly phases: i32;
  readonly step: i32;
  readonly interpolated: bool;
  useSimd: bool = SIMD_BUILD;
  private coefficients: StaticArray<f32>;
  private history: StaticArray<f32>;
  private historyLength: i32 = 0;
  private position: i32 = 0;
  private phase: i32 = 0;
  private tablePhases: i32;
  // Exact phase count when interpolating (L of the reduced ratio L/M).
  private exactPhases: i32;

  constructor(inRate: i32, outRate: i32, maxInput: i32) {
    const g = gcd(inRate, outRate);
    const upFactor = outRate / g;
    const downFactor = inRate / g;
    const interpolated = upFactor > MAX_EXACT_PHASES;
    const tablePhases = interpolated ? MAX_EXACT_PHASES : upFactor;
    // Decimation widens the filter in input samples so the cut-off lands at the output Nyquist.
    let taps = BASE_TAPS;
    if (downFactor > upFactor) taps = <i32>Math.ceil(<f64>BASE_TAPS * <f64>downFactor / <f64>upFactor / 4.0) * 4;
    const tableRows = tablePhases + 1;
    const coefficients = new StaticArray<f32>(tableRows * taps);
    const cutoff = 0.5 * CUTOFF_FRACTION * Math.min(1.0, <f64>upFactor / <f64>downFactor);
    const halfSpan = <f64>(taps >> 1);
    const windowNorm = besselI0(KAISER_BETA);
    for (let row = 0; row < tableRows; row++) {
      const fraction = <f64>row / <f64>tablePhases;
      let sum = 0.0;
      for (let j = 0; j < taps; j++) {
        const t = <f64>j - (halfSpan - 1.0) - fraction;
        const x = 2.0 * cutoff * t;
        const sinc = x == 0 ? 1.0 : Math.sin(Math.PI * x) / (Math.PI * x);
        const r = t / halfSpan;
        const window = Math.abs(r) >= 1.0 ? 0.0 : besselI0(KAISER_BETA * Math.sqrt(1.0 - r * r)) / windowNorm;
        const c = 2.0 * cutoff * sinc * window;
        unchecked(coefficients[row * taps + j] = <f32>c);
        sum += c;
      }
      // Unity gain at DC for every phase, so no phase-dependent ripple at low frequencies.
      for (let j = 0; j < taps; j++) {
        unchecked(coefficients[row * taps + j] = <f32>(<f64>unchecked(coefficients[row * taps + j]) / sum));
      }
    }
    this.inRate = inRate;
    this.outRate = outRate;
    this.exactPhases = upFactor;
    this.step = downFactor;
    this.interpolated = interpolated;
    this.phases = upFactor;
    this.tablePhases = tablePhases;
    this.taps = taps;
    this.coefficients = coefficients;
    this.history = new StaticArray<f32>(taps + maxInput + 8);
    this.reset();
  }

  /** Index-aligned: output k corresponds to input time k·in/out. */
  reset(): void {
    const lead = (this.taps >> 1) - 1;
    for (let i = 0; i < this.history.length; i++) unchecked(this.history[i] = 0);
    this.historyLength = lead;
    this.position = 0;
    this.phase = 0;
  }

  /** Input samples buffered but not yet consumed by an output (the filter's look-ahead). */
  get pendingInput(): i32 {
    return this.historyLength - this.position;
  }

  /** Upper bound of outputs produced by `count` more input samples. */
  maxOutputFor(count: i32): i32 {
    return <i32>(<i64>(this.historyLength + count) * <i64>this.exactPhases / <i64>this.step) + 2;
  }

  /** Appends `count` samples from `input`. The caller keeps count ≤ the maxInput given at creation. */
  push(input: usize, count: i32): void {
    this.compact();
    memory.copy(ptr(this.history) + (<usize>this.historyLength << 2), input, <usize>count << 2);
    this.historyLength += count;
  }

  /** Number of outputs that can be produced from what has been pushed. */
  available(): i32 {
    let n = 0;
    let pos = this.position, ph = this.phase;
    const taps = this.taps, step = this.step, phases = this.exactPhases;
    while (pos + taps <= this.historyLength) {
      n++;
      ph += step;
      while (ph >= phases) { ph -= phases; pos++; }
    }
    return n;
  }

  /** Input samples that must still be pushed before `count` more outputs can be produced. */
  inputNeededFor(count: i32): i32 {
    if (count <= 0) return 0;
    // Position of the last output's window start, relative to the current position.
    const advance = <i64>this.phase + <i64>(count - 1) * <i64>this.step;
    const lastPos = this.position + <i32>(advance / <i64>this.exactPhases);
    const need = lastPos + this.taps - this.historyLength;
    return need > 0 ? need : 0;
  }

  /** Writes up to `maxCount` outputs to `output`; returns how many were written. */
  produce(output: usize, maxCount: i32): i32 {
    const taps = this.taps, step = this.step, phases = this.exactPhases;
    const hist = ptr(this.history), coef = ptr(this.coefficients);
    let n = 0;
    while (n < maxCount && this.position + taps <= this.historyLength) {
      const x = hist + (<usize>this.position << 2);
      let y: f32;
      if (this.interpolated) {
        const exact = <f64>this.phase * <f64>this.tablePhases / <f64>phases;
        const row = <i32>exact;
        const w = <f32>(exact - <f64>row);
        const c0 = coef + (<usize>(row * taps) << 2);
        const simd = SIMD_BUILD && this.useSimd;
        const a = simd ? dotSimd(x, c0, taps) : dotScalar(x, c0, taps);
        const b = simd ? dotSimd(x, c0 + (<usize>taps << 2), taps) : dotScalar(x, c0 + (<usize>taps << 2), taps);
        y = a + (b - a) * w;
      } else {
        const c = coef + (<usize>(this.phase * taps) << 2);
        y = SIMD_BUILD && this.useSimd ? dotSimd(x, c, taps) : dotScalar(x, c, taps);
      }
      store<f32>(output + (<usize>n << 2), y);
      n++;
      this.phase += step;
      while (this.phase >= phases) { this.phase -= phases; this.position++; }
    }
    return n;
  }

  private compact(): void {
    const pos = this.position;
    if (pos == 0) return;
    const keep = this.historyLength - pos;
    const h = ptr(this.history);
    memory.copy(h, h + (<usize>pos << 2), <usize>keep << 2);
    this.historyLength = keep;
    this.position = 0;
  }
}

function dotScalar(x: usize, c: usize, n: i32): f32 {
  let a0: f32 = 0, a1: f32 = 0, a2: f32 = 0, a3: f32 = 0;
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    a0 += load<f32>(x + o) * load<f32>(c + o);
    a1 += load<f32>(x + o + 4) * load<f32>(c + o + 4);
    a2 += load<f32>(x + o + 8) * load<f32>(c + o + 8);
    a3 += load<f32>(x + o + 12) * load<f32>(c + o + 12);
  }
  return (a0 + a2) + (a1 + a3);
}

function dotSimd(x: usize, c: usize, n: i32): f32 {
  if (!SIMD_BUILD) return dotScalar(x, c, n);
  return dotSimdBody(x, c, n);
}

function dotSimdBody(x: usize, c: usize, n: i32): f32 {
  let acc = f32x4.splat(0);
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    acc = f32x4.add(acc, f32x4.mul(v128.load(x + o), v128.load(c + o)));
  }
  // Same pairing as the scalar twin: (lane0 + lane2) + (lane1 + lane3).
  return (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 2)) + (f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 3));
}

function besselI0(x: f64): f64 {
  let sum = 1.0, term = 1.0;
  const q = x * x / 4.0;
  for (let k = 1; k < 50; k++) {
    term *= q / (<f64>k * <f64>k);
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}

// Target playout delay from measured arrival jitter, after WebRTC NetEq's DelayManager: each
// packet's relative delay is its transit time (arrival − media time) above the fastest transit in
// a sliding window (the window makes the baseline follow clock drift); a histogram of relative
// delays with exponential forgetting gives a high quantile, and a peak tracker that jumps up at
// once and decays slowly holds the target through recurring bursts. Target = max(quantile, peak)
// plus one tick of scheduling slack, clamped to [minDelayMs, maxDelayMs].

export const HISTOGRAM_BUCKET_MS: f64 = 2;
export const HISTOGRAM_BUCKETS: i32 = 1000;  // 0 … 2 s
/** Minimum transits are kept per block of this many ms over BASE_BLOCKS blocks (a 10 s window). */
const BASE_BLOCK_MS: f64 = 2000;
const BASE_BLOCKS: i32 = 5;

export class DelayManager {
  /** Quantile of the relative delay the target covers (0.5–0.999). */
  quantile: f64 = 0.985;
  /** Per-packet forgetting factor of the histogram (0.998: about 10 s of 20 ms packets). */
  forgetFactor: f64 = 0.998;
  /** How fast the peak tracker decays, ms of delay per second. */
  peakDecayMsPerSecond: f64 = 10;
  /** Only relative delays at least this far above the quantile count as peaks. */
  peakThresholdMs: f64 = 0;
  minDelayMs: f64 = 0;
  maxDelayMs: f64 = 1000;
  /** Added to the jitter quantile: the playout tick (10 ms) plus safety. */
  slackMs: f64 = 10;

  targetDelayMs: f64 = 0;
  quantileDelayMs: f64 = 0;
  peakDelayMs: f64 = 0;
  lastRelativeDelayMs: f64 = 0;
  /** Fastest transit (arrival − media time) in the window: the delay every relative delay is above. */
  baseTransitMs: f64 = 0;
  packets: i32 = 0;

  private readonly histogram: StaticArray<f64> = new StaticArray<f64>(HISTOGRAM_BUCKETS);
  private readonly blockMinima: StaticArray<f64> = new StaticArray<f64>(BASE_BLOCKS);
  private blockStartMs: f64 = 0;
  private blockIndex: i32 = 0;
  private lastArrivalMs: f64 = 0;

  reset(): void {
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) unchecked(this.histogram[i] = 0);
    for (let i = 0; i < BASE_BLOCKS; i++) unchecked(this.blockMinima[i] = Infinity);
    this.packets = 0;
    this.peakDelayMs = 0;
    this.quantileDelayMs = 0;
    this.targetDelayMs = this.clampTarget(this.slackMs);
  }

  constructor() { this.reset(); }

  /** Registers a packet's arrival; `mediaMs` is its timestamp in ms on the sender's clock. */
  update(arrivalMs: f64, mediaMs: f64): void {
    const transit = arrivalMs - mediaMs;
    if (this.packets == 0) {
      this.blockStartMs = arrivalMs;
      this.blockIndex = 0;
      this.lastArrivalMs = arrivalMs;
    }
    while (arrivalMs - this.blockStartMs >= BASE_BLOCK_MS) {
      this.blockIndex = (this.blockIndex + 1) % BASE_BLOCKS;
      unchecked(this.blockMinima[this.blockIndex] = Infinity);
      this.blockStartMs += BASE_BLOCK_MS;
      if (arrivalMs - this.blockStartMs > BASE_BLOCK_MS * <f64>BASE_BLOCKS) this.blockStartMs = arrivalMs;  // long silence
    }
    if (transit < unchecked(this.blockMinima[this.blockIndex])) unchecked(this.blockMinima[this.blockIndex] = transit);
    let base = Infinity;
    for (let i = 0; i < BASE_BLOCKS; i++) base = Math.min(base, unchecked(this.blockMinima[i]));
    this.baseTransitMs = base;
    const relative = transit - base;
    this.lastRelativeDelayMs = relative;

    // Histogram with exponential forgetting; the first packets are averaged exactly (NetEq's start weight).
    this.packets++;
    const startWeight = 1.0 - 1.0 / <f64>this.packets;
    const forget = startWeight < this.forgetFactor ? startWeight : this.forgetFactor;
    let bucket = <i32>(relative / HISTOGRAM_BUCKET_MS);
    if (bucket >= HISTOGRAM_BUCKETS) bucket = HISTOGRAM_BUCKETS - 1;
    if (bucket < 0) bucket = 0;
    let cumulative: f64 = 0;
    let quantileBucket = HISTOGRAM_BUCKETS - 1;
    let found = false;
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
      let v = unchecked(this.histogram[i]) * forget;
      if (i == bucket) v += 1 - forget;
      unchecked(this.histogram[i] = v);
      cumulative += v;
      if (!found && cumulative >= this.quantile) { quantileBucket = i; found = true; }
    }
    this.quantileDelayMs = <f64>(quantileBucket + 1) * HISTOGRAM_BUCKET_MS;

    // Peak: up at once, down slowly.
    const elapsedSeconds = Math.max(0, arrivalMs - this.lastArrivalMs) / 1000;
    this.lastArrivalMs = arrivalMs;
    this.peakDelayMs = Math.max(0, this.peakDelayMs - this.peakDecayMsPerSecond * elapsedSeconds);
    if (relative > this.quantileDelayMs + this.peakThresholdMs && relative > this.peakDelayMs) this.peakDelayMs = relative;
    this.targetDelayMs = this.clampTarget(Math.max(this.quantileDelayMs, this.peakDelayMs) + this.slackMs);
  }

  private clampTarget(ms: f64): f64 {
    return Math.min(this.maxDelayMs, Math.max(this.minDelayMs, ms));
  }
}

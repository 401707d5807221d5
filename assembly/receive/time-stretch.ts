// Time-scale modification without pitch change by WSOLA (Verhelst & Roelands 1993), used the way
// WebRTC NetEq's accelerate/preemptive-expand use it: find the pitch period P at which the signal
// best resembles itself, then remove one period (accelerate) or insert one (decelerate) with a
// P-long cross-fade between the two matching segments. Operates in place on a buffer of samples.
import { LagSearch } from './correlation';
import { CORRELATION_WINDOW_MS, MAX_PITCH_MS, MIN_PITCH_MS, msToSamples } from './receive-common';

/** A period is removed/inserted only where the segments match at least this well (or the signal is quiet). */
export const TSM_MIN_CORRELATION: f32 = 0.7;

export class TimeStretcher {
  readonly minLag: i32;
  readonly maxLag: i32;
  readonly windowSamples: i32;
  /** Samples a buffer must hold before accelerate()/decelerate() can act. */
  readonly requiredSamples: i32;
  /** RMS below which any period may be cut or repeated (silence stretches inaudibly). */
  quietRms: f32 = 0;
  lastCorrelation: f32 = 0;
  readonly search: LagSearch = new LagSearch();

  constructor(sampleRate: i32) {
    this.minLag = msToSamples(MIN_PITCH_MS, sampleRate);
    this.maxLag = msToSamples(MAX_PITCH_MS, sampleRate);
    this.windowSamples = msToSamples(CORRELATION_WINDOW_MS, sampleRate);
    this.requiredSamples = 2 * this.maxLag > this.maxLag + this.windowSamples ? 2 * this.maxLag : this.maxLag + this.windowSamples;
  }

  /** Finds P for the window at maxLag against the window P earlier; returns P, or 0 when no period matches well. */
  private findPeriod(buffer: usize, available: i32): i32 {
    if (available < this.requiredSamples) return 0;
    const a = buffer + (<usize>this.maxLag << 2);
    this.search.search(a, this.windowSamples, this.minLag, this.maxLag);
    this.lastCorrelation = this.search.correlation;
    if (this.search.correlation >= TSM_MIN_CORRELATION) return this.search.lag;
    let energy: f32 = 0;
    for (let i = 0; i < this.windowSamples; i++) { const x = load<f32>(a + (<usize>i << 2)); energy += x * x; }
    return Mathf.sqrt(energy / <f32>this.windowSamples) <= this.quietRms ? this.search.lag : 0;
  }

  /** Removes one period from `available` samples at `buffer`; returns the samples removed (0: none). */
  accelerate(buffer: usize, available: i32): i32 {
    const p = this.findPeriod(buffer, available);
    if (p == 0) return 0;
    const i = this.maxLag - p, j = this.maxLag;
    for (let n = 0; n < p; n++) {
      const w = (<f32>n + 0.5) / <f32>p;
      const oi = buffer + (<usize>(i + n) << 2), oj = buffer + (<usize>(j + n) << 2);
      store<f32>(oi, load<f32>(oi) * (1 - w) + load<f32>(oj) * w);
    }
    memory.copy(buffer + (<usize>(i + p) << 2), buffer + (<usize>(j + p) << 2), <usize>(available - j - p) << 2);
    return p;
  }

  /** Inserts one period into `available` samples at `buffer` (capacity ≥ available + maxLag); returns the samples added. */
  decelerate(buffer: usize, available: i32, capacity: i32): i32 {
    const p = this.findPeriod(buffer, available);
    if (p == 0 || available + p > capacity) return 0;
    const i = this.maxLag - p, j = this.maxLag;
    memory.copy(buffer + (<usize>(j + p) << 2), buffer + (<usize>j << 2), <usize>(available - j) << 2);
    // Now buffer[j + p + n] holds the old buffer[j + n]; fade from it into buffer[i + n] over [j, j + p).
    for (let n = 0; n < p; n++) {
      const w = (<f32>n + 0.5) / <f32>p;
      const oj = buffer + (<usize>(j + n) << 2);
      const old = load<f32>(buffer + (<usize>(j + p + n) << 2));
      store<f32>(oj, old * (1 - w) + load<f32>(buffer + (<usize>(i + n) << 2)) * w);
    }
    return p;
  }
}

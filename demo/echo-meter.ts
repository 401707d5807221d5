// Measures, from what is actually heard, how much echo B removes: the mean power of A and of B
// while only the far end talks (the echo scenes know their turn-taking timeline). Readings are taken
// a few times a second from the A/B analysers; a margin around each turn's edges keeps the near
// end's speech and the end-to-end lag out of the average.

/** Readings kept (the last ≈ 10 s of far-end-alone time at 4 readings/s). */
const MAX_READINGS = 40;
/** Readings needed before a figure is shown. */
const MIN_READINGS = 4;

function meanPower(analyser: AnalyserNode, scratch: Float32Array<ArrayBuffer>): number {
  analyser.getFloatTimeDomainData(scratch);
  let sum = 0;
  for (let i = 0; i < scratch.length; i++) sum += scratch[i] * scratch[i];
  return sum / scratch.length;
}

export class EchoMeter {
  private readonly readingsA: number[] = [];
  private readonly readingsB: number[] = [];
  private scratch: Float32Array<ArrayBuffer> = new Float32Array(0);

  constructor(private readonly analyserA: AnalyserNode, private readonly analyserB: AnalyserNode) {}

  reset(): void {
    this.readingsA.length = 0;
    this.readingsB.length = 0;
  }

  /** Takes one reading of both sides (call only while the far end alone is talking). */
  sample(): void {
    if (this.scratch.length !== this.analyserA.fftSize) this.scratch = new Float32Array(this.analyserA.fftSize);
    this.readingsA.push(meanPower(this.analyserA, this.scratch));
    this.readingsB.push(meanPower(this.analyserB, this.scratch));
    if (this.readingsA.length > MAX_READINGS) { this.readingsA.shift(); this.readingsB.shift(); }
  }

  get readings(): number {
    return this.readingsA.length;
  }

  /** Level of A and B while the far end talks alone, dBFS, and A − B in dB (null until enough readings). */
  get levels(): { aDbfs: number; bDbfs: number; reductionDb: number } | null {
    if (this.readingsA.length < MIN_READINGS) return null;
    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
    const aDbfs = 10 * Math.log10(mean(this.readingsA) + 1e-12);
    const bDbfs = 10 * Math.log10(mean(this.readingsB) + 1e-12);
    return { aDbfs, bDbfs, reductionDb: aDbfs - bDbfs };
  }
}

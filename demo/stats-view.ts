// Renders the processor's stats (AudioTrackProcessor.stats()) into the stats cards.
import type { AudioTrackProcessorStats } from '../dist/src/index.js';

/** Length of one kernel frame: the real-time budget per frame. */
const FRAME_US = 10_000;
/**
 * Readings averaged for the CPU figure (≈ 10 s at 4 reports/s). Where the worklet only has a
 * millisecond clock each reading is coarse (0, 40, 80 µs…) but unbiased, so the mean converges.
 */
const CPU_READINGS_AVERAGED = 40;

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`missing #${id}`);
  return element as T;
}

function format(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

export class StatsView {
  private readonly cpu = byId('stat-cpu');
  private readonly load = byId('stat-load');
  private readonly latency = byId('stat-latency');
  private readonly noise = byId('stat-noise');
  private readonly speech = byId('stat-speech');
  private readonly meter = byId('speech-meter');
  private readonly fill = byId('speech-fill');
  private readonly cpuNote = byId('stat-cpu-note');
  private readonly erle = byId('stat-erle');
  private readonly echoNote = byId('stat-echo-note');
  private readonly cpuReadings: number[] = [];

  /** Forgets the CPU readings (after a preset change: the cost may differ). */
  resetCpu(): void {
    this.cpuReadings.length = 0;
  }

  /** The mean of the recent live CPU readings, or null before the first one. */
  get liveCpuUsPerFrame(): number | null {
    return this.cpuReadings.length === 0 ? null : this.cpuReadings.reduce((sum, value) => sum + value, 0) / this.cpuReadings.length;
  }

  /**
   * `offlineCpuUs`: the processor's cost benchmarked offline on this device (precise). The live
   * reading from the audio thread can be far off where the worklet has only a millisecond clock
   * (Chromium), so it is shown beside the benchmark, and used alone only until the benchmark is in.
   */
  /** `heardReductionDb`: A − B measured while the far end talks alone (echo scenes), or null. */
  show(stats: AudioTrackProcessorStats, offlineCpuUs: number | null, heardReductionDb: number | null = null): void {
    if (stats.cpuUsPerFrame !== null && Number.isFinite(stats.cpuUsPerFrame)) {
      this.cpuReadings.push(stats.cpuUsPerFrame);
      if (this.cpuReadings.length > CPU_READINGS_AVERAGED) this.cpuReadings.shift();
    }
    const live = this.liveCpuUsPerFrame;
    const cpuUs = offlineCpuUs ?? live;
    this.cpuNote.hidden = cpuUs === null;
    this.cpuNote.textContent = offlineCpuUs !== null
      ? `benchmarked on this device${live !== null ? ` · live ≈ ${format(live, 0)} µs` : ''}`
      : 'live reading from the audio thread';
    this.cpu.textContent = format(cpuUs, cpuUs !== null && cpuUs < 100 ? 1 : 0);
    this.load.textContent = format(cpuUs === null ? null : (100 * cpuUs) / FRAME_US, 2);
    this.latency.textContent = format(stats.latencyMs, 1);
    this.noise.textContent = format(stats.noiseLevelDbfs, 0);
    const echoOn = stats.options.echoCancellation !== 'off' && stats.options.echoCancellation !== false;
    // What a listener hears removed (A − B while the far end talks alone) once measured, else the canceller's own ERLE.
    this.erle.textContent = !echoOn ? '—' : format(heardReductionDb ?? stats.echoReturnLossEnhancementDb, 0);
    this.echoNote.textContent = !echoOn ? 'echo scenes only'
      : `${heardReductionDb !== null ? 'heard, A − B' : 'canceller estimate'}${stats.echoDelayMs !== null ? ` · echo delay ${format(stats.echoDelayMs, 0)} ms` : ''}`;
    const speechPercent = Math.round(100 * Math.min(1, Math.max(0, stats.speechProbability)));
    this.speech.textContent = String(speechPercent);
    this.meter.setAttribute('aria-valuenow', String(speechPercent));
    this.meter.dataset.level = speechPercent >= 50 ? 'speech' : 'noise';
    // CSSOM (allowed under style-src 'self'), not a style attribute.
    this.fill.style.transform = `scaleX(${speechPercent / 100})`;
  }
}

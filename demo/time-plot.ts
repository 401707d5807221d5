// A scrolling time-series plot on a canvas: lines (e.g. the jitter buffer's current and target
// delay) and bars (e.g. concealed audio per interval) over the last `windowSeconds`, on a shared
// millisecond axis that grows to fit, with vertical markers where the conditions changed.

export interface PlotSeries {
  label: string;
  colour: string;
  kind: 'line' | 'bar';
}

interface Point {
  t: number;
  values: number[];
}

const AXIS_STEPS_MS = [10, 20, 50, 100, 200, 500, 1000];

export class TimePlot {
  private readonly context: CanvasRenderingContext2D;
  private readonly points: Point[] = [];
  private readonly markers: { t: number; label: string }[] = [];

  constructor(private readonly canvas: HTMLCanvasElement, private readonly series: readonly PlotSeries[], private readonly windowSeconds = 30) {
    const context = canvas.getContext('2d');
    if (context === null) throw new Error('no 2D canvas context');
    this.context = context;
  }

  get length(): number {
    return this.points.length;
  }

  /** Adds one sample at time `t` (s, any monotonic clock); values in series order. */
  push(t: number, values: number[]): void {
    this.points.push({ t, values });
    while (this.points.length > 0 && this.points[0].t < t - this.windowSeconds) this.points.shift();
    while (this.markers.length > 0 && this.markers[0].t < t - this.windowSeconds) this.markers.shift();
  }

  mark(t: number, label: string): void {
    this.markers.push({ t, label });
  }

  draw(): void {
    const ratio = Math.min(2, globalThis.devicePixelRatio || 1);
    const width = Math.max(1, Math.round(this.canvas.clientWidth * ratio));
    const height = Math.max(1, Math.round(this.canvas.clientHeight * ratio));
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    const g = this.context;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    const w = width / ratio, h = height / ratio;
    const left = 44, right = 8, top = 10, bottom = 20;
    const plotW = w - left - right, plotH = h - top - bottom;
    g.clearRect(0, 0, w, h);
    const now = this.points.length > 0 ? this.points[this.points.length - 1].t : 0;
    const x = (t: number) => left + plotW * (1 - (now - t) / this.windowSeconds);
    let maxMs = 50;
    for (const p of this.points) for (const v of p.values) if (Number.isFinite(v)) maxMs = Math.max(maxMs, v);
    const step = AXIS_STEPS_MS.find((s) => maxMs / s <= 5) ?? 1000;
    const topMs = Math.ceil((maxMs * 1.1) / step) * step;
    const y = (ms: number) => top + plotH * (1 - Math.min(1, Math.max(0, ms / topMs)));

    g.font = '11px ui-monospace, monospace';
    g.fillStyle = 'rgb(154 162 199)';
    g.strokeStyle = 'rgb(36 42 69)';
    g.lineWidth = 1;
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (let ms = 0; ms <= topMs; ms += step) {
      g.beginPath();
      g.moveTo(left, y(ms));
      g.lineTo(w - right, y(ms));
      g.stroke();
      g.fillText(`${ms}`, left - 6, y(ms));
    }
    g.textAlign = 'left';
    g.textBaseline = 'alphabetic';
    g.fillText('ms', 4, top + 8);
    g.textAlign = 'right';
    g.fillText(`−${this.windowSeconds} s … now`, w - right, h - 4);

    this.markers.forEach((marker, index) => {
      g.strokeStyle = 'rgb(232 234 246 / 0.35)';
      g.setLineDash([4, 4]);
      g.beginPath();
      g.moveTo(x(marker.t), top);
      g.lineTo(x(marker.t), top + plotH);
      g.stroke();
      g.setLineDash([]);
      g.textAlign = 'left';
      g.fillStyle = 'rgb(232 234 246 / 0.75)';
      // Alternate rows, so labels of changes close together do not overlap.
      g.fillText(marker.label, x(marker.t) + 4, top + 12 + 14 * (index % 2));
    });

    const barWidth = Math.max(2, (plotW / this.windowSeconds) * 0.2);
    this.series.forEach((series, index) => {
      if (series.kind === 'bar') {
        g.fillStyle = series.colour;
        for (const p of this.points) {
          const v = p.values[index];
          if (v > 0) g.fillRect(x(p.t) - barWidth / 2, y(v), barWidth, y(0) - y(v));
        }
        return;
      }
      g.strokeStyle = series.colour;
      g.lineWidth = 2;
      g.beginPath();
      let started = false;
      for (const p of this.points) {
        const v = p.values[index];
        if (!Number.isFinite(v)) { started = false; continue; }
        if (started) g.lineTo(x(p.t), y(v));
        else g.moveTo(x(p.t), y(v));
        started = true;
      }
      g.stroke();
    });
  }
}

// Reads what a <video> or <canvas> shows, downscaled: mean luma (BT.601, 0–255), mean R, G, B and a
// luma histogram. The camera and file tabs show these beside the pictures; the browser test checks them.

export interface PictureLevels {
  luma: number;
  red: number;
  green: number;
  blue: number;
  /** Fraction of pixels in each of HISTOGRAM_BINS equal luma ranges (sums to 1). */
  histogram: number[];
}

export const HISTOGRAM_BINS = 32;

const PROBE_WIDTH = 64;
const PROBE_HEIGHT = 48;

export class PictureMeter {
  private readonly canvas = document.createElement('canvas');
  private readonly context: CanvasRenderingContext2D;

  constructor() {
    this.canvas.width = PROBE_WIDTH;
    this.canvas.height = PROBE_HEIGHT;
    const context = this.canvas.getContext('2d', { willReadFrequently: true });
    if (context === null) throw new Error('no 2D canvas context');
    this.context = context;
  }

  /** Levels of the picture now, or null while a video has no frame yet. */
  measure(source: HTMLVideoElement | HTMLCanvasElement): PictureLevels | null {
    if (source instanceof HTMLVideoElement && (source.readyState < 2 || source.videoWidth === 0)) return null;
    this.context.drawImage(source, 0, 0, PROBE_WIDTH, PROBE_HEIGHT);
    const { data } = this.context.getImageData(0, 0, PROBE_WIDTH, PROBE_HEIGHT);
    let red = 0, green = 0, blue = 0;
    const histogram = new Array<number>(HISTOGRAM_BINS).fill(0);
    const n = data.length / 4;
    for (let i = 0; i < data.length; i += 4) {
      red += data[i];
      green += data[i + 1];
      blue += data[i + 2];
      const luma = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
      histogram[Math.min(HISTOGRAM_BINS - 1, Math.floor((luma * HISTOGRAM_BINS) / 256))] += 1 / n;
    }
    red /= n; green /= n; blue /= n;
    return { luma: 0.299 * red + 0.587 * green + 0.114 * blue, red, green, blue, histogram };
  }
}

/** Draws the luma histograms of A (grey-blue) and B (teal) over each other on `canvas`. */
export function drawHistograms(canvas: HTMLCanvasElement, a: PictureLevels | null, b: PictureLevels | null): void {
  const ratio = Math.min(2, globalThis.devicePixelRatio || 1);
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== width || canvas.height !== height) { canvas.width = width; canvas.height = height; }
  const g = canvas.getContext('2d');
  if (g === null) return;
  g.clearRect(0, 0, width, height);
  const peak = Math.max(0.05, ...(a?.histogram ?? []), ...(b?.histogram ?? []));
  const bar = width / HISTOGRAM_BINS;
  for (const [levels, colour] of [[a, 'rgb(139 149 201 / 0.55)'], [b, 'rgb(94 234 212 / 0.55)']] as const) {
    if (levels === null) continue;
    g.fillStyle = colour;
    levels.histogram.forEach((fraction, bin) => {
      const h = (height - 2) * (fraction / peak);
      g.fillRect(bin * bar + 1, height - h, bar - 2, h);
    });
  }
}

// A scrolling log-frequency spectrogram of one AnalyserNode on a canvas. New columns enter on the
// right at a fixed pixels-per-second rate (independent of the display's frame rate); rows map
// log-spaced frequencies to FFT bins; levels go through a perceptual "inferno"-like colour map.

/** Lowest and highest frequency shown (the top is capped at Nyquist). */
export const MIN_FREQUENCY_HZ = 60;
export const MAX_FREQUENCY_HZ = 20000;
const SCROLL_PX_PER_SECOND = 90;

/** Ticks of the frequency axis. */
const AXIS_TICKS_HZ = [100, 300, 1000, 3000, 10000];

/** Colour-map anchors (inferno, sampled); index 0 is also the empty background. */
const COLOUR_STOPS: ReadonlyArray<readonly [number, number, number]> = [
  [8, 8, 20], [27, 12, 65], [74, 12, 107], [120, 28, 109], [165, 44, 96],
  [207, 68, 70], [237, 105, 37], [251, 155, 6], [247, 209, 61], [252, 255, 164],
];

export const BACKGROUND_RGB = COLOUR_STOPS[0];

function buildColourLut(): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(256 * 4);
  const segments = COLOUR_STOPS.length - 1;
  for (let i = 0; i < 256; i++) {
    const position = (i / 255) * segments;
    const k = Math.min(segments - 1, Math.floor(position));
    const t = position - k;
    const a = COLOUR_STOPS[k];
    const b = COLOUR_STOPS[k + 1];
    lut[4 * i] = a[0] + (b[0] - a[0]) * t;
    lut[4 * i + 1] = a[1] + (b[1] - a[1]) * t;
    lut[4 * i + 2] = a[2] + (b[2] - a[2]) * t;
    lut[4 * i + 3] = 255;
  }
  return lut;
}

/** RGBA for each byte level 0–255. */
export const COLOUR_LUT = buildColourLut();

export function formatHz(hz: number): string {
  return hz >= 1000 ? `${hz / 1000}k` : String(hz);
}

export class Spectrogram {
  private readonly context: CanvasRenderingContext2D;
  private bins: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  /** For each pixel row (top = highest frequency): the first and last FFT bin it covers. */
  private rowBins: Int32Array = new Int32Array(0);
  private column: ImageData | null = null;
  private pendingPx = 0;
  private topHz = MAX_FREQUENCY_HZ;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly axis: HTMLElement | null) {
    const context = canvas.getContext('2d', { alpha: false });
    if (context === null) throw new Error('no 2D canvas context');
    this.context = context;
    this.resize();
  }

  /** Matches the backing store to the CSS size (device pixels) and clears to the background. */
  resize(): void {
    const ratio = Math.min(2, globalThis.devicePixelRatio || 1);
    const width = Math.max(1, Math.round(this.canvas.clientWidth * ratio));
    const height = Math.max(1, Math.round(this.canvas.clientHeight * ratio));
    if (width === this.canvas.width && height === this.canvas.height && this.column !== null) return;
    this.canvas.width = width;
    this.canvas.height = height;
    this.clear();
    this.column = this.context.createImageData(1, height);
    this.rowBins = new Int32Array(0);
  }

  clear(): void {
    const [r, g, b] = BACKGROUND_RGB;
    this.context.fillStyle = `rgb(${r}, ${g}, ${b})`;
    this.context.fillRect(0, 0, this.canvas.width, this.canvas.height);
  }

  /** Scrolls by the time elapsed and paints the analyser's current spectrum into the new columns. */
  draw(analyser: AnalyserNode, elapsedSeconds: number): void {
    this.pendingPx += elapsedSeconds * SCROLL_PX_PER_SECOND * (this.canvas.height / Math.max(1, this.canvas.clientHeight));
    const columns = Math.min(this.canvas.width, Math.floor(this.pendingPx));
    if (columns < 1) return;
    this.pendingPx -= columns;
    if (this.bins.length !== analyser.frequencyBinCount) this.bins = new Uint8Array(analyser.frequencyBinCount);
    if (this.rowBins.length !== 2 * this.canvas.height) this.mapRows(analyser);
    analyser.getByteFrequencyData(this.bins);

    const column = this.column!;
    const pixels = column.data;
    const height = this.canvas.height;
    for (let y = 0; y < height; y++) {
      let level = 0;
      for (let bin = this.rowBins[2 * y]; bin <= this.rowBins[2 * y + 1]; bin++) level = Math.max(level, this.bins[bin]);
      pixels.set(COLOUR_LUT.subarray(4 * level, 4 * level + 4), 4 * y);
    }
    const width = this.canvas.width;
    this.context.drawImage(this.canvas, columns, 0, width - columns, height, 0, 0, width - columns, height);
    for (let x = width - columns; x < width; x++) this.context.putImageData(column, x, 0);
  }

  private mapRows(analyser: AnalyserNode): void {
    const height = this.canvas.height;
    const nyquistHz = analyser.context.sampleRate / 2;
    this.topHz = Math.min(MAX_FREQUENCY_HZ, nyquistHz);
    const binHz = nyquistHz / analyser.frequencyBinCount;
    const ratio = this.topHz / MIN_FREQUENCY_HZ;
    const maxBin = analyser.frequencyBinCount - 1;
    this.rowBins = new Int32Array(2 * height);
    for (let y = 0; y < height; y++) {
      const highHz = MIN_FREQUENCY_HZ * ratio ** (1 - y / height);
      const lowHz = MIN_FREQUENCY_HZ * ratio ** (1 - (y + 1) / height);
      const first = Math.min(maxBin, Math.round(lowHz / binHz));
      this.rowBins[2 * y] = first;
      this.rowBins[2 * y + 1] = Math.max(first, Math.min(maxBin, Math.round(highHz / binHz)));
    }
    this.drawAxis();
  }

  private drawAxis(): void {
    if (this.axis === null) return;
    this.axis.replaceChildren();
    const ratio = this.topHz / MIN_FREQUENCY_HZ;
    for (const hz of AXIS_TICKS_HZ) {
      if (hz > this.topHz) continue;
      const tick = document.createElement('span');
      tick.className = 'tick';
      tick.textContent = formatHz(hz);
      // CSSOM, not a style attribute: allowed under style-src 'self'.
      tick.style.top = `${(100 * (1 - Math.log(hz / MIN_FREQUENCY_HZ) / Math.log(ratio))).toFixed(2)}%`;
      this.axis.append(tick);
    }
  }
}

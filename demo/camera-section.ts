// Tab (c): the camera before and after. The raw camera track plays on the left; on the right, the
// track returned by engine.processVideoTrack (a worker running the Wasm video kernel). The sliders
// change the correction live through the processor's update(); the pictures' mean brightness and
// colour are measured a few times a second and shown beside them.
import { isVideoProcessingSupported, type VideoTrackProcessor } from '../dist/src/index.js';
import { drawHistograms, type PictureLevels, PictureMeter } from './picture-meter.js';
import { sharedEngine } from './shared-engine.js';

const METER_INTERVAL_MS = 500;

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`missing #${id}`);
  return element as T;
}

function format(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

export class CameraSection {
  private readonly ui = {
    start: byId<HTMLButtonElement>('camera-start'),
    startLabel: byId('camera-start-label'),
    status: byId('camera-status'),
    videoA: byId<HTMLVideoElement>('camera-a'),
    videoB: byId<HTMLVideoElement>('camera-b'),
    lumaA: byId('cam-luma-a'),
    lumaB: byId('cam-luma-b'),
    brightness: byId('cam-brightness'),
    ms: byId('cam-ms'),
    frames: byId('cam-frames'),
    dropped: byId('cam-dropped'),
    path: byId('cam-path'),
    histogram: byId<HTMLCanvasElement>('cam-histogram'),
  };
  private readonly sliders = {
    exposure: byId<HTMLInputElement>('cam-exposure'),
    whiteBalance: byId<HTMLInputElement>('cam-wb'),
    denoise: byId<HTMLInputElement>('cam-denoise'),
    sharpen: byId<HTMLInputElement>('cam-sharpen'),
  };
  private readonly meter = new PictureMeter();
  private stream: MediaStream | null = null;
  private processor: VideoTrackProcessor | null = null;
  private running = false;
  private queue: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | undefined;
  private levels: { a: PictureLevels | null; b: PictureLevels | null } = { a: null, b: null };

  constructor(private readonly onError: (error: unknown) => void) {
    this.ui.start.addEventListener('click', () => { void (this.running ? this.stop() : this.start()); });
    for (const [name, input] of Object.entries(this.sliders)) {
      const output = byId<HTMLOutputElement>(`${input.id}-value`);
      input.addEventListener('input', () => {
        output.value = input.value;
        this.apply(name as keyof typeof this.sliders);
      });
    }
    if (!isVideoProcessingSupported()) {
      this.ui.start.disabled = true;
      this.ui.status.textContent = 'This browser cannot process camera tracks (it lacks MediaStreamTrackProcessor/Generator).';
    }
  }

  private options() {
    return {
      exposure: Number(this.sliders.exposure.value), whiteBalance: Number(this.sliders.whiteBalance.value),
      denoise: Number(this.sliders.denoise.value), sharpen: Number(this.sliders.sharpen.value),
    };
  }

  private apply(name: keyof CameraSection['sliders']): void {
    if (this.processor === null || this.processor.stopped) return;
    try {
      this.processor.update({ [name]: this.options()[name] });
    } catch (error) {
      this.onError(error);
    }
  }

  start(): Promise<void> {
    if (this.running) return this.queue;
    this.running = true;
    this.render();
    this.queue = this.queue.then(async () => {
      this.ui.status.textContent = 'Asking for the camera…';
      const engine = await sharedEngine();
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } } });
      const [track] = this.stream.getVideoTracks();
      this.processor = await engine.processVideoTrack(track, this.options());
      this.ui.videoA.srcObject = this.stream;
      this.ui.videoB.srcObject = new MediaStream([this.processor.track]);
      await Promise.all([this.ui.videoA.play(), this.ui.videoB.play()]);
      this.timer = setInterval(() => this.measure(), METER_INTERVAL_MS);
      this.ui.status.textContent = `Correcting ${track.label || 'the camera'} live.`;
    }).catch(async (error: unknown) => {
      this.running = false;
      await this.release();
      this.onError(error);
    }).finally(() => this.render());
    return this.queue;
  }

  stop(): Promise<void> {
    if (!this.running) return this.queue;
    this.running = false;
    this.queue = this.queue.then(() => this.release()).then(() => { this.ui.status.textContent = 'Camera off.'; })
      .catch(this.onError).finally(() => this.render());
    return this.queue;
  }

  private async release(): Promise<void> {
    clearInterval(this.timer);
    this.ui.videoA.srcObject = null;
    this.ui.videoB.srcObject = null;
    const processor = this.processor;
    this.processor = null;
    await processor?.stop();
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
  }

  private measure(): void {
    this.levels = { a: this.meter.measure(this.ui.videoA), b: this.meter.measure(this.ui.videoB) };
    const { a, b } = this.levels;
    this.ui.lumaA.textContent = a === null ? '' : `Y ${a.luma.toFixed(0)} · R/G/B ${a.red.toFixed(0)}/${a.green.toFixed(0)}/${a.blue.toFixed(0)}`;
    this.ui.lumaB.textContent = b === null ? '' : `Y ${b.luma.toFixed(0)} · R/G/B ${b.red.toFixed(0)}/${b.green.toFixed(0)}/${b.blue.toFixed(0)}`;
    this.ui.brightness.textContent = a === null || b === null ? '—' : `${a.luma.toFixed(0)} → ${b.luma.toFixed(0)}`;
    drawHistograms(this.ui.histogram, a, b);
    const stats = this.processor?.stats();
    if (stats === undefined) return;
    this.ui.ms.textContent = format(stats.msPerFrame, 1);
    this.ui.frames.textContent = String(stats.framesOut ?? '—');
    this.ui.dropped.textContent = String(stats.droppedFrames ?? '—');
    this.ui.path.textContent = stats.path ?? '—';
    if (stats.error !== null) this.ui.status.textContent = `The video processor reported: ${stats.error}`;
  }

  private render(): void {
    this.ui.start.dataset.state = this.running ? 'playing' : 'paused';
    this.ui.startLabel.textContent = this.running ? 'Stop the camera' : 'Start the camera';
  }

  /** For the browser test and the console. */
  snapshot() {
    const stats = this.processor?.stats() ?? null;
    return {
      running: this.running,
      levels: { a: this.levels.a && { ...this.levels.a, histogram: undefined }, b: this.levels.b && { ...this.levels.b, histogram: undefined } },
      settings: stats?.settings ?? null,
      stats: stats === null ? null : {
        framesIn: stats.framesIn, framesOut: stats.framesOut, droppedFrames: stats.droppedFrames, passedThroughFrames: stats.passedThroughFrames,
        msPerFrame: stats.msPerFrame, width: stats.width, height: stats.height, path: stats.path, error: stats.error,
        kernel: stats.kernel === null ? null : { meanLuma: stats.kernel.meanLuma, midGamma: stats.kernel.midGamma, gains: stats.kernel.gains },
      },
      shownBrightness: this.ui.brightness.textContent,
    };
  }
}

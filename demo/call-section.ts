// Tab (b): a loopback call between two RTCPeerConnections in this page. Looping speech is sent by
// one; the other's receiver plays through engine.processReceiver (sazanami's jitter buffer, time
// stretching and concealment) with seeded loss and jitter injected before the jitter buffer
// (`testImpairments`; the browser does not count frames dropped in a transform as lost). The
// impairments are fixed when the receiver starts, so moving a slider reconnects the call. A live
// plot shows the current and target delay and the audio concealed per stats interval.
import { isReceiverProcessingSupported, type ReceiverProcessor, type ReceiverStats } from '../dist/src/index.js';
import { sharedEngine } from './shared-engine.js';
import { Spectrogram } from './spectrogram.js';
import { TimePlot } from './time-plot.js';

/** The receive path runs at Opus's rate: the call's AudioContext must be 48 kHz. */
const CALL_SAMPLE_RATE_HZ = 48000;
const STATS_INTERVAL_MS = 250;
/** Sliders settle for this long before the call is reconnected with the new network. */
const RECONNECT_DEBOUNCE_MS = 400;
/** Seed of the injected loss and jitter (the same network on every run). */
const IMPAIRMENT_SEED = 7;
/** Talkers sent in turn, one after the other, in a loop. */
const CALL_SPEECH = [
  new URL('../eval/fixtures/speech-en-us-f1.wav', import.meta.url),
  new URL('../eval/fixtures/speech-en-m2.wav', import.meta.url),
  new URL('../eval/fixtures/speech-en-gb-f2.wav', import.meta.url),
];
const GAP_SECONDS = 0.4;

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`missing #${id}`);
  return element as T;
}

function format(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

/** One connected call: the two peers and the receive processor. */
interface Connection {
  sender: RTCPeerConnection;
  receiver: RTCPeerConnection;
  rx: ReceiverProcessor;
  lossPercent: number;
  jitterMs: number;
  startedAt: number;
  /** Concealed ms at the previous stats tick (for the per-interval bars). */
  lastConcealedMs: number;
}

export class CallSection {
  private readonly ui = {
    start: byId<HTMLButtonElement>('call-start'),
    startLabel: byId('call-start-label'),
    loss: byId<HTMLInputElement>('call-loss'),
    lossValue: byId<HTMLOutputElement>('call-loss-value'),
    jitter: byId<HTMLInputElement>('call-jitter'),
    jitterValue: byId<HTMLOutputElement>('call-jitter-value'),
    volume: byId<HTMLInputElement>('call-volume'),
    volumeValue: byId<HTMLOutputElement>('call-volume-value'),
    status: byId('call-status'),
    current: byId('call-current'),
    target: byId('call-target'),
    concealed: byId('call-concealed'),
    dropped: byId('call-dropped'),
    late: byId('call-late'),
    stretch: byId('call-stretch'),
  };
  private readonly plot = new TimePlot(byId<HTMLCanvasElement>('call-plot'), [
    { label: 'concealed', colour: 'rgb(248 113 113 / 0.8)', kind: 'bar' },
    { label: 'target', colour: '#fb9b06', kind: 'line' },
    { label: 'current', colour: '#5eead4', kind: 'line' },
  ]);
  private readonly spectrogram: Spectrogram;
  private context: AudioContext | null = null;
  private sendTrack: MediaStreamTrack | null = null;
  private analyser: AnalyserNode | null = null;
  private volume: GainNode | null = null;
  private connection: Connection | null = null;
  /** Serialises connect/disconnect (sliders may move during a reconnect). */
  private queue: Promise<void> = Promise.resolve();
  private running = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private reconnects = 0;
  private lastFrameMs = 0;

  constructor(private readonly onError: (error: unknown) => void) {
    const canvas = byId<HTMLCanvasElement>('call-spectrum');
    this.spectrogram = new Spectrogram(canvas, canvas.parentElement?.querySelector<HTMLElement>('.axis') ?? null);
    this.ui.start.addEventListener('click', () => { void (this.running ? this.stop() : this.start()); });
    for (const [input, output] of [[this.ui.loss, this.ui.lossValue], [this.ui.jitter, this.ui.jitterValue], [this.ui.volume, this.ui.volumeValue]] as const) {
      input.addEventListener('input', () => { output.value = input.value; });
    }
    const onNetworkChange = () => {
      if (!this.running) return;
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = setTimeout(() => this.reconnect(), RECONNECT_DEBOUNCE_MS);
    };
    this.ui.loss.addEventListener('change', onNetworkChange);
    this.ui.jitter.addEventListener('change', onNetworkChange);
    this.ui.volume.addEventListener('input', () => this.applyVolume());
    new ResizeObserver(() => { this.spectrogram.resize(); this.plot.draw(); }).observe(canvas);
    if (!isReceiverProcessingSupported().supported) {
      this.ui.start.disabled = true;
      this.ui.status.textContent = `This browser cannot run the receive path here (missing: ${isReceiverProcessingSupported().missing.join(', ')}).`;
    }
  }

  private get lossPercent(): number {
    return Number(this.ui.loss.value);
  }

  private get jitterMs(): number {
    return Number(this.ui.jitter.value);
  }

  private applyVolume(): void {
    if (this.volume !== null && this.context !== null) this.volume.gain.setTargetAtTime(Number(this.ui.volume.value) / 100, this.context.currentTime, 0.02);
  }

  start(): Promise<void> {
    if (this.running) return this.queue;
    this.running = true;
    this.render();
    this.queue = this.queue.then(async () => {
      // Created inside the click, so it may start.
      this.context ??= new AudioContext({ sampleRate: CALL_SAMPLE_RATE_HZ, latencyHint: 'interactive' });
      if (this.context.state === 'suspended') await this.context.resume();
      if (this.sendTrack === null) this.sendTrack = await this.startTalkers(this.context);
      this.ui.status.textContent = 'Connecting…';
      await this.connect();
      this.statsTimer = setInterval(() => this.tick(), STATS_INTERVAL_MS);
      requestAnimationFrame((now) => this.animate(now));
    }).catch((error: unknown) => {
      this.running = false;
      this.onError(error);
    }).finally(() => this.render());
    return this.queue;
  }

  stop(): Promise<void> {
    if (!this.running) return this.queue;
    this.running = false;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.statsTimer);
    this.queue = this.queue.then(async () => {
      await this.disconnect();
      if (this.context !== null && this.context.state === 'running') await this.context.suspend();
      this.ui.status.textContent = 'Call ended.';
    }).catch(this.onError).finally(() => this.render());
    return this.queue;
  }

  private reconnect(): void {
    this.queue = this.queue.then(async () => {
      if (!this.running) return;
      this.ui.status.textContent = 'Reconnecting with the new network…';
      await this.disconnect();
      await this.connect();
      this.reconnects++;
    }).catch(this.onError);
  }

  /** Loops the talkers (with pauses between them) into a MediaStream track to send. */
  private async startTalkers(context: AudioContext): Promise<MediaStreamTrack> {
    const buffers = await Promise.all(CALL_SPEECH.map(async (url) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`could not load ${url.pathname}: HTTP ${response.status}`);
      return context.decodeAudioData(await response.arrayBuffer());
    }));
    const gap = Math.round(GAP_SECONDS * context.sampleRate);
    const total = buffers.reduce((n, b) => n + b.length + gap, 0);
    const talk = context.createBuffer(1, total, context.sampleRate);
    let at = 0;
    for (const buffer of buffers) {
      talk.copyToChannel(buffer.getChannelData(0), 0, at);
      at += buffer.length + gap;
    }
    const source = new AudioBufferSourceNode(context, { buffer: talk, loop: true });
    const destination = context.createMediaStreamDestination();
    destination.channelCount = 1;
    source.connect(destination);
    source.start();
    this.analyser = new AnalyserNode(context, { fftSize: 2048, smoothingTimeConstant: 0.25, minDecibels: -105, maxDecibels: -25 });
    this.volume = new GainNode(context, { gain: Number(this.ui.volume.value) / 100 });
    this.analyser.connect(this.volume).connect(context.destination);
    return destination.stream.getAudioTracks()[0];
  }

  /** A new pair of peers; the receiver's transform is attached in `track`, before media flows. */
  private async connect(): Promise<void> {
    const context = this.context!;
    const engine = await sharedEngine();
    const lossPercent = this.lossPercent, jitterMs = this.jitterMs;
    const sender = new RTCPeerConnection();
    const receiver = new RTCPeerConnection();
    sender.onicecandidate = (event) => { if (event.candidate) void receiver.addIceCandidate(event.candidate); };
    receiver.onicecandidate = (event) => { if (event.candidate) void sender.addIceCandidate(event.candidate); };
    const rxReady = new Promise<ReceiverProcessor>((resolve, reject) => {
      receiver.ontrack = (event) => {
        engine.processReceiver(event.receiver, {
          context, playout: false,
          testImpairments: { seed: IMPAIRMENT_SEED, lossRate: lossPercent / 100, jitterMs },
        }).then(resolve, reject);
      };
    });
    let rx: ReceiverProcessor;
    try {
      sender.addTrack(this.sendTrack!, new MediaStream([this.sendTrack!]));
      await sender.setLocalDescription(await sender.createOffer());
      await receiver.setRemoteDescription(sender.localDescription!);
      await receiver.setLocalDescription(await receiver.createAnswer());
      await sender.setRemoteDescription(receiver.localDescription!);
      rx = await rxReady;
    } catch (error) {
      sender.close();
      receiver.close();
      throw error;
    }
    rx.node.connect(this.analyser!);
    const now = performance.now() / 1000;
    this.connection = { sender, receiver, rx, lossPercent, jitterMs, startedAt: now, lastConcealedMs: 0 };
    this.plot.mark(now, `${lossPercent} % loss · ${jitterMs} ms jitter`);
    this.ui.status.textContent = `In a call over a network with ${lossPercent} % packet loss and ${jitterMs} ms jitter (seeded).`;
  }

  private async disconnect(): Promise<void> {
    const connection = this.connection;
    if (connection === null) return;
    this.connection = null;
    await connection.rx.stop();
    connection.rx.node.disconnect();
    connection.sender.close();
    connection.receiver.close();
  }

  private tick(): void {
    const connection = this.connection;
    if (connection === null) return;
    const stats = connection.rx.stats();
    const concealedDelta = Math.max(0, stats.concealedMs - connection.lastConcealedMs);
    connection.lastConcealedMs = stats.concealedMs;
    if (stats.chain !== null) this.plot.push(performance.now() / 1000, [concealedDelta, stats.targetDelayMs, stats.currentDelayMs]);
    this.plot.draw();
    this.show(stats);
  }

  private show(stats: ReceiverStats): void {
    this.ui.current.textContent = format(stats.currentDelayMs, 0);
    this.ui.target.textContent = format(stats.targetDelayMs, 0);
    this.ui.concealed.textContent = format(stats.concealedMs, 0);
    this.ui.dropped.textContent = String(stats.worker?.framesDroppedByTest ?? '—');
    this.ui.late.textContent = format(100 * stats.lateLossRate, 1);
    this.ui.stretch.textContent = `${stats.accelerateCount} / ${stats.decelerateCount}`;
    if (stats.error !== null) this.ui.status.textContent = `The receiver reported: ${stats.error}`;
  }

  private animate(nowMs: number): void {
    if (!this.running) { this.lastFrameMs = 0; return; }
    const elapsed = this.lastFrameMs === 0 ? 0 : Math.min(0.25, (nowMs - this.lastFrameMs) / 1000);
    this.lastFrameMs = nowMs;
    if (this.analyser !== null && this.connection !== null) this.spectrogram.draw(this.analyser, elapsed);
    requestAnimationFrame((now) => this.animate(now));
  }

  private render(): void {
    this.ui.start.dataset.state = this.running ? 'playing' : 'paused';
    this.ui.startLabel.textContent = this.running ? 'Hang up' : 'Start the call';
  }

  /** For the browser test and the console. */
  snapshot() {
    const connection = this.connection;
    const stats = connection?.rx.stats() ?? null;
    return {
      running: this.running,
      connected: connection !== null,
      lossPercent: connection?.lossPercent ?? null,
      jitterMs: connection?.jitterMs ?? null,
      secondsConnected: connection === null ? 0 : performance.now() / 1000 - connection.startedAt,
      reconnects: this.reconnects,
      plotPoints: this.plot.length,
      stats: stats === null ? null : {
        currentDelayMs: stats.currentDelayMs, targetDelayMs: stats.targetDelayMs, concealedMs: stats.concealedMs,
        lateLossRate: stats.lateLossRate, underruns: stats.underruns, framesIn: stats.worker?.framesIn ?? 0,
        framesDroppedByTest: stats.worker?.framesDroppedByTest ?? 0, framesDecoded: stats.worker?.framesDecoded ?? 0, error: stats.error,
      },
      shown: { currentMs: this.ui.current.textContent, targetMs: this.ui.target.textContent, concealedMs: this.ui.concealed.textContent },
    };
  }
}

// The echo test on the user's own speakers and microphone: a far-end voice plays through the
// speakers for a few seconds while the microphone listens; the microphone track goes through
// engine.processAudioTrack with that playback node as its far end (the real API, live). The raw
// microphone (A) and the processed track (B) are recorded (MediaRecorder) and then played A/B with
// whole-recording spectrograms. Listening live would feed the speakers back into the microphone,
// hence record first, listen after.
import type { Engine, NoiseSuppressionLevel } from '../dist/src/index.js';
import { BufferAbPlayer } from './buffer-ab-player.js';
import { drawFileSpectrogram } from './file-spectrogram.js';
import { sharedEngine } from './shared-engine.js';

/** The far-end talkers played through the speakers, with a pause between them. */
const FAR_SPEECH = [
  new URL('../eval/fixtures/speech-en-us-m1.wav', import.meta.url),
  new URL('../eval/fixtures/speech-en-m2.wav', import.meta.url),
];
const GAP_SECONDS = 1;
/** Recording goes on this long after the far end stops (the echo tail, the processing delay). */
const TAIL_SECONDS = 0.6;
const DECODE_RATE_HZ = 48000;

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`missing #${id}`);
  return element as T;
}

function rmsDbfs(samples: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return 10 * Math.log10(sum / Math.max(1, samples.length) + 1e-20);
}

/** Records a track until stop() and resolves with the bytes (WebM/Opus in Chromium). */
function record(track: MediaStreamTrack): { stop(): Promise<Blob> } {
  const recorder = new MediaRecorder(new MediaStream([track]));
  const chunks: Blob[] = [];
  recorder.addEventListener('dataavailable', (event) => { if (event.data.size > 0) chunks.push(event.data); });
  recorder.start();
  return {
    stop: () => new Promise((resolve) => {
      recorder.addEventListener('stop', () => resolve(new Blob(chunks, { type: recorder.mimeType })), { once: true });
      recorder.stop();
    }),
  };
}

export class SpeakerEchoTest {
  private readonly ui = {
    start: byId<HTMLButtonElement>('echo-test'),
    result: byId('echo-test-result'),
    status: byId('echo-test-status'),
    play: byId<HTMLButtonElement>('echo-test-play'),
    playLabel: byId('echo-test-play-label'),
    ab: byId<HTMLButtonElement>('echo-test-ab'),
    removed: byId('echo-test-removed'),
    spectrumA: byId<HTMLCanvasElement>('echo-test-spectrum-a'),
    spectrumB: byId<HTMLCanvasElement>('echo-test-spectrum-b'),
  };
  private running = false;
  private player: BufferAbPlayer | null = null;
  private result: { seconds: number; rawDbfs: number; processedDbfs: number; echoCancellation: string | null } | null = null;

  constructor(private readonly onError: (error: unknown) => void, private readonly beforeStart: () => void,
    private readonly preset: () => NoiseSuppressionLevel) {
    this.ui.start.addEventListener('click', () => { void this.run(); });
    this.ui.play.addEventListener('click', () => { void this.togglePlay(); });
    this.ui.ab.addEventListener('click', () => this.listen(this.player?.side === 'b' ? 'a' : 'b'));
  }

  private listen(side: 'a' | 'b'): void {
    this.player?.listen(side);
    this.ui.ab.setAttribute('aria-checked', String(side === 'b'));
    this.ui.ab.dataset.listening = side;
  }

  private async togglePlay(): Promise<void> {
    const player = this.player;
    if (player === null) return;
    if (player.playing) player.pause();
    else await player.play().catch(this.onError);
    this.ui.play.dataset.state = player.playing ? 'playing' : 'paused';
    this.ui.playLabel.textContent = player.playing ? 'Pause' : 'Play';
  }

  /** Stops playback of the last result (the tab was left or something else plays). */
  pause(): void {
    this.player?.pause();
    this.ui.play.dataset.state = 'paused';
    this.ui.playLabel.textContent = 'Play';
  }

  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.ui.start.disabled = true;
    this.pause();
    this.beforeStart();
    this.ui.result.hidden = false;
    this.ui.status.textContent = 'Asking for the microphone…';
    // Created inside the click, so it may start.
    const context = new AudioContext({ latencyHint: 'interactive' });
    let mic: MediaStream | null = null;
    try {
      const engine: Engine = await sharedEngine();
      mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 } });
      const [micTrack] = mic.getAudioTracks();
      const talk = await this.farEnd(context);
      // The loudspeaker: what is played is exactly the far end the canceller gets.
      const speaker = new GainNode(context);
      speaker.connect(context.destination);
      const processor = await engine.processAudioTrack(micTrack, { farEnd: speaker, echoCancellation: 'balanced', noiseSuppression: this.preset() });
      if (context.state === 'suspended') await context.resume();
      const recordings = [record(micTrack), record(processor.track)];
      const source = new AudioBufferSourceNode(context, { buffer: talk });
      source.connect(speaker);
      const ended = new Promise((resolve) => source.addEventListener('ended', resolve, { once: true }));
      source.start();
      this.ui.status.textContent = `Listening: a voice plays on your speakers for ${talk.duration.toFixed(0)} s. Keep quiet, speakers on.`;
      await ended;
      await new Promise((resolve) => setTimeout(resolve, TAIL_SECONDS * 1000));
      const echoCancellation = processor.stats()?.options.echoCancellation ?? null;
      const [rawBlob, processedBlob] = await Promise.all(recordings.map((recording) => recording.stop()));
      await processor.stop();
      this.ui.status.textContent = 'Decoding the recordings…';
      const decoder = new OfflineAudioContext(1, 1, DECODE_RATE_HZ);
      const [raw, processed] = await Promise.all([rawBlob, processedBlob].map(async (blob) => decoder.decodeAudioData(await blob.arrayBuffer())));
      // Same length for A/B (the recorders started together; B also carries the processing delay).
      const length = Math.min(raw.length, processed.length);
      const [a, b] = [raw, processed].map((buffer) => {
        const out = new AudioBuffer({ numberOfChannels: 1, length, sampleRate: DECODE_RATE_HZ });
        out.copyToChannel(buffer.getChannelData(0).subarray(0, length), 0);
        return out;
      });
      this.result = { seconds: length / DECODE_RATE_HZ, rawDbfs: rmsDbfs(a.getChannelData(0)), processedDbfs: rmsDbfs(b.getChannelData(0)), echoCancellation: String(echoCancellation) };
      this.player?.close();
      this.player = new BufferAbPlayer(a, b);
      this.listen('a');
      drawFileSpectrogram(this.ui.spectrumA, a.getChannelData(0), DECODE_RATE_HZ);
      drawFileSpectrogram(this.ui.spectrumB, b.getChannelData(0), DECODE_RATE_HZ);
      this.ui.removed.textContent = (this.result.rawDbfs - this.result.processedDbfs).toFixed(0);
      this.ui.status.textContent = `Recorded ${this.result.seconds.toFixed(1)} s. A is what your microphone heard (the voice back from your speakers); B is what sazanami would send.`;
    } catch (error) {
      this.ui.status.textContent = `The echo test stopped: ${error instanceof Error ? error.message : String(error)}`;
      this.onError(error);
    } finally {
      for (const track of mic?.getTracks() ?? []) track.stop();
      await context.close().catch(() => undefined);
      this.running = false;
      this.ui.start.disabled = false;
    }
  }

  /** The far-end talkers one after the other, at the context's rate. */
  private async farEnd(context: AudioContext): Promise<AudioBuffer> {
    const buffers = await Promise.all(FAR_SPEECH.map(async (url) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`could not load ${url.pathname}: HTTP ${response.status}`);
      return context.decodeAudioData(await response.arrayBuffer());
    }));
    const gap = Math.round(GAP_SECONDS * context.sampleRate);
    const talk = context.createBuffer(1, buffers.reduce((n, b) => n + b.length, 0) + gap * (buffers.length - 1), context.sampleRate);
    let at = 0;
    for (const buffer of buffers) {
      talk.copyToChannel(buffer.getChannelData(0), 0, at);
      at += buffer.length + gap;
    }
    return talk;
  }

  /** For the browser test and the console. */
  snapshot() {
    return { running: this.running, result: this.result, playing: this.player?.playing ?? false, status: this.ui.status.textContent };
  }
}

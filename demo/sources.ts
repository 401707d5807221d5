// What the demo plays into the A/B graph: looping recordings ("scenes": the built-in noisy-speech
// sample, or a fixture utterance mixed live with a fixture noise at a chosen SNR), or the
// microphone with the browser's own processing turned off so only sazanami cleans it.

/** Active speech level of the fixture utterances (eval/fixtures/manifest.json). */
const FIXTURE_SPEECH_LEVEL_DBFS = -26;
/** Fade applied when a source starts or stops, to avoid clicks. */
const FADE_SECONDS = 0.03;

export interface Scene {
  id: string;
  label: string;
  /** A ready-mixed recording, or speech + noise mixed in the page. */
  recording?: URL;
  speech?: URL;
  noise?: URL;
  snrDb?: number;
}

// Literal `new URL(…, import.meta.url)` so Vite serves them in dev and emits them in a build.
export const SCENES: readonly Scene[] = [
  { id: 'builtin', label: 'Fan, then white noise (built-in sample)', recording: new URL('./samples/noisy-speech.wav', import.meta.url) },
  {
    id: 'babble', label: 'Café babble, 5 dB SNR', snrDb: 5,
    speech: new URL('../eval/fixtures/speech-en-gb-f2.wav', import.meta.url), noise: new URL('../eval/fixtures/noise-babble.wav', import.meta.url),
  },
  {
    id: 'hum', label: 'Mains hum, 0 dB SNR', snrDb: 0,
    speech: new URL('../eval/fixtures/speech-en-m2.wav', import.meta.url), noise: new URL('../eval/fixtures/noise-hum.wav', import.meta.url),
  },
  {
    id: 'pink', label: 'Pink noise, 5 dB SNR', snrDb: 5,
    speech: new URL('../eval/fixtures/speech-en-us-m1.wav', import.meta.url), noise: new URL('../eval/fixtures/noise-pink.wav', import.meta.url),
  },
];

const bytesCache = new Map<string, Promise<ArrayBuffer>>();

/** Fetches a same-origin file once (decoding needs a fresh copy each time: decodeAudioData detaches). */
async function fetchBytes(url: URL): Promise<ArrayBuffer> {
  let bytes = bytesCache.get(url.href);
  if (bytes === undefined) {
    bytes = fetch(url).then((response) => {
      if (!response.ok) throw new Error(`could not load ${url.pathname}: HTTP ${response.status}`);
      return response.arrayBuffer();
    });
    bytesCache.set(url.href, bytes);
    bytes.catch(() => bytesCache.delete(url.href));
  }
  return (await bytes).slice(0);
}

/** Starts downloading a scene's files before the first click, so playback starts at once. */
export function prefetchScene(scene: Scene): void {
  for (const url of [scene.recording, scene.speech, scene.noise]) if (url !== undefined) fetchBytes(url).catch(() => undefined);
}

/** Decodes a same-origin audio file at the context's rate. */
export async function decodeFile(context: BaseAudioContext, url: URL): Promise<AudioBuffer> {
  return context.decodeAudioData(await fetchBytes(url));
}

function rms(buffer: AudioBuffer): number {
  const samples = buffer.getChannelData(0);
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / Math.max(1, samples.length));
}

/** Something feeding the A/B graph's input until stopped. */
export interface InputSource {
  readonly kind: 'scene' | 'microphone';
  stop(): void;
}

/** A scene playing in a loop into `destination`. */
export class ScenePlayer implements InputSource {
  readonly kind = 'scene';
  private readonly output: GainNode;
  private readonly nodes: AudioBufferSourceNode[] = [];

  private constructor(private readonly context: AudioContext, destination: AudioNode) {
    this.output = new GainNode(context, { gain: 0 });
    this.output.connect(destination);
  }

  static async start(context: AudioContext, destination: AudioNode, scene: Scene): Promise<ScenePlayer> {
    const decode = (url: URL) => decodeFile(context, url);
    const player = new ScenePlayer(context, destination);
    if (scene.recording !== undefined) {
      player.loop(await decode(scene.recording), 1);
    } else if (scene.speech !== undefined && scene.noise !== undefined) {
      const [speech, noise] = await Promise.all([decode(scene.speech), decode(scene.noise)]);
      const noiseLevel = 10 ** ((FIXTURE_SPEECH_LEVEL_DBFS - (scene.snrDb ?? 0)) / 20);
      player.loop(speech, 1);
      player.loop(noise, noiseLevel / Math.max(1e-9, rms(noise)));
    }
    const now = context.currentTime;
    player.output.gain.setValueAtTime(0, now);
    player.output.gain.linearRampToValueAtTime(1, now + FADE_SECONDS);
    return player;
  }

  private loop(buffer: AudioBuffer, gain: number): void {
    const node = new AudioBufferSourceNode(this.context, { buffer, loop: true });
    node.connect(new GainNode(this.context, { gain })).connect(this.output);
    node.start();
    this.nodes.push(node);
  }

  stop(): void {
    const end = this.context.currentTime + FADE_SECONDS;
    this.output.gain.cancelScheduledValues(0);
    this.output.gain.setValueAtTime(this.output.gain.value, this.context.currentTime);
    this.output.gain.linearRampToValueAtTime(0, end);
    for (const node of this.nodes) node.stop(end + 0.01);
    this.nodes[0]?.addEventListener('ended', () => this.output.disconnect());
  }
}

/** The microphone, raw (no echo cancellation, noise suppression or gain control by the browser). */
export class MicrophoneInput implements InputSource {
  readonly kind = 'microphone';

  private constructor(private readonly stream: MediaStream, private readonly node: MediaStreamAudioSourceNode) {}

  static async start(context: AudioContext, destination: AudioNode): Promise<MicrophoneInput> {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 },
    });
    const node = context.createMediaStreamSource(stream);
    node.connect(destination);
    return new MicrophoneInput(stream, node);
  }

  get label(): string {
    return this.stream.getAudioTracks()[0]?.label ?? 'microphone';
  }

  stop(): void {
    this.node.disconnect();
    for (const track of this.stream.getTracks()) track.stop();
  }
}

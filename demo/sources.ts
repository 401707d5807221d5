// What the demo plays into the A/B graph: looping recordings ("scenes": the built-in noisy-speech
// sample, a fixture utterance mixed live with a fixture noise at a chosen SNR, or an echo scene: a
// far-end talker heard back through a simulated room while the near-end talker answers), or the
// microphone with the browser's own processing turned off so only sazanami cleans it.
import { roomResponse } from './room-response.js';

/** Active speech level of the fixture utterances (eval/fixtures/manifest.json). */
const FIXTURE_SPEECH_LEVEL_DBFS = -26;
/** Fade applied when a source starts or stops, to avoid clicks. */
const FADE_SECONDS = 0.03;
/**
 * The simulated room of the echo scenes: 30 ms from loudspeaker to microphone, 0.25 s reverberation,
 * echo 3 dB below what the loudspeaker plays (a laptop at arm's length).
 */
const ROOM = { delayMs: 30, rt60Seconds: 0.25, lengthSeconds: 0.3, echoReturnLossDb: 3 };
/** Turn taking in the echo scenes: the near end answers this long before the far end finishes (a little double talk). */
const ECHO_OVERLAP_SECONDS = 0.6;
/** Silence after the near end's turn before the far end speaks again. */
const ECHO_PAUSE_SECONDS = 0.8;

export interface Scene {
  id: string;
  label: string;
  /** A ready-mixed recording, or speech + noise mixed in the page. */
  recording?: URL;
  speech?: URL;
  noise?: URL;
  snrDb?: number;
  /**
   * Echo scenes: the far-end talker, played to the echo canceller's far-end input and heard back
   * (through ROOM) in the "microphone" while `speech` is the near-end talker taking turns with it.
   */
  farSpeech?: URL;
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
  {
    id: 'echo', label: 'Echo: the other side heard back from your speakers',
    farSpeech: new URL('../eval/fixtures/speech-en-us-m1.wav', import.meta.url), speech: new URL('../eval/fixtures/speech-en-gb-f2.wav', import.meta.url),
  },
  {
    id: 'echo-noise', label: 'Echo and fan noise (10 dB SNR)', snrDb: 10,
    farSpeech: new URL('../eval/fixtures/speech-en-m2.wav', import.meta.url), speech: new URL('../eval/fixtures/speech-en-us-f1.wav', import.meta.url),
    noise: new URL('../eval/fixtures/noise-fan.wav', import.meta.url),
  },
];

/** True for scenes that need the echo canceller (and a far-end input). */
export function hasEcho(scene: Scene): boolean {
  return scene.farSpeech !== undefined;
}

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
  for (const url of [scene.recording, scene.speech, scene.noise, scene.farSpeech]) if (url !== undefined) fetchBytes(url).catch(() => undefined);
}

/** Decodes a same-origin audio file at the context's rate. */
export async function decodeFile(context: BaseAudioContext, url: URL): Promise<AudioBuffer> {
  return context.decodeAudioData(await fetchBytes(url));
}

/**
 * Lays the two talkers out on one loop: the far end speaks, the near end answers (starting a little
 * before the far end finishes), a pause, and again. Returns two buffers of the loop's length and
 * when the near end starts, s.
 */
function takeTurns(context: BaseAudioContext, far: AudioBuffer, near: AudioBuffer): { farTurn: AudioBuffer; nearTurn: AudioBuffer; nearStartSeconds: number } {
  const rate = context.sampleRate;
  const nearStart = Math.max(0, far.length - Math.round(ECHO_OVERLAP_SECONDS * rate));
  const length = nearStart + near.length + Math.round(ECHO_PAUSE_SECONDS * rate);
  const farTurn = context.createBuffer(1, length, rate);
  const nearTurn = context.createBuffer(1, length, rate);
  farTurn.copyToChannel(far.getChannelData(0), 0, 0);
  nearTurn.copyToChannel(near.getChannelData(0), 0, nearStart);
  return { farTurn, nearTurn, nearStartSeconds: nearStart / rate };
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
  /** Echo scenes: the loop's timeline (context time of its start, loop length, when the near end starts), s. */
  private turns: { startedAt: number; loopSeconds: number; nearStartSeconds: number } | null = null;
  /** Echo scenes: the loudspeaker signal (connected to the far-end input and the room). */
  private speaker: GainNode | null = null;

  private constructor(private readonly context: AudioContext, destination: AudioNode) {
    this.output = new GainNode(context, { gain: 0 });
    this.output.connect(destination);
  }

  /** `farEnd`: where an echo scene's far-end talker goes (the echo canceller's reference). */
  static async start(context: AudioContext, destination: AudioNode, scene: Scene, farEnd: AudioNode | null = null): Promise<ScenePlayer> {
    const decode = (url: URL) => decodeFile(context, url);
    const player = new ScenePlayer(context, destination);
    if (scene.farSpeech !== undefined && scene.speech !== undefined) {
      const [far, near, noise] = await Promise.all([decode(scene.farSpeech), decode(scene.speech), scene.noise === undefined ? null : decode(scene.noise)]);
      const { farTurn, nearTurn, nearStartSeconds } = takeTurns(context, far, near);
      player.turns = { startedAt: context.currentTime, loopSeconds: farTurn.duration, nearStartSeconds };
      // The loudspeaker: the far end as played (the reference), and its echo in the room.
      const speaker = player.loop(farTurn, 1, null);
      player.speaker = speaker;
      if (farEnd !== null) speaker.connect(farEnd);
      const h = roomResponse(context.sampleRate, ROOM.delayMs, ROOM.rt60Seconds, ROOM.lengthSeconds, ROOM.echoReturnLossDb);
      const impulse = context.createBuffer(1, h.length, context.sampleRate);
      impulse.copyToChannel(h, 0);
      speaker.connect(new ConvolverNode(context, { buffer: impulse, disableNormalization: true })).connect(player.output);
      player.loop(nearTurn, 1);
      if (noise !== null) {
        const noiseLevel = 10 ** ((FIXTURE_SPEECH_LEVEL_DBFS - (scene.snrDb ?? 0)) / 20);
        player.loop(noise, noiseLevel / Math.max(1e-9, rms(noise)));
      }
    } else if (scene.recording !== undefined) {
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

  /** Loops `buffer` at `gain` into `to` (default: the scene's output); returns the gain node. */
  private loop(buffer: AudioBuffer, gain: number, to: AudioNode | null = this.output): GainNode {
    const node = new AudioBufferSourceNode(this.context, { buffer, loop: true });
    const level = new GainNode(this.context, { gain });
    node.connect(level);
    if (to !== null) level.connect(to);
    node.start();
    this.nodes.push(node);
    return level;
  }

  /**
   * True while only the far end talks, `marginSeconds` away from the turn's edges (echo scenes;
   * always false otherwise). `lagSeconds`: how late what is heard is behind what is played.
   */
  farEndAlone(marginSeconds: number, lagSeconds: number): boolean {
    if (this.turns === null) return false;
    const { startedAt, loopSeconds, nearStartSeconds } = this.turns;
    const t = (this.context.currentTime - lagSeconds - startedAt) % loopSeconds;
    return t > marginSeconds && t < nearStartSeconds - marginSeconds;
  }

  stop(): void {
    const end = this.context.currentTime + FADE_SECONDS;
    this.output.gain.cancelScheduledValues(0);
    this.output.gain.setValueAtTime(this.output.gain.value, this.context.currentTime);
    this.output.gain.linearRampToValueAtTime(0, end);
    for (const node of this.nodes) node.stop(end + 0.01);
    this.nodes[0]?.addEventListener('ended', () => {
      this.output.disconnect();
      this.speaker?.disconnect();
    });
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

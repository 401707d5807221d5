// A/B playback of two whole recordings (the original and the processed one, same length and
// aligned): both play all the time in a loop, the switch only crossfades their gains, so flipping is
// instant and does not jump in time. Used by the file tab and the speaker echo test.
import type { Side } from './ab-graph.js';

/** Crossfade time of an A/B toggle. */
const CROSSFADE_SECONDS = 0.02;

/** Plays two equally long buffers together in a loop; listen() crossfades between them. */
export class BufferAbPlayer {
  private context: AudioContext | null = null;
  private gains: { a: GainNode; b: GainNode } | null = null;
  private sources: AudioBufferSourceNode[] = [];
  private startedAt = 0;
  private offset = 0;
  side: Side = 'a';

  constructor(private readonly a: AudioBuffer, private readonly b: AudioBuffer) {}

  get playing(): boolean {
    return this.sources.length > 0;
  }

  async play(): Promise<void> {
    if (this.playing) return;
    this.context ??= new AudioContext({ sampleRate: this.a.sampleRate, latencyHint: 'playback' });
    const context = this.context;
    if (context.state === 'suspended') await context.resume();
    this.gains ??= { a: new GainNode(context, { gain: this.side === 'a' ? 1 : 0 }), b: new GainNode(context, { gain: this.side === 'b' ? 1 : 0 }) };
    this.gains.a.connect(context.destination);
    this.gains.b.connect(context.destination);
    const when = context.currentTime + 0.05;
    this.sources = ([[this.a, this.gains.a], [this.b, this.gains.b]] as const).map(([buffer, gain]) => {
      const node = new AudioBufferSourceNode(context, { buffer, loop: true });
      node.connect(gain);
      node.start(when, this.offset % buffer.duration);
      return node;
    });
    this.startedAt = when - this.offset;
  }

  pause(): void {
    if (!this.playing || this.context === null) return;
    this.offset = Math.max(0, this.context.currentTime - this.startedAt) % this.a.duration;
    for (const node of this.sources) node.stop();
    this.sources = [];
  }

  listen(side: Side): void {
    this.side = side;
    if (this.gains === null || this.context === null) return;
    const now = this.context.currentTime;
    for (const [gain, on] of [[this.gains.a, side === 'a'], [this.gains.b, side === 'b']] as const) {
      gain.gain.cancelScheduledValues(now);
      gain.gain.setValueAtTime(gain.gain.value, now);
      gain.gain.linearRampToValueAtTime(on ? 1 : 0, now + CROSSFADE_SECONDS);
    }
  }

  close(): void {
    this.pause();
    void this.context?.close();
    this.context = null;
  }
}


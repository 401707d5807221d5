// The demo's A/B audio graph on one AudioContext. Whatever plays (the sample or the microphone)
// goes into `input`; from there it is sent as a MediaStreamTrack through sazanami's public API
// (engine.processAudioTrack), and the processed track comes back into the same context.
//
//   input ─┬─ MediaStreamAudioDestinationNode → track → processAudioTrack → processed track
//          │                                                                   │
//          │                                       MediaStreamAudioSourceNode ─┴→ analyser B → gain B ─┐
//          └→ DelayNode (B's lag) → analyser A → gain A ───────────────────────────────────────────────┴→ speakers
//
// Echo scenes also feed `farEnd` (what the loudspeaker plays): it is the capture node's far-end
// input, so B is processed with echo cancellation against exactly that signal.
//
// Both sides run all the time; toggling only crossfades the two gains, so it is instant, gapless,
// and (thanks to the delay on A) does not jump in time. The delay starts at the processor's
// reported latency; once the real end-to-end lag (which includes the browser's MediaStream
// buffering) has been measured, it is locked to that.
import type { AudioTrackProcessor, EchoCancellationLevel, Engine, NoiseSuppressionLevel } from '../dist/src/index.js';
import { estimateLag } from './alignment.js';

/** Crossfade time of an A/B toggle. */
const CROSSFADE_SECONDS = 0.02;
/** Upper bound of the alignment delay on A. */
const MAX_ALIGNMENT_SECONDS = 1;
/** Largest end-to-end lag searched for, and the probe buffers that must hold it plus a window. */
const MAX_MEASURED_LAG_SECONDS = 0.2;
const PROBE_FFT_SIZE = 32768;
/** How fast A's delay moves to a new value (a short glide instead of a click). */
const DELAY_GLIDE_SECONDS = 0.05;

export type Side = 'a' | 'b';

export class AbGraph {
  /** Connect sources here. */
  readonly input: GainNode;
  /** Connect the far end (what the loudspeaker plays) here: the echo canceller's reference. */
  readonly farEnd: GainNode;
  readonly analyserA: AnalyserNode;
  readonly analyserB: AnalyserNode;
  readonly gainA: GainNode;
  readonly gainB: GainNode;
  private readonly delayA: DelayNode;
  /** Taps before A's delay and on B, for measuring the lag. */
  private readonly probeInput: AnalyserNode;
  private readonly probeProcessed: AnalyserNode;
  private side: Side = 'a';
  private alignedMs = -1;
  private reportedMs = 0;
  private measuredMs: number | null = null;

  private constructor(readonly context: AudioContext, readonly processor: AudioTrackProcessor,
    private readonly processedSource: MediaStreamAudioSourceNode, private readonly send: MediaStreamAudioDestinationNode, farEnd: GainNode) {
    this.input = context.createGain();
    this.farEnd = farEnd;
    this.delayA = context.createDelay(MAX_ALIGNMENT_SECONDS);
    this.analyserA = AbGraph.createAnalyser(context);
    this.analyserB = AbGraph.createAnalyser(context);
    this.gainA = new GainNode(context, { gain: 1 });
    this.gainB = new GainNode(context, { gain: 0 });

    this.input.connect(send);
    this.input.connect(this.delayA).connect(this.analyserA).connect(this.gainA).connect(context.destination);
    processedSource.connect(this.analyserB).connect(this.gainB).connect(context.destination);
    this.probeInput = new AnalyserNode(context, { fftSize: PROBE_FFT_SIZE });
    this.probeProcessed = new AnalyserNode(context, { fftSize: PROBE_FFT_SIZE });
    this.input.connect(this.probeInput);
    processedSource.connect(this.probeProcessed);
    this.setReportedLatency(processor.latencyMs);
  }

  /** Builds the graph and starts the processor on the sent track. */
  static async create(engine: Engine, context: AudioContext, noiseSuppression: NoiseSuppressionLevel, echoCancellation: EchoCancellationLevel): Promise<AbGraph> {
    const send = context.createMediaStreamDestination();
    send.channelCount = 1;
    const [sentTrack] = send.stream.getAudioTracks();
    const farEnd = new GainNode(context, { channelCount: 1, channelCountMode: 'explicit' });
    // The far end is always connected; echo cancellation is switched on (update) for echo scenes only.
    const processor = await engine.processAudioTrack(sentTrack, { noiseSuppression, echoCancellation, farEnd });
    const processedSource = context.createMediaStreamSource(new MediaStream([processor.track]));
    return new AbGraph(context, processor, processedSource, send, farEnd);
  }

  private static createAnalyser(context: AudioContext): AnalyserNode {
    return new AnalyserNode(context, { fftSize: 2048, smoothingTimeConstant: 0.25, minDecibels: -105, maxDecibels: -25 });
  }

  get listening(): Side {
    return this.side;
  }

  /** Crossfades to one side (a no-op if already there). */
  listen(side: Side): void {
    this.side = side;
    const now = this.context.currentTime;
    for (const [gain, target] of [[this.gainA, side === 'a' ? 1 : 0], [this.gainB, side === 'b' ? 1 : 0]] as const) {
      gain.gain.cancelScheduledValues(now);
      gain.gain.setValueAtTime(gain.gain.value, now);
      gain.gain.linearRampToValueAtTime(target, now + CROSSFADE_SECONDS);
    }
  }

  /** The processor's reported latency: A's delay until the real lag has been measured. */
  setReportedLatency(latencyMs: number): void {
    if (!Number.isFinite(latencyMs) || latencyMs < 0) return;
    this.reportedMs = latencyMs;
    if (this.measuredMs === null) this.setDelay(latencyMs);
  }

  /** One measurement of B's end-to-end lag behind the input (null if inconclusive). */
  measureLagMs(): { lagMs: number; correlation: number } | null {
    const input = new Float32Array(PROBE_FFT_SIZE);
    const processed = new Float32Array(PROBE_FFT_SIZE);
    this.probeInput.getFloatTimeDomainData(input);
    this.probeProcessed.getFloatTimeDomainData(processed);
    const rate = this.context.sampleRate;
    const estimate = estimateLag(input, processed, Math.round(MAX_MEASURED_LAG_SECONDS * rate));
    return estimate === null ? null : { lagMs: (1000 * estimate.lagSamples) / rate, correlation: estimate.correlation };
  }

  /** Locks A's delay to a measured end-to-end lag. */
  lockMeasuredLag(lagMs: number): void {
    this.measuredMs = lagMs;
    this.setDelay(lagMs);
  }

  /** A's current delay. */
  get alignmentMs(): number {
    return this.alignedMs;
  }

  get reportedLatencyMs(): number {
    return this.reportedMs;
  }

  /** The measured end-to-end lag, or null while still measuring. */
  get measuredLagMs(): number | null {
    return this.measuredMs;
  }

  private setDelay(ms: number): void {
    const clamped = Math.min(ms, 1000 * MAX_ALIGNMENT_SECONDS);
    if (Math.abs(clamped - this.alignedMs) < 0.01) return;
    const now = this.context.currentTime;
    const param = this.delayA.delayTime;
    param.cancelScheduledValues(now);
    if (this.alignedMs < 0) {
      param.setValueAtTime(clamped / 1000, now);
    } else {
      param.setValueAtTime(param.value, now);
      param.linearRampToValueAtTime(clamped / 1000, now + DELAY_GLIDE_SECONDS);
    }
    this.alignedMs = clamped;
  }

  async stop(): Promise<void> {
    this.input.disconnect();
    this.farEnd.disconnect();
    this.processedSource.disconnect();
    for (const track of this.send.stream.getTracks()) track.stop();
    await this.processor.stop();
  }
}

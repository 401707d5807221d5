// A processed microphone: MediaStreamAudioSourceNode → capture AudioWorkletNode →
// MediaStreamAudioDestinationNode, whose track is what the app sends (RTCRtpSender.replaceTrack).
import type { CaptureOptions } from '../core/options.js';
import type { CaptureWorkletStats } from '../../worklets/capture-protocol.js';
import type { CaptureNode } from './capture-node.js';

export interface AudioTrackProcessorStats extends CaptureWorkletStats {
  /** Errors the processor reported (0 or 1; on an error the track carries the unprocessed input). */
  errorCount: number;
  contextState: AudioContextState;
  contextSampleRate: number;
}

/** The far end a processor feeds its echo canceller from. */
export interface FarEndConnection {
  node: AudioNode;
  /** The engine created the node (from a remote track) and disconnects it on stop. */
  owned: boolean;
  /** The engine plays it through the context's destination. */
  playing: boolean;
}

export class AudioTrackProcessor {
  /** The processed track (ends when stop() is called or the input track ends). */
  readonly track: MediaStreamTrack;
  readonly inputTrack: MediaStreamTrack;
  private readonly source: MediaStreamAudioSourceNode;
  private readonly destination: MediaStreamAudioDestinationNode;
  /** The capture AudioWorkletNode and its control port (advanced use; prefer update/stats/stop). */
  readonly capture: CaptureNode;
  private readonly onInputEnded: () => void;
  private stopping: Promise<void> | null = null;

  /** Use Engine.processAudioTrack. `release` runs once after everything is torn down. */
  constructor(inputTrack: MediaStreamTrack, source: MediaStreamAudioSourceNode, capture: CaptureNode,
    destination: MediaStreamAudioDestinationNode, private readonly release: (processor: AudioTrackProcessor) => Promise<void>,
    private readonly farEnd: FarEndConnection | null = null) {
    this.inputTrack = inputTrack;
    this.source = source;
    this.capture = capture;
    this.destination = destination;
    this.track = destination.stream.getAudioTracks()[0];
    source.connect(capture.node);
    capture.node.connect(destination);
    this.onInputEnded = () => { void this.stop(); };
    inputTrack.addEventListener('ended', this.onInputEnded);
  }

  /** Constant delay the processing adds, in milliseconds. */
  get latencyMs(): number {
    return (1000 * this.capture.latencySamples) / this.capture.node.context.sampleRate;
  }

  get stopped(): boolean {
    return this.stopping !== null;
  }

  /** Called once with the first kernel error (the track then carries the unprocessed input). */
  set onerror(handler: ((message: string) => void) | null) {
    this.capture.onError = handler;
  }

  /** Validates and applies new options (the kernel ramps over ~100 ms, no click). Throws on bad options. */
  update(options: CaptureOptions): void {
    if (this.stopping !== null) throw new DOMException('this audio track processor was stopped', 'InvalidStateError');
    this.capture.update(options);
  }

  /** The latest stats (refreshed a few times per second), or null before the first report. */
  stats(): AudioTrackProcessorStats | null {
    const stats = this.capture.stats();
    return stats === null ? null : this.decorate(stats);
  }

  /** Fresh stats from the audio thread. */
  async requestStats(): Promise<AudioTrackProcessorStats> {
    return this.decorate(await this.capture.requestStats());
  }

  /**
   * Ends the processed track and disconnects and releases every node and port. The input track is
   * left running (the caller owns it). Idempotent.
   */
  stop(): Promise<void> {
    if (this.stopping !== null) return this.stopping;
    this.stopping = (async () => {
      this.inputTrack.removeEventListener('ended', this.onInputEnded);
      this.source.disconnect();
      for (const track of this.destination.stream.getTracks()) track.stop();
      this.destination.disconnect();
      const far = this.farEnd;
      if (far !== null) {
        this.capture.disconnectFarEnd(far.node);
        if (far.owned) far.node.disconnect();
      }
      await this.capture.stop();
      await this.release(this);
    })();
    return this.stopping;
  }

  private decorate(stats: CaptureWorkletStats): AudioTrackProcessorStats {
    const context = this.capture.node.context as AudioContext;
    return { ...stats, errorCount: this.capture.errors.length, contextState: context.state, contextSampleRate: context.sampleRate };
  }
}

// A processed microphone: MediaStreamAudioSourceNode → capture AudioWorkletNode →
// MediaStreamAudioDestinationNode, whose track is what the app sends (RTCRtpSender.replaceTrack).
import type { CaptureOptions } from '../core/options.js';
import { type CaptureWorkletStats, RENDER_QUANTUM_FRAMES } from '../../worklets/capture-protocol.js';
import type { CaptureNode } from './capture-node.js';

export interface AudioTrackProcessorStats extends CaptureWorkletStats {
  /** Errors the processor reported (0 or 1; on an error the track carries the unprocessed input). */
  errorCount: number;
  contextState: AudioContextState;
  contextSampleRate: number;
  /**
   * Everything this processor adds, ms: the kernel's algorithmic delay, the buffering of the hops
   * through the AudioContext (one render callback, one render quantum, one 10 ms track chunk) and the sync delay.
   */
  latencyMs: number;
  /** The part of latencyMs added to match a paired video track (engine.syncSenders), ms. */
  syncDelayMs: number;
}

/** The longest sync delay the processor can add, s (the DelayNode is created for it). */
const MAX_SYNC_DELAY_S = 1;
/** Sync delay changes are ramped over this long, s. */
const SYNC_RAMP_S = 0.2;
/**
 * The processed track carries audio in 10 ms chunks (WebRTC's frame): the destination node holds
 * render quanta until a chunk is full. (Measured in the demo: the two track hops of
 * context → track → processAudioTrack → track → context add ≈ 43 ms beyond the kernel's delay.)
 */
const TRACK_CHUNK_S = 0.01;

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
  /** Between the capture node and the destination: delays the audio to match a paired video track. */
  private readonly syncDelay: DelayNode;
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
    this.syncDelay = new DelayNode(capture.node.context, { delayTime: 0, maxDelayTime: MAX_SYNC_DELAY_S, channelCount: destination.channelCount, channelCountMode: 'explicit' });
    source.connect(capture.node);
    capture.node.connect(this.syncDelay).connect(destination);
    this.onInputEnded = () => { void this.stop(); };
    inputTrack.addEventListener('ended', this.onInputEnded);
  }

  /** The kernel's algorithmic delay, ms (constant for the processor's life). */
  get algorithmicLatencyMs(): number {
    return (1000 * this.capture.latencySamples) / this.capture.node.context.sampleRate;
  }

  /**
   * The delay of the processing without the sync delay, ms: the algorithmic delay plus the hops
   * into and out of the AudioContext — its MediaStreamAudioSourceNode buffers about one render
   * callback (baseLatency) and hands over whole 128-frame render quanta, and its
   * MediaStreamAudioDestinationNode fills 10 ms chunks for the track.
   */
  get processingLatencyMs(): number {
    const context = this.capture.node.context as AudioContext;
    return this.algorithmicLatencyMs + 1000 * ((context.baseLatency || 0) + RENDER_QUANTUM_FRAMES / context.sampleRate + TRACK_CHUNK_S);
  }

  /** Everything the processor adds, ms: processing plus the sync delay. */
  get latencyMs(): number {
    return this.processingLatencyMs + this.syncDelayMs;
  }

  /** The delay added to match a paired video track, ms (see engine.syncSenders). */
  get syncDelayMs(): number {
    return 1000 * this.syncDelay.delayTime.value;
  }

  /**
   * Delays the processed audio by `delayMs` more (0–1000), e.g. to match a slower video path. The
   * change is ramped over 200 ms (a jump would click). Throws RangeError on a bad value.
   */
  setSyncDelayMs(delayMs: number): void {
    if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0 || delayMs > 1000 * MAX_SYNC_DELAY_S) {
      throw new RangeError(`sync delay must be a number from 0 to ${1000 * MAX_SYNC_DELAY_S} ms, got ${String(delayMs)}`);
    }
    if (this.stopping !== null) return;
    const param = this.syncDelay.delayTime, now = this.syncDelay.context.currentTime;
    param.cancelScheduledValues(now);
    param.setValueAtTime(param.value, now);
    param.linearRampToValueAtTime(delayMs / 1000, now + SYNC_RAMP_S);
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
      this.syncDelay.disconnect();
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
    return {
      ...stats, errorCount: this.capture.errors.length, contextState: context.state, contextSampleRate: context.sampleRate,
      latencyMs: this.latencyMs, syncDelayMs: this.syncDelayMs,
    };
  }
}

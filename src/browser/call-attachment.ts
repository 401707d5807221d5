// engine.attachCall(pc): sazanami on a call that already exists, in one line.
//   local audio senders  → processAudioTrack (NS + AEC + AGC) → sender.replaceTrack(processed)
//   local video senders  → processVideoTrack (correction)      → sender.replaceTrack(processed)
//   remote audio         → the AEC's far end (all remote audio mixed in one GainNode); with
//                          `receive`, played through processReceiver (jitter buffer + concealment),
//                          whose playout node is then the far end: the reference is exactly what is heard
//   remote video         → with `receive`, processVideoReceiver (never forwards undecodable frames)
//   audio + video pairs  → SenderSync / ReceiverSync keep lips in sync
// Tracks added later, renegotiation and the app's own replaceTrack are followed (events + a periodic
// scan). A LoadController watches the audio thread and bypasses stages when the device cannot keep
// up. detach() puts the original tracks back and stops everything.
import type { AudioTrackOptions } from './audio-track-options.js';
import type { AudioTrackProcessor } from './audio-track-processor.js';
import type { Engine } from './engine.js';
import type { VideoTrackProcessor } from './video-track-processor.js';
import type { ReceiverProcessor } from './receive-processor.js';
import type { VideoReceiverProcessor } from './video-receive-processor.js';
import type { SenderSync, ReceiverSync } from './av-sync.js';
import type { JitterBufferOptions } from '../core/receive/receive-options.js';
import { type CaptureOptions, validateCaptureOptions } from '../core/options.js';
import { type VideoCorrectionOptions, validateVideoOptions } from '../core/video/video-options.js';
import { LoadController, type LoadControlOptions, type LoadLevel, type LoadStats, LOAD_LEVELS, validateLoadControlOptions } from './load-controller.js';

/** Audio options of attachCall: the capture options and channel count (the far end is routed by the call). */
export type CallAudioOptions = Omit<AudioTrackOptions, 'farEnd' | 'playFarEnd'>;

export interface CallReceiveOptions {
  jitterBuffer?: JitterBufferOptions;
  /** Also guard remote video (processVideoReceiver). Default true. */
  video?: boolean;
}

export interface AttachCallOptions {
  /** Local audio processing, or false to leave audio senders alone. Default CALL_DEFAULTS.audio. */
  audio?: CallAudioOptions | false;
  /** Local video correction, or false. Default CALL_DEFAULTS.video. */
  video?: VideoCorrectionOptions | false;
  /** Remote media through sazanami's receive path (true = defaults). Default false (the browser plays it). */
  receive?: boolean | CallReceiveOptions;
  /** Route the remote audio to the echo canceller as its far end. Default true (needs `audio`). */
  echoReference?: boolean;
  /** Keep audio and video of a direction in sync (SenderSync, ReceiverSync). Default true. */
  sync?: boolean;
  /** The CPU-load estimator (see load-controller.ts). Default on. */
  loadControl?: boolean | LoadControlOptions;
  /** TESTS ONLY: capture nodes accept fault/load injection (see testSetLoad). Default false. */
  testHooks?: boolean;
}

/** attachCall's defaults: what a call gets from `attachCall(pc)` alone. */
export const CALL_DEFAULTS = Object.freeze({
  audio: Object.freeze({ noiseSuppression: 'balanced', echoCancellation: 'balanced', gainControl: true } as const),
  video: Object.freeze({ exposure: true, whiteBalance: true, denoise: 3 } as const),
  receive: false,
  echoReference: true,
  sync: true,
});

export interface CallSenderStats {
  kind: 'audio' | 'video';
  /** The id of the app's original track (the one detach() restores). */
  trackId: string;
  /** The processor died and the sender carries the original track unprocessed. */
  failed: boolean;
  latencyMs: number;
  stats: unknown;
}

export interface CallReceiverStats {
  kind: 'audio' | 'video';
  trackId: string;
  /** The receiver runs through sazanami's receive path (else the browser plays it). */
  receivePath: boolean;
  /** Why not, when `receive` was asked for. */
  note: string | null;
  latencyMs: number;
  stats: unknown;
}

export interface CallStats {
  senders: CallSenderStats[];
  receivers: CallReceiverStats[];
  /** Remote audio tracks feeding the echo canceller's far end. */
  farEndSources: number;
  load: LoadStats;
  /** A/V sync of the sent and received pairs (null where there is no pair). */
  senderSync: unknown;
  receiverSync: unknown;
  /** Errors met while following the call (a processor that failed to start, a refused replaceTrack). */
  errors: string[];
  detached: boolean;
}

interface SenderEntry {
  kind: 'audio' | 'video';
  original: MediaStreamTrack;
  audio: AudioTrackProcessor | null;
  video: VideoTrackProcessor | null;
  /** The processor died; the sender carries the original track unprocessed from now on. */
  failed: boolean;
  /** Health checks in a row the video worker did not answer. */
  missedChecks: number;
  checking: boolean;
}

interface ReceiverEntry {
  kind: 'audio' | 'video';
  track: MediaStreamTrack;
  /** Web Audio source feeding the far-end mix (when the browser plays the audio). */
  source: MediaStreamAudioSourceNode | null;
  /** A muted element: Chromium delivers remote audio to Web Audio only while an element plays it. */
  keepAlive: HTMLAudioElement | null;
  audio: ReceiverProcessor | null;
  video: VideoReceiverProcessor | null;
  /** Why the receive path is not used on this receiver although asked for, else null. */
  note: string | null;
}

const MAX_ERRORS_KEPT = 20;
const VIDEO_WORKER_ANSWER_MS = 1000;
const VIDEO_WORKER_CHECK_EVERY_MS = 500;
const VIDEO_WORKER_MISSED_CHECKS = 2;

function validateAttachOptions(options: unknown): {
  audio: CallAudioOptions | null; video: VideoCorrectionOptions | null; receive: CallReceiveOptions | null;
  echoReference: boolean; sync: boolean; loadControl: Required<LoadControlOptions>; testHooks: boolean;
} {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError('attachCall options must be an object');
  const known = new Set(['audio', 'video', 'receive', 'echoReference', 'sync', 'loadControl', 'testHooks']);
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new TypeError(`unknown attachCall option '${key}'; accepted: ${[...known].join(', ')}`);
  }
  const o = options as AttachCallOptions;
  const audio = o.audio === false ? null : { ...CALL_DEFAULTS.audio, ...(o.audio ?? {}) };
  if (audio !== null) {
    if (typeof audio !== 'object') throw new TypeError('attachCall audio must be an object or false');
    if ('farEnd' in audio || 'playFarEnd' in audio) throw new TypeError('attachCall routes the far end itself: leave out farEnd/playFarEnd (or use echoReference: false)');
    const { channelCount, disableBrowserEchoCancellation, ...capture } = audio;
    validateCaptureOptions(capture);
    if (channelCount !== undefined && channelCount !== 1 && channelCount !== 2) throw new RangeError(`audio.channelCount must be 1 or 2, got ${String(channelCount)}`);
    if (disableBrowserEchoCancellation !== undefined && typeof disableBrowserEchoCancellation !== 'boolean') throw new TypeError('audio.disableBrowserEchoCancellation must be a boolean');
  }
  const video = o.video === false ? null : (o.video ?? { ...CALL_DEFAULTS.video });
  if (video !== null) validateVideoOptions(video);
  let receive: CallReceiveOptions | null = null;
  if (o.receive === true) receive = {};
  else if (o.receive !== undefined && o.receive !== false) {
    if (typeof o.receive !== 'object' || o.receive === null) throw new TypeError('attachCall receive must be a boolean or { jitterBuffer, video }');
    receive = o.receive;
    if (receive.video !== undefined && typeof receive.video !== 'boolean') throw new TypeError('receive.video must be a boolean');
  }
  const flag = (name: 'echoReference' | 'sync'): boolean => {
    const value = o[name] ?? CALL_DEFAULTS[name];
    if (typeof value !== 'boolean') throw new TypeError(`attachCall ${name} must be a boolean`);
    return value;
  };
  if (o.testHooks !== undefined && typeof o.testHooks !== 'boolean') throw new TypeError('attachCall testHooks must be a boolean');
  return {
    audio, video, receive, echoReference: flag('echoReference'), sync: flag('sync'), loadControl: validateLoadControlOptions(o.loadControl),
    testHooks: o.testHooks === true,
  };
}

export class CallAttachment {
  readonly pc: RTCPeerConnection;
  /** The AudioContext the call's audio runs on (capture, far-end mix and receive playout). */
  readonly context: AudioContext;
  private readonly ownsContext: boolean;
  private readonly farMix: GainNode;
  private readonly senders = new Map<RTCRtpSender, SenderEntry>();
  private readonly receivers = new Map<RTCRtpReceiver, ReceiverEntry>();
  /** Senders/receivers being set up (a scan must not start them twice). */
  private readonly pending = new Set<RTCRtpSender | RTCRtpReceiver>();
  /** Receivers that were receiving when attachCall ran (too late for the receive path). */
  private readonly receivingAtAttach = new Set<RTCRtpReceiver>();
  private readonly errors: string[] = [];
  private readonly load: LoadController;
  private loadLevel: LoadLevel = 'full';
  private lastSample: { wallMs: number; renderedMs: number } | null = null;
  private senderSync: SenderSync | null = null;
  private receiverSync: ReceiverSync | null = null;
  private scanTimer: ReturnType<typeof setInterval> | null = null;
  private healthTimer: ReturnType<typeof setInterval> | null = null;
  private loadTimer: ReturnType<typeof setInterval> | null = null;
  private scanning: Promise<void> = Promise.resolve();
  private detaching: Promise<void> | null = null;
  private readonly onChange = (): void => { void this.scan(); };
  /**
   * A new remote track: its receiver gets the receive path at once, before media flows (Chromium
   * delivers no frames to a transform set on a receiver that is already receiving).
   */
  private readonly onTrack = (): void => { void this.scan(); };

  /**
   * Every receiver that will or does receive gets its far-end/receive-path set-up, synchronously up to
   * the transform. One not yet negotiated (or negotiated after attachCall) is `fresh`: Chromium
   * starts a receiver at the description that first negotiates it (for an offerer that is its own
   * setLocalDescription, before any track event), and gives a transform set later no frames.
   */
  private attachReceivers(): void {
    if (this.detaching !== null || this.pc.signalingState === 'closed') return;
    for (const transceiver of this.pc.getTransceivers()) {
      const receiver = transceiver.receiver;
      const entry = this.receivers.get(receiver);
      const current = transceiver.currentDirection;
      const receiving = current === 'sendrecv' || current === 'recvonly';
      // Negotiated without receiving (e.g. the remote side sends nothing on it), stopped, or ended.
      const idle = (current !== null && !receiving) || receiver.track.readyState === 'ended';
      if (entry !== undefined) {
        if (idle) this.releaseReceiver(receiver, entry);
        continue;
      }
      if (idle || this.pending.has(receiver)) continue;
      const willReceive = transceiver.direction === 'sendrecv' || transceiver.direction === 'recvonly';
      if (!receiving && !(current === null && willReceive)) continue;
      void this.attachReceiver(receiver, !this.receivingAtAttach.has(receiver));
    }
  }

  /** Use engine.attachCall(). */
  constructor(private readonly engine: Engine, pc: RTCPeerConnection, context: AudioContext, ownsContext: boolean,
    private readonly settings: ReturnType<typeof validateAttachOptions>) {
    this.pc = pc;
    this.context = context;
    this.ownsContext = ownsContext;
    this.farMix = new GainNode(context, { gain: 1 });
    this.load = new LoadController(settings.loadControl, (level) => level === 'video-correction-bypassed' && ![...this.senders.values()].some((e) => e.video !== null));
  }

  /** Processes what the call has now and starts following it. */
  async start(): Promise<void> {
    for (const transceiver of this.pc.getTransceivers()) {
      const direction = transceiver.currentDirection;
      if (direction === 'sendrecv' || direction === 'recvonly') this.receivingAtAttach.add(transceiver.receiver);
    }
    this.pc.addEventListener('track', this.onTrack);
    this.pc.addEventListener('negotiationneeded', this.onChange);
    this.pc.addEventListener('signalingstatechange', this.onChange);
    // replaceTrack by the app and tracks that end fire no event on the connection.
    this.scanTimer = setInterval(this.onChange, 1000);
    this.healthTimer = setInterval(() => {
      for (const [sender, entry] of this.senders) if (entry.video !== null && !entry.checking) this.checkVideoWorker(sender, entry);
    }, VIDEO_WORKER_CHECK_EVERY_MS);
    if (this.settings.loadControl.enabled) this.loadTimer = setInterval(() => this.sampleLoad(), this.settings.loadControl.intervalMs);
    if (this.context.state === 'suspended') this.context.resume().catch(() => undefined);
    await this.scan();
  }

  /** Brings processing in line with the connection's current senders and receivers. Serialised; never throws. */
  scan(): Promise<void> {
    // Receivers first and synchronously: they must get their transform before the app's next
    // setLocalDescription starts them, not after a slow sender set-up queued before.
    try { this.attachReceivers(); } catch (error) { this.report('receivers', error); }
    this.scanning = this.scanning.then(() => this.scanOnce()).catch((error: unknown) => this.report('scan', error));
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    if (this.detaching !== null) return;
    if (this.pc.signalingState === 'closed') { void this.detach(); return; }
    const work: Promise<void>[] = [];
    for (const sender of this.pc.getSenders()) {
      if (this.pending.has(sender)) continue;
      const track = sender.track;
      const entry = this.senders.get(sender);
      if (entry !== undefined && entry.failed) {
        if (track === entry.original) continue;
        this.senders.delete(sender);
      } else if (entry !== undefined) {
        const processed = entry.audio?.track ?? entry.video?.track ?? null;
        const stopped = entry.audio?.stopped ?? entry.video?.stopped ?? true;
        if (track === processed && !stopped) continue;
        // The app replaced our track (or it ended): let go of this one and take what is there now.
        this.senders.delete(sender);
        void (entry.audio?.stop() ?? entry.video?.stop());
        if (track === processed && entry.original.readyState === 'live') {
          work.push(sender.replaceTrack(entry.original).catch((error: unknown) => this.report('replaceTrack', error)));
          continue;
        }
      }
      if (track === null || track.readyState !== 'live') continue;
      if (track.kind === 'audio' && this.settings.audio !== null) work.push(this.attachAudioSender(sender, track));
      if (track.kind === 'video' && this.settings.video !== null) work.push(this.attachVideoSender(sender, track));
    }
    this.attachReceivers();
    await Promise.all(work);
    this.pairForSync();
  }

  private async attachAudioSender(sender: RTCRtpSender, track: MediaStreamTrack): Promise<void> {
    this.pending.add(sender);
    try {
      const options = this.audioOptionsAt(this.loadLevel);
      const processor = await this.engine.processAudioTrack(track, {
        ...options, ...(this.settings.echoReference ? { farEnd: this.farMix } : {}),
      }, { enableTestHooks: this.settings.testHooks });
      if (this.detaching !== null || sender.track !== track) { await processor.stop(); return; }
      await sender.replaceTrack(processor.track);
      this.senders.set(sender, { kind: 'audio', original: track, audio: processor, video: null, failed: false, missedChecks: 0, checking: false });
    } catch (error) {
      this.report(`audio sender ${track.id}`, error);
    } finally {
      this.pending.delete(sender);
    }
  }

  private async attachVideoSender(sender: RTCRtpSender, track: MediaStreamTrack): Promise<void> {
    this.pending.add(sender);
    try {
      const processor = await this.engine.processVideoTrack(track, this.videoOptionsAt(this.loadLevel));
      if (this.detaching !== null || sender.track !== track) { await processor.stop(); return; }
      await sender.replaceTrack(processor.track);
      this.senders.set(sender, { kind: 'video', original: track, audio: null, video: processor, failed: false, missedChecks: 0, checking: false });
    } catch (error) {
      this.report(`video sender ${track.id}`, error);
    } finally {
      this.pending.delete(sender);
    }
  }

  /**
   * Remote audio feeds the far end; with `receive`, a receiver that has not started (`fresh`) gets the
   * receive path. One already receiving stays with the browser (a transform set now would get no
   * frames and play silence), which stats report as `receivePath: false` with the reason.
   */
  /**
   * The video worker must answer a stats request within VIDEO_WORKER_ANSWER_MS; after
   * VIDEO_WORKER_MISSED_CHECKS silent checks in a row it is taken for dead (crashed, killed, hung)
   * and the sender gets the original camera track back: unprocessed video, never a frozen picture.
   */
  private checkVideoWorker(sender: RTCRtpSender, entry: SenderEntry): void {
    const processor = entry.video;
    if (processor === null || processor.stopped) return;
    entry.checking = true;
    let answered = false;
    void processor.requestStats().then(() => { answered = true; });
    setTimeout(() => {
      entry.checking = false;
      if (this.detaching !== null || entry.failed || processor.stopped) return;
      entry.missedChecks = answered ? 0 : entry.missedChecks + 1;
      if (entry.missedChecks < VIDEO_WORKER_MISSED_CHECKS) return;
      entry.failed = true;
      entry.video = null;
      this.report(`video sender ${entry.original.id}`, new Error('the video worker stopped answering; sending the camera track unprocessed'));
      if (sender.track === processor.track && entry.original.readyState === 'live' && this.pc.signalingState !== 'closed') {
        sender.replaceTrack(entry.original).catch((error: unknown) => this.report('replaceTrack', error));
      }
      void processor.stop();
    }, VIDEO_WORKER_ANSWER_MS);
  }

  private async attachReceiver(receiver: RTCRtpReceiver, fresh: boolean): Promise<void> {
    const track = receiver.track;
    const entry: ReceiverEntry = {
      kind: track.kind === 'video' ? 'video' : 'audio', track, source: null, keepAlive: null, audio: null, video: null,
      note: this.settings.receive !== null && !fresh ? 'already receiving when attached: played by the browser (Chromium gives a transform set now no frames)' : null,
    };
    const receive = fresh ? this.settings.receive : null;
    this.pending.add(receiver);
    try {
      if (entry.kind === 'audio') {
        if (receive !== null) {
          entry.audio = await this.engine.processReceiver(receiver, { context: this.context, ...(receive.jitterBuffer ? { jitterBuffer: receive.jitterBuffer } : {}) });
          if (this.settings.echoReference) entry.audio.node.connect(this.farMix);
        } else if (this.settings.echoReference && this.settings.audio !== null) {
          entry.keepAlive = new Audio();
          entry.keepAlive.muted = true;
          entry.keepAlive.srcObject = new MediaStream([track]);
          entry.keepAlive.play().catch(() => undefined);
          entry.source = this.context.createMediaStreamSource(new MediaStream([track]));
          entry.source.connect(this.farMix);
        }
      } else if (receive !== null && receive.video !== false) {
        entry.video = await this.engine.processVideoReceiver(receiver);
      }
      if (this.detaching !== null) { this.releaseReceiver(receiver, entry); return; }
      this.receivers.set(receiver, entry);
    } catch (error) {
      this.report(`${entry.kind} receiver ${track.id}`, error);
    } finally {
      this.pending.delete(receiver);
    }
  }

  private releaseReceiver(receiver: RTCRtpReceiver, entry: ReceiverEntry): void {
    this.receivers.delete(receiver);
    entry.source?.disconnect();
    if (entry.keepAlive !== null) { entry.keepAlive.pause(); entry.keepAlive.srcObject = null; }
    if (entry.audio !== null) {
      try { entry.audio.node.disconnect(this.farMix); } catch { /* not connected */ }
      void entry.audio.stop();
    }
    if (entry.video !== null) void entry.video.stop();
  }

  /** The first processed audio and video senders are synchronised, as are the first audio and video receivers. */
  private pairForSync(): void {
    if (!this.settings.sync || this.detaching !== null) return;
    if (this.senderSync === null) {
      const entries = [...this.senders.values()];
      const audio = entries.find((e) => e.audio !== null && !e.audio.stopped)?.audio ?? null;
      const video = entries.find((e) => e.video !== null && !e.video.stopped)?.video ?? null;
      if (audio !== null && video !== null) {
        try { this.senderSync = this.engine.syncSenders(audio, video); } catch (error) { this.report('sender sync', error); }
      }
    }
    if (this.receiverSync === null && this.settings.receive !== null) {
      const audio = [...this.receivers.values()].find((e) => e.audio !== null)?.audio ?? null;
      const videoReceiver = [...this.receivers.entries()].find(([, e]) => e.kind === 'video')?.[0] ?? null;
      if (audio !== null && videoReceiver !== null) {
        try { this.receiverSync = audio.syncWith(videoReceiver); } catch (error) { this.report('receiver sync', error); }
      }
    }
  }

  private audioOptionsAt(level: LoadLevel): CallAudioOptions {
    const audio = this.settings.audio as CallAudioOptions;
    const index = LOAD_LEVELS.indexOf(level);
    return {
      ...audio,
      ...(index >= 2 ? { noiseSuppression: 'off' as const } : {}),
      ...(index >= 3 ? { echoCancellation: 'off' as const, gainControl: false } : {}),
    };
  }

  private videoOptionsAt(level: LoadLevel): VideoCorrectionOptions {
    if (LOAD_LEVELS.indexOf(level) >= 1) return { exposure: 0, whiteBalance: 0, denoise: 0, sharpen: 0 };
    return this.settings.video as VideoCorrectionOptions;
  }

  /** One load sample: how much audio the context rendered in the wall time since the last one. */
  private sampleLoad(): void {
    if (this.detaching !== null) return;
    if (this.context.state !== 'running') { this.lastSample = null; return; }
    const now = { wallMs: performance.now(), renderedMs: this.context.currentTime * 1000 };
    const last = this.lastSample;
    this.lastSample = now;
    if (last === null) return;
    const level = this.load.observe(now.wallMs - last.wallMs, now.renderedMs - last.renderedMs, now.wallMs);
    if (level !== this.loadLevel) this.applyLevel(level);
  }

  private applyLevel(level: LoadLevel): void {
    this.loadLevel = level;
    for (const entry of this.senders.values()) {
      try {
        if (entry.audio !== null && !entry.audio.stopped) {
          const { channelCount: _c, disableBrowserEchoCancellation: _d, ...capture } = this.audioOptionsAt(level);
          entry.audio.update(capture as CaptureOptions);
        }
        if (entry.video !== null && !entry.video.stopped) entry.video.update(this.videoOptionsAt(level));
      } catch (error) {
        this.report('load level', error);
      }
    }
  }

  /**
   * TEST HOOK (needs `testHooks: true`): makes every audio sender's capture node cost
   * `iterationsPerStage` busy-loop iterations per enabled stage per render quantum, as on a device
   * too slow for the chain; 0 ends it.
   */
  testSetLoad(iterationsPerStage: number): void {
    if (!this.settings.testHooks) throw new DOMException('testSetLoad needs attachCall(pc, { testHooks: true })', 'InvalidStateError');
    for (const entry of this.senders.values()) entry.audio?.capture.node.port.postMessage({ type: 'load', iterationsPerStage });
  }

  stats(): CallStats {
    const senders: CallSenderStats[] = [];
    for (const entry of this.senders.values()) {
      const processor = entry.audio ?? entry.video;
      if (processor === null) {
        if (entry.failed) senders.push({ kind: entry.kind, trackId: entry.original.id, failed: true, latencyMs: 0, stats: null });
        continue;
      }
      senders.push({ kind: entry.kind, trackId: entry.original.id, failed: false, latencyMs: processor.latencyMs, stats: processor.stats() });
    }
    const receivers: CallReceiverStats[] = [];
    for (const entry of this.receivers.values()) {
      const processor = entry.audio ?? entry.video;
      receivers.push({
        kind: entry.kind, trackId: entry.track.id, receivePath: processor !== null, note: entry.note,
        latencyMs: processor !== null && 'latencyMs' in processor ? Number(processor.latencyMs) : 0,
        stats: processor?.stats() ?? null,
      });
    }
    return {
      senders, receivers, farEndSources: [...this.receivers.values()].filter((e) => e.source !== null || e.audio !== null).length,
      load: this.load.stats(), senderSync: this.senderSync?.stats() ?? null, receiverSync: this.receiverSync?.stats() ?? null,
      errors: [...this.errors], detached: this.detaching !== null,
    };
  }

  /** Puts the app's original tracks back on the senders and stops every processor. Idempotent. */
  detach(): Promise<void> {
    if (this.detaching !== null) return this.detaching;
    this.detaching = (async () => {
      this.pc.removeEventListener('track', this.onTrack);
      this.pc.removeEventListener('negotiationneeded', this.onChange);
      this.pc.removeEventListener('signalingstatechange', this.onChange);
      if (this.scanTimer !== null) clearInterval(this.scanTimer);
      if (this.healthTimer !== null) clearInterval(this.healthTimer);
      if (this.loadTimer !== null) clearInterval(this.loadTimer);
      await this.scanning.catch(() => undefined);
      this.senderSync?.stop();
      this.receiverSync?.stop();
      const work: Promise<unknown>[] = [];
      for (const [sender, entry] of this.senders) {
        const processed = entry.audio?.track ?? entry.video?.track ?? null;
        if (this.pc.signalingState !== 'closed' && sender.track === processed && entry.original.readyState === 'live') {
          work.push(sender.replaceTrack(entry.original).catch((error: unknown) => this.report('restore track', error)));
        }
      }
      await Promise.all(work);
      for (const entry of this.senders.values()) await (entry.audio?.stop() ?? entry.video?.stop());
      this.senders.clear();
      for (const [receiver, entry] of [...this.receivers]) this.releaseReceiver(receiver, entry);
      this.farMix.disconnect();
      if (this.ownsContext && this.context.state !== 'closed') await this.context.close().catch(() => undefined);
    })();
    return this.detaching;
  }

  private report(where: string, error: unknown): void {
    const message = `${where}: ${error instanceof Error ? error.message : String(error)}`;
    if (this.errors.length >= MAX_ERRORS_KEPT) this.errors.shift();
    this.errors.push(message);
  }
}

export { validateAttachOptions };

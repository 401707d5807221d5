// The browser engine: compiles the Wasm once and builds capture processors on AudioContexts.
// It owns at most one AudioContext (created on demand, closed when its last processor stops) unless
// the app passes its own, which it never closes.
import type { WasmFlavor, WasmSources } from '../core/wasm-loader.js';
import { CaptureNode } from './capture-node.js';
import { type AudioTrackOptions, type ValidatedAudioTrackOptions, validateAudioTrackOptions } from './audio-track-options.js';
import { AudioTrackProcessor, type FarEndConnection } from './audio-track-processor.js';
import { defaultCaptureWorkletUrl } from './default-urls.js';
import { isSupported } from './support.js';
import { type CompiledWasm, compileWasm } from './wasm-module.js';
import type { VideoCorrectionOptions } from '../core/video/video-options.js';
import { processVideoTrack, type VideoTrackProcessor } from './video-track-processor.js';
import { processReceiver, type ReceiverOptions, type ReceiverProcessor } from './receive-processor.js';
import { type AttachCallOptions, CallAttachment, validateAttachOptions } from './call-attachment.js';
import { RECEIVE_SAMPLE_RATE_HZ } from './receive-protocol.js';
import { SenderSync, type SenderSyncOptions } from './av-sync.js';
import { processVideoReceiver, type VideoReceiverOptions, type VideoReceiverProcessor } from './video-receive-processor.js';

export interface EngineOptions {
  /** Wasm builds as URLs, bytes or compiled modules. Default: the files shipped in dist/build/. */
  wasm?: WasmSources;
  /** Forces the SIMD or scalar build. Default: SIMD where supported. */
  flavor?: WasmFlavor;
  /** URL of dist/worklets/capture.worklet.js. Default: resolved next to this module. */
  captureWorkletUrl?: string | URL;
  /** An AudioContext to build on; the engine never closes it. Default: one the engine creates. */
  context?: AudioContext;
  /** Sample rate of an engine-created AudioContext. Default: the device's. */
  sampleRate?: number;
}

export interface CaptureNodeOptions {
  /** Enables the worklet's `{type:'fail'}` fault-injection message. For tests only. */
  enableTestHooks?: boolean;
}

export class Engine {
  readonly flavor: WasmFlavor;
  readonly module: WebAssembly.Module;
  private readonly wasm: CompiledWasm;
  private readonly workletUrl: string;
  private readonly sharedContext: AudioContext | null;
  private readonly contextSampleRate: number | undefined;
  private ownContext: AudioContext | null = null;
  /** Processors being built or running on the engine-owned context; it closes when this reaches 0. */
  private ownContextUsers = 0;
  private readonly workletsLoaded = new WeakMap<BaseAudioContext, Promise<void>>();
  private readonly live = new Set<AudioTrackProcessor>();
  private readonly calls = new Set<CallAttachment>();
  private closed = false;

  /** Use createEngine(). */
  constructor(wasm: CompiledWasm, options: EngineOptions) {
    this.wasm = wasm;
    this.flavor = wasm.flavor;
    this.module = wasm.module;
    this.workletUrl = String(options.captureWorkletUrl ?? defaultCaptureWorkletUrl());
    this.sharedContext = options.context ?? null;
    this.contextSampleRate = options.sampleRate;
  }

  isSupported(): boolean {
    return isSupported();
  }

  /** Running AudioTrackProcessors (diagnostics: returns to 0 once every processor was stopped). */
  get liveProcessorCount(): number {
    return this.live.size;
  }

  /** The AudioContext processAudioTrack uses now (null when the engine's own one is closed). */
  get context(): AudioContext | null {
    return this.sharedContext ?? this.ownContext;
  }

  /**
   * Cleans a microphone track. Resolves once the processor runs; `result.track` is the processed
   * track to send. Throws TypeError/RangeError for a bad track or options, InvalidStateError for an
   * ended track or a closed engine.
   */
  async processAudioTrack(track: MediaStreamTrack, options?: AudioTrackOptions, nodeOptions: CaptureNodeOptions = {}): Promise<AudioTrackProcessor> {
    if (this.closed) throw new DOMException('this engine was closed', 'InvalidStateError');
    if (typeof MediaStreamTrack === 'undefined' || !(track instanceof MediaStreamTrack)) {
      throw new TypeError('processAudioTrack needs a MediaStreamTrack');
    }
    if (track.kind !== 'audio') throw new TypeError(`processAudioTrack needs an audio track, got a ${track.kind} track`);
    if (track.readyState === 'ended') throw new DOMException('the audio track has ended', 'InvalidStateError');
    const validated = validateAudioTrackOptions(options);
    const farNode = validated.farEnd !== null && !(validated.farEnd instanceof MediaStreamTrack) ? validated.farEnd : null;
    if (farNode !== null) {
      if (this.sharedContext !== null && farNode.context !== this.sharedContext) {
        throw new DOMException('farEnd belongs to another AudioContext than the engine\'s; play the remote audio through engine.context', 'InvalidAccessError');
      }
      if (typeof AudioContext === 'undefined' || !(farNode.context instanceof AudioContext)) {
        throw new TypeError('a farEnd AudioNode for processAudioTrack must belong to a live AudioContext');
      }
      if (farNode.context.state === 'closed') throw new DOMException('the farEnd node\'s AudioContext is closed', 'InvalidStateError');
    }

    // An AudioNode far end fixes the context: the capture runs where the remote audio is played.
    const borrowed = this.sharedContext ?? (farNode !== null ? farNode.context as AudioContext : null);
    const usesOwn = borrowed === null;
    if (usesOwn) this.ownContextUsers++;
    let usesOwnReleased = false;
    try {
      const context = borrowed ?? this.acquireOwnContext();
      if (context.state === 'closed') throw new DOMException('the AudioContext is closed', 'InvalidStateError');
      const capture = await this.startCaptureNode(context, validated, nodeOptions);
      const source = context.createMediaStreamSource(new MediaStream([track]));
      const destination = context.createMediaStreamDestination();
      destination.channelCount = validated.channelCount;
      let farEnd: FarEndConnection | null = null;
      if (farNode !== null) {
        capture.connectFarEnd(farNode);
        farEnd = { node: farNode, owned: false, playing: false };
      } else if (validated.farEnd instanceof MediaStreamTrack) {
        // The engine plays the remote track itself, so the reference is exactly what is heard.
        const remote = context.createMediaStreamSource(new MediaStream([validated.farEnd]));
        capture.connectFarEnd(remote);
        if (validated.playFarEnd) remote.connect(context.destination);
        farEnd = { node: remote, owned: true, playing: validated.playFarEnd };
      }
      if (validated.farEndInput && validated.disableBrowserEchoCancellation) await switchOffBrowserEchoCancellation(track);
      const processor = new AudioTrackProcessor(track, source, capture, destination, (p) => this.release(p, usesOwn), farEnd);
      if (this.closed) {
        // close() ran while this one was starting: it must not outlive the engine. Its stop()
        // releases the context user, so the catch below must not release it again.
        usesOwnReleased = true;
        await processor.stop();
        throw new DOMException('this engine was closed while the processor was starting', 'InvalidStateError');
      }
      this.live.add(processor);
      // A context created without a user gesture may start suspended; resuming must not block here.
      if (context.state === 'suspended') context.resume().catch(() => undefined);
      return processor;
    } catch (error) {
      if (usesOwn && !usesOwnReleased) await this.dropOwnContextUser();
      throw error;
    }
  }

  /**
   * A capture AudioWorkletNode on any context (e.g. an OfflineAudioContext for rendering files or
   * tests). The caller connects it and calls `stop()` when done.
   */
  async createCaptureNode(context: BaseAudioContext, options?: AudioTrackOptions, nodeOptions: CaptureNodeOptions = {}): Promise<CaptureNode> {
    if (this.closed) throw new DOMException('this engine was closed', 'InvalidStateError');
    const validated = validateAudioTrackOptions(options);
    if (validated.farEnd instanceof MediaStreamTrack) {
      throw new TypeError('createCaptureNode takes an AudioNode farEnd (on the same context); play a remote track through it first');
    }
    if (validated.farEnd !== null && validated.farEnd.context !== context) {
      throw new DOMException('farEnd belongs to another AudioContext than the capture node', 'InvalidAccessError');
    }
    const capture = await this.startCaptureNode(context, validated, nodeOptions);
    if (validated.farEnd !== null) capture.connectFarEnd(validated.farEnd);
    return capture;
  }

  /** Corrects a camera track in a worker with this engine's Wasm (see processVideoTrack). */
  async processVideoTrack(track: MediaStreamTrack, options?: VideoCorrectionOptions): Promise<VideoTrackProcessor> {
    if (this.closed) throw new DOMException('this engine was closed', 'InvalidStateError');
    const processor = await processVideoTrack(track, options, { wasm: this.wasm });
    if (this.closed) {
      await processor.stop();
      throw new DOMException('this engine was closed while the processor was starting', 'InvalidStateError');
    }
    return processor;
  }

  /**
   * Plays a remote audio receiver through sazanami's jitter buffer, decoder and concealment instead
   * of the browser's (see processReceiver); `stop()` hands it back to the browser.
   */
  async processReceiver(receiver: RTCRtpReceiver, options?: ReceiverOptions): Promise<ReceiverProcessor> {
    if (this.closed) throw new DOMException('this engine was closed', 'InvalidStateError');
    return processReceiver(receiver, options, { wasm: this.wasm });
  }

  /**
   * Keeps corrupt pictures off a remote video receiver: forwards only frames whose references
   * arrived, asks for a key frame after a loss, reports freezes (see processVideoReceiver).
   */
  async processVideoReceiver(receiver: RTCRtpReceiver, options?: VideoReceiverOptions): Promise<VideoReceiverProcessor> {
    if (this.closed) throw new DOMException('this engine was closed', 'InvalidStateError');
    return processVideoReceiver(receiver, options);
  }

  /**
   * Lip sync on the send side: keeps a processed audio track and a processed video track of one
   * stream equally late by delaying the shorter path (audio through a DelayNode, video by holding
   * frames in its worker), re-checked every `intervalMs`. Returns the controller; its stop() removes
   * the delays. Throws TypeError when either processor is missing or stopped.
   */
  syncSenders(audio: AudioTrackProcessor, video: VideoTrackProcessor, options?: SenderSyncOptions): SenderSync {
    if (this.closed) throw new DOMException('this engine was closed', 'InvalidStateError');
    if (!(audio instanceof AudioTrackProcessor)) throw new TypeError('syncSenders needs an AudioTrackProcessor (from processAudioTrack) first');
    if (typeof video !== 'object' || video === null || typeof video.setSyncDelayMs !== 'function') {
      throw new TypeError('syncSenders needs a VideoTrackProcessor (from processVideoTrack) second');
    }
    if (audio.stopped || video.stopped) throw new DOMException('syncSenders needs running processors', 'InvalidStateError');
    return new SenderSync(audio, video, options);
  }

  /**
   * Adds sazanami to a call that already exists, in one line: every local audio sender gets NS + AEC
   * + AGC with the remote audio as the echo canceller's far end, every local video sender video
   * correction, and (with `receive`) remote audio/video the receive path — including tracks added
   * later. `detach()` restores the app's original tracks. See src/browser/call-attachment.ts.
   */
  async attachCall(pc: RTCPeerConnection, options?: AttachCallOptions): Promise<CallAttachment> {
    if (this.closed) throw new DOMException('this engine was closed', 'InvalidStateError');
    if (typeof RTCPeerConnection === 'undefined' || !(pc instanceof RTCPeerConnection)) throw new TypeError('attachCall needs an RTCPeerConnection');
    if (pc.signalingState === 'closed') throw new DOMException('the RTCPeerConnection is closed', 'InvalidStateError');
    const settings = validateAttachOptions(options);
    const shared = this.sharedContext;
    if (shared !== null && settings.receive !== null && shared.sampleRate !== RECEIVE_SAMPLE_RATE_HZ) {
      throw new RangeError(`attachCall with receive plays at ${RECEIVE_SAMPLE_RATE_HZ} Hz; the engine's AudioContext runs at ${shared.sampleRate} Hz`);
    }
    // One context for capture, far-end mix and playout, so the echo reference is sample-exact.
    const context = shared ?? new AudioContext({ sampleRate: RECEIVE_SAMPLE_RATE_HZ, latencyHint: 'interactive' });
    const call = new CallAttachment(this, pc, context, shared === null, settings);
    this.calls.add(call);
    try {
      await call.start();
    } catch (error) {
      await call.detach();
      this.calls.delete(call);
      throw error;
    }
    return call;
  }

  /** Stops every processor and closes the engine's own AudioContext. The engine cannot be reused. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.calls].map((call) => call.detach()));
    this.calls.clear();
    await Promise.all([...this.live].map((processor) => processor.stop()));
  }

  /** Loads the worklet on `context` and builds a capture node; resolves once it runs (a failed one is stopped). */
  private async startCaptureNode(context: BaseAudioContext, validated: ValidatedAudioTrackOptions, nodeOptions: CaptureNodeOptions): Promise<CaptureNode> {
    await this.loadWorklet(context);
    const capture = new CaptureNode(context, { wasm: this.wasm, options: validated, enableTestHooks: nodeOptions.enableTestHooks === true });
    try {
      await capture.ready;
    } catch (error) {
      await capture.stop();
      throw error;
    }
    return capture;
  }

  private acquireOwnContext(): AudioContext {
    if (this.ownContext === null || this.ownContext.state === 'closed') {
      this.ownContext = new AudioContext({
        latencyHint: 'interactive',
        ...(this.contextSampleRate !== undefined ? { sampleRate: this.contextSampleRate } : {}),
      });
    }
    return this.ownContext;
  }

  private loadWorklet(context: BaseAudioContext): Promise<void> {
    let loading = this.workletsLoaded.get(context);
    if (loading === undefined) {
      loading = context.audioWorklet.addModule(this.workletUrl);
      this.workletsLoaded.set(context, loading);
      loading.catch(() => this.workletsLoaded.delete(context));
    }
    return loading.catch((error: unknown) => {
      throw new Error(`could not load the capture worklet from ${this.workletUrl}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private async release(processor: AudioTrackProcessor, usesOwn: boolean): Promise<void> {
    this.live.delete(processor);
    if (usesOwn) await this.dropOwnContextUser();
  }

  private async dropOwnContextUser(): Promise<void> {
    this.ownContextUsers--;
    if (this.ownContextUsers > 0 || this.ownContext === null) return;
    const context = this.ownContext;
    this.ownContext = null;
    if (context.state !== 'closed') await context.close();
  }
}

/**
 * Asks the browser to stop its own echo cancellation on the microphone track (it ignores Web Audio
 * playback and would fight sazanami's canceller). Best effort: a device that refuses keeps going.
 */
async function switchOffBrowserEchoCancellation(track: MediaStreamTrack): Promise<void> {
  try {
    if (track.getSettings().echoCancellation === false) return;
    await track.applyConstraints({ ...track.getConstraints(), echoCancellation: false });
  } catch {
    // Not supported by this device or browser: sazanami's canceller still runs.
  }
}

/** Loads and compiles the Wasm once (SIMD where supported) and returns an engine. */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  if (typeof options !== 'object' || options === null) throw new TypeError('createEngine options must be an object');
  if (options.flavor !== undefined && options.flavor !== 'simd' && options.flavor !== 'scalar') {
    throw new RangeError(`flavor must be 'simd' or 'scalar', got '${String(options.flavor)}'`);
  }
  if (options.sampleRate !== undefined && (!Number.isInteger(options.sampleRate) || options.sampleRate < 8000 || options.sampleRate > 384000)) {
    throw new RangeError(`sampleRate must be an integer 8000–384000 Hz, got ${String(options.sampleRate)}`);
  }
  const wasm = await compileWasm(options.wasm, options.flavor);
  return new Engine(wasm, options);
}

// Options of processAudioTrack / createCaptureNode: the capture options (src/core/options.ts) plus
// how many channels to process and where the echo canceller's far end comes from. Validated here,
// at the public edge, with clear TypeError/RangeError.
import { type CaptureOptions, validateCaptureOptions } from '../core/options.js';

/**
 * The far end for the echo canceller: what the speakers play. An AudioNode on the capture's
 * AudioContext (e.g. the gain node the remote audio is played through: the reference is then
 * exact), or the remote MediaStreamTrack (the engine plays it through its own AudioContext).
 */
export type FarEndSource = AudioNode | MediaStreamTrack;

export interface AudioTrackOptions extends CaptureOptions {
  /** 1 (default): the input is down-mixed to mono and processed once; 2: each channel on its own. */
  channelCount?: 1 | 2;
  /**
   * The far end (see FarEndSource). Giving one turns echo cancellation on (`'balanced'`) unless
   * `echoCancellation` says otherwise. Default: none (with echo cancellation on, connect one later
   * to the node's input FAR_END_INPUT).
   */
  farEnd?: FarEndSource;
  /**
   * For a MediaStreamTrack far end: also play it through the AudioContext's speakers, which makes
   * the reference exactly what is heard (mute the track's own media element then). Default `true`.
   * An AudioNode far end is never played by the engine: route it to the speakers yourself.
   */
  playFarEnd?: boolean;
  /**
   * processAudioTrack only: while sazanami cancels echo, ask the browser to switch its own echo
   * canceller off on the input track (`applyConstraints({ echoCancellation: false })`, best effort:
   * it cannot cancel Web Audio playback and would fight ours). Default `true`.
   */
  disableBrowserEchoCancellation?: boolean;
}

export interface ValidatedAudioTrackOptions {
  capture: Required<CaptureOptions>;
  channelCount: 1 | 2;
  farEnd: FarEndSource | null;
  playFarEnd: boolean;
  disableBrowserEchoCancellation: boolean;
  /** The capture node gets a far-end input (echo cancellation on, or a far end given). */
  farEndInput: boolean;
}

function isAudioNode(value: unknown): value is AudioNode {
  return typeof AudioNode !== 'undefined' && value instanceof AudioNode;
}

function isMediaStreamTrack(value: unknown): value is MediaStreamTrack {
  return typeof MediaStreamTrack !== 'undefined' && value instanceof MediaStreamTrack;
}

export function validateAudioTrackOptions(options: unknown): ValidatedAudioTrackOptions {
  if (options === undefined || options === null) {
    return { capture: validateCaptureOptions(undefined), channelCount: 1, farEnd: null, playFarEnd: true, disableBrowserEchoCancellation: true, farEndInput: false };
  }
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`audio track options must be an object, got ${Array.isArray(options) ? 'an array' : typeof options}`);
  }
  const { channelCount = 1, farEnd, playFarEnd = true, disableBrowserEchoCancellation = true, ...capture } = options as AudioTrackOptions;
  if (channelCount !== 1 && channelCount !== 2) {
    throw new RangeError(`channelCount must be 1 or 2, got ${String(channelCount)}`);
  }
  if (typeof playFarEnd !== 'boolean') throw new TypeError(`playFarEnd must be a boolean, got ${typeof playFarEnd}`);
  if (typeof disableBrowserEchoCancellation !== 'boolean') {
    throw new TypeError(`disableBrowserEchoCancellation must be a boolean, got ${typeof disableBrowserEchoCancellation}`);
  }
  if (farEnd !== undefined) {
    if (isMediaStreamTrack(farEnd)) {
      if (farEnd.kind !== 'audio') throw new TypeError(`farEnd must be an audio track, got a ${farEnd.kind} track`);
      if (farEnd.readyState === 'ended') throw new DOMException('the farEnd track has ended', 'InvalidStateError');
    } else if (!isAudioNode(farEnd)) {
      throw new TypeError('farEnd must be an AudioNode or an audio MediaStreamTrack');
    }
  }
  // A far end means echo cancellation unless the caller chose a level (or off) explicitly.
  const withDefaultEcho = farEnd !== undefined && capture.echoCancellation === undefined ? { ...capture, echoCancellation: true } : capture;
  const validated = validateCaptureOptions(withDefaultEcho);
  return {
    capture: validated, channelCount, farEnd: farEnd ?? null, playFarEnd, disableBrowserEchoCancellation,
    farEndInput: farEnd !== undefined || validated.echoCancellation !== 'off',
  };
}

// Decides, frame by frame, whether a received encoded video frame can be decoded cleanly: it is
// forwarded to the decoder only if every frame it references was forwarded, so a lost frame never
// turns into a smeared picture; it is dropped otherwise, and the receiver asks for a key frame.
// (The decodability rule of libwebrtc's frame buffer, `modules/video_coding/frame_buffer2.cc` /
// `api/video/frame_buffer.cc`, applied before the browser's own buffer.)
//
// Two modes, chosen per frame by what the frame's metadata carries:
//  - 'dependencies': a frame id and the ids it references (Chromium 156 fills these in
//    `RTCEncodedVideoFrame.getMetadata()` — frameId, dependencies — only when the RTP dependency
//    descriptor extension was negotiated; then for VP8, VP9 and AV1 alike). A frame whose
//    references have not arrived yet (frames can complete out of order after retransmission) is
//    held for at most `reorderWaitMs`; a reference known lost drops it at once.
//  - 'chain': no frame ids (the default VP8/VP9/AV1/H.264 call in Chromium 156). Every delta frame is
//    taken to reference the frame before it (true for single-layer streams): after any frame is lost
//    or dropped, deltas are dropped until the next key frame.
//
// Loss is known to the tracker in two ways: `markLost()` (a frame the caller dropped, e.g. the test
// hook), or, in 'dependencies' mode, a held frame whose reference never came. Frames the browser's
// packet buffer never completed are invisible to a receiver transform; in 'chain' mode only the
// browser's own reference finder catches those.
//
// Statistics follow the W3C webrtc-stats definitions where one exists: a freeze is an interval
// between forwarded frames longer than max(3 × mean interval, mean + 150 ms).
// Pure logic: no browser APIs, no allocation per frame; all storage is sized at construction.

export const FRAME_DECISION = {
  /** Decodable now: pass it on. */
  forward: 0,
  /** Never decodable (a reference is lost, or it is a duplicate): discard it. */
  drop: 1,
  /** A reference has not arrived yet: keep it in `heldSlot`; `nextReleased()`/`nextExpired()` decide later. */
  hold: 2,
} as const;
export type FrameDecision = (typeof FRAME_DECISION)[keyof typeof FRAME_DECISION];

export type FrameTrackingMode = 'dependencies' | 'chain';

export interface FrameDependencyOptions {
  /** Longest a frame waits for a reference that has not arrived, ms. Default 100. */
  reorderWaitMs?: number;
  /** Frames that can wait at once (more are dropped). Default 8. */
  maxHeldFrames?: number;
  /**
   * While waiting for a key frame, the request is repeated after this long, ms. Default 100. A
   * libwebrtc sender honours at most one request per 300 ms and discards the others
   * (EncoderRtcpFeedback, kMinKeyframeSendIntervalMs), so a loss soon after a key frame needs a retry.
   */
  keyFrameRetryMs?: number;
}

export const FRAME_DEPENDENCY_DEFAULTS: Required<FrameDependencyOptions> = { reorderWaitMs: 100, maxHeldFrames: 8, keyFrameRetryMs: 100 };

/** Recoveries kept in the statistics' `recentRecoveries`. */
export const RECOVERY_LOG_SIZE = 32;
/** Frame ids remembered (forwarded or dropped); references further back count as lost. */
export const FRAME_HISTORY = 1024;
/** References kept per held frame (the dependency descriptor allows at most 15 per frame). */
export const MAX_FRAME_DEPENDENCIES = 16;

const STATUS_UNKNOWN = 0;
const STATUS_FORWARDED = 1;
const STATUS_DROPPED = 2;
/** webrtc-stats freeze rule: interval > max(3 × mean, mean + 150 ms). */
const FREEZE_FACTOR = 3;
const FREEZE_MARGIN_MS = 150;
/** Weight of a new interval in the running mean frame interval (≈ the last 16 frames). */
const INTERVAL_SMOOTHING = 1 / 16;

export interface FrameDependencyStats {
  mode: FrameTrackingMode | null;
  framesIn: number;
  framesForwarded: number;
  keyFramesForwarded: number;
  /** Frames dropped because a frame they reference was lost or dropped (or never came). */
  framesDroppedMissingReference: number;
  /** Frames the caller reported lost (markLost). */
  framesLost: number;
  /** Copies of a frame id already forwarded (Chromium re-delivers some frames at the start of a call). */
  duplicateFrames: number;
  /** Frames that had to wait for a reference. */
  framesHeld: number;
  keyFrameRequests: number;
  freezeCount: number;
  freezeTotalMs: number;
  /** Losses recovered from: loss → the next frame forwarded that does not depend on it. */
  recoveries: number;
  lastRecoveryMs: number;
  meanRecoveryMs: number;
  maxRecoveryMs: number;
  /**
   * The last RECOVERY_LOG_SIZE recoveries, oldest first: when the loss happened (caller's clock), how
   * long it took, ms, and how many frames were lost (markLost) before it ended.
   */
  recentRecoveries: { lossAtMs: number; recoveryMs: number; losses: number }[];
  /** True while frames are being dropped until a key frame arrives. */
  waitingForKeyFrame: boolean;
  meanFrameIntervalMs: number;
}

export class FrameDependencyTracker {
  /** After `push` returned HOLD: the slot (0 … maxHeldFrames − 1) the caller keeps that frame in. */
  heldSlot = -1;
  private readonly reorderWaitMs: number;
  private readonly maxHeld: number;
  private readonly keyFrameRetryMs: number;
  private readonly historyIds = new Float64Array(FRAME_HISTORY).fill(-1);
  private readonly historyStatus = new Uint8Array(FRAME_HISTORY);
  private newestId = -1;
  private readonly heldUsed: Uint8Array;
  private readonly heldIds: Float64Array;
  private readonly heldSinceMs: Float64Array;
  private readonly heldTimestamps: Float64Array;
  private readonly heldDependencyCounts: Uint8Array;
  private readonly heldDependencies: Float64Array;
  private chainBroken = true;
  private waitingForKey = false;
  private lastKeyRequestMs = -Infinity;
  private lossStartMs = NaN;
  private lastForwardMs = NaN;
  private lastForwardTimestamp = NaN;
  private recoveryTotalMs = 0;
  private lossesInEpisode = 0;
  /** Ring of (lossAtMs, recoveryMs, losses) triples. */
  private readonly recoveryLog = new Float64Array(3 * RECOVERY_LOG_SIZE);
  private readonly counters: FrameDependencyStats = FrameDependencyTracker.zeroStats();

  constructor(options: FrameDependencyOptions = {}) {
    const o = validateFrameDependencyOptions(options);
    this.reorderWaitMs = o.reorderWaitMs;
    this.maxHeld = o.maxHeldFrames;
    this.keyFrameRetryMs = o.keyFrameRetryMs;
    this.heldUsed = new Uint8Array(this.maxHeld);
    this.heldIds = new Float64Array(this.maxHeld);
    this.heldSinceMs = new Float64Array(this.maxHeld);
    this.heldTimestamps = new Float64Array(this.maxHeld);
    this.heldDependencyCounts = new Uint8Array(this.maxHeld);
    this.heldDependencies = new Float64Array(this.maxHeld * MAX_FRAME_DEPENDENCIES);
  }

  /**
   * Decides for one received frame. `frameId` < 0 (or NaN) and `dependencies` null mean the
   * metadata has none ('chain' mode, where `isKey` starts a new chain); with ids, a frame without
   * dependencies is the independent one. `rtpTimestamp` only feeds the freeze statistics.
   */
  push(isKey: boolean, frameId: number, dependencies: ArrayLike<number> | null, rtpTimestamp: number, nowMs: number): FrameDecision {
    this.counters.framesIn++;
    this.heldSlot = -1;
    const hasIds = frameId >= 0 && dependencies !== null;
    this.counters.mode = hasIds ? 'dependencies' : 'chain';
    if (!hasIds) return this.pushChain(isKey, rtpTimestamp, nowMs);

    if (this.statusOf(frameId) === STATUS_FORWARDED) { this.counters.duplicateFrames++; return FRAME_DECISION.drop; }
    // With ids, a frame is independent when it references nothing (the upper spatial layers of a
    // key picture are 'key' frames that still reference the base layer).
    if (dependencies.length === 0) {
      this.dropHeldOlderThan(frameId);
      this.forwarded(frameId, true, rtpTimestamp, nowMs);
      return FRAME_DECISION.forward;
    }
    let missing = false;
    for (let i = 0; i < dependencies.length; i++) {
      const status = this.statusOf(dependencies[i]);
      if (status === STATUS_DROPPED) return this.dropForMissingReference(frameId, nowMs);
      if (status === STATUS_UNKNOWN) missing = true;
    }
    if (!missing) {
      this.forwarded(frameId, false, rtpTimestamp, nowMs);
      return FRAME_DECISION.forward;
    }
    const slot = dependencies.length <= MAX_FRAME_DEPENDENCIES ? this.freeHeldSlot() : -1;
    if (slot < 0) return this.dropForMissingReference(frameId, nowMs);
    this.heldUsed[slot] = 1;
    this.heldIds[slot] = frameId;
    this.heldSinceMs[slot] = nowMs;
    this.heldTimestamps[slot] = rtpTimestamp;
    this.heldDependencyCounts[slot] = dependencies.length;
    for (let i = 0; i < dependencies.length; i++) this.heldDependencies[slot * MAX_FRAME_DEPENDENCIES + i] = dependencies[i];
    this.noteId(frameId);
    this.counters.framesHeld++;
    this.heldSlot = slot;
    return FRAME_DECISION.hold;
  }

  /**
   * A frame that will never arrive (dropped by the caller). `frameId` < 0 when the metadata has no
   * ids: the chain is broken and a key frame is needed at once. With ids, `referenced` says later
   * frames will reference it (base temporal layer): the key frame is then asked for at once instead
   * of when the first frame that references it arrives.
   */
  markLost(frameId: number, nowMs: number, referenced = true): void {
    this.counters.framesLost++;
    if (Number.isNaN(this.lossStartMs)) this.lossStartMs = nowMs;
    this.lossesInEpisode++;
    if (frameId >= 0) {
      if (this.statusOf(frameId) !== STATUS_FORWARDED) {
        this.setStatus(frameId, STATUS_DROPPED);
        if (referenced) this.waitingForKey = true;
      }
    } else {
      this.chainBroken = true;
      this.waitingForKey = true;
    }
  }

  /** A held frame that has become decodable (now counted as forwarded), or −1. Call until −1 after each forward. */
  nextReleased(nowMs: number): number {
    for (let slot = 0; slot < this.maxHeld; slot++) {
      if (this.heldUsed[slot] === 0) continue;
      let ready = true;
      const base = slot * MAX_FRAME_DEPENDENCIES;
      for (let i = 0; i < this.heldDependencyCounts[slot]; i++) {
        if (this.statusOf(this.heldDependencies[base + i]) !== STATUS_FORWARDED) { ready = false; break; }
      }
      if (!ready) continue;
      this.heldUsed[slot] = 0;
      this.forwarded(this.heldIds[slot], false, this.heldTimestamps[slot], nowMs);
      return slot;
    }
    return -1;
  }

  /**
   * A held frame to discard now (a reference is known lost, or it waited `reorderWaitMs`), or −1.
   * Its references count as lost from then on. Call until −1 on each frame and on a timer.
   */
  nextExpired(nowMs: number): number {
    for (let slot = 0; slot < this.maxHeld; slot++) {
      if (this.heldUsed[slot] === 0) continue;
      let lost = nowMs - this.heldSinceMs[slot] >= this.reorderWaitMs;
      const base = slot * MAX_FRAME_DEPENDENCIES;
      for (let i = 0; i < this.heldDependencyCounts[slot] && !lost; i++) {
        if (this.statusOf(this.heldDependencies[base + i]) === STATUS_DROPPED) lost = true;
      }
      if (!lost) continue;
      this.heldUsed[slot] = 0;
      for (let i = 0; i < this.heldDependencyCounts[slot]; i++) {
        const id = this.heldDependencies[base + i];
        if (this.statusOf(id) === STATUS_UNKNOWN) this.setStatus(id, STATUS_DROPPED);
      }
      this.dropForMissingReference(this.heldIds[slot], nowMs);
      return slot;
    }
    return -1;
  }

  /** True when a key frame should be requested now (at once after a loss, then every keyFrameRetryMs while waiting). */
  shouldRequestKeyFrame(nowMs: number): boolean {
    if (!this.waitingForKey || nowMs - this.lastKeyRequestMs < this.keyFrameRetryMs) return false;
    this.lastKeyRequestMs = nowMs;
    this.counters.keyFrameRequests++;
    return true;
  }

  /** True while frames are dropped until a key frame arrives. */
  get waitingForKeyFrame(): boolean {
    return this.waitingForKey;
  }

  /** Frames waiting for a reference. */
  get heldCount(): number {
    let count = 0;
    for (let slot = 0; slot < this.maxHeld; slot++) count += this.heldUsed[slot];
    return count;
  }

  /** Copies the statistics into `into` or a new object (allocates: call it for reports, not per frame). */
  stats(into: FrameDependencyStats = FrameDependencyTracker.zeroStats()): FrameDependencyStats {
    Object.assign(into, this.counters);
    const logged = Math.min(this.counters.recoveries, RECOVERY_LOG_SIZE);
    into.recentRecoveries = [];
    for (let i = this.counters.recoveries - logged; i < this.counters.recoveries; i++) {
      const slot = i % RECOVERY_LOG_SIZE;
      into.recentRecoveries.push({ lossAtMs: this.recoveryLog[3 * slot], recoveryMs: this.recoveryLog[3 * slot + 1], losses: this.recoveryLog[3 * slot + 2] });
    }
    into.meanRecoveryMs = this.counters.recoveries > 0 ? this.recoveryTotalMs / this.counters.recoveries : 0;
    into.waitingForKeyFrame = this.waitingForKey;
    return into;
  }

  static zeroStats(): FrameDependencyStats {
    return {
      mode: null, framesIn: 0, framesForwarded: 0, keyFramesForwarded: 0, framesDroppedMissingReference: 0, framesLost: 0, duplicateFrames: 0,
      framesHeld: 0, keyFrameRequests: 0, freezeCount: 0, freezeTotalMs: 0, recoveries: 0, lastRecoveryMs: 0, meanRecoveryMs: 0, maxRecoveryMs: 0,
      recentRecoveries: [], waitingForKeyFrame: false, meanFrameIntervalMs: 0,
    };
  }

  private pushChain(isKey: boolean, rtpTimestamp: number, nowMs: number): FrameDecision {
    if (isKey) {
      this.chainBroken = false;
      this.forwarded(-1, true, rtpTimestamp, nowMs);
      return FRAME_DECISION.forward;
    }
    if (this.chainBroken) return this.dropForMissingReference(-1, nowMs);
    this.forwarded(-1, false, rtpTimestamp, nowMs);
    return FRAME_DECISION.forward;
  }

  private dropForMissingReference(frameId: number, nowMs: number): FrameDecision {
    if (frameId >= 0) this.setStatus(frameId, STATUS_DROPPED);
    this.counters.framesDroppedMissingReference++;
    this.waitingForKey = true;
    // A drop before any frame was ever forwarded is the start of the stream, not a loss.
    if (Number.isNaN(this.lossStartMs) && this.counters.framesForwarded > 0) this.lossStartMs = nowMs;
    return FRAME_DECISION.drop;
  }

  private forwarded(frameId: number, isKey: boolean, rtpTimestamp: number, nowMs: number): void {
    if (frameId >= 0) this.setStatus(frameId, STATUS_FORWARDED);
    const c = this.counters;
    c.framesForwarded++;
    if (isKey) { c.keyFramesForwarded++; this.waitingForKey = false; }
    if (!Number.isNaN(this.lossStartMs) && !this.waitingForKey) {
      const recoveryMs = nowMs - this.lossStartMs;
      const slot = c.recoveries % RECOVERY_LOG_SIZE;
      this.recoveryLog[3 * slot] = this.lossStartMs;
      this.recoveryLog[3 * slot + 1] = recoveryMs;
      this.recoveryLog[3 * slot + 2] = this.lossesInEpisode;
      this.lossStartMs = NaN;
      this.lossesInEpisode = 0;
      c.recoveries++;
      c.lastRecoveryMs = recoveryMs;
      this.recoveryTotalMs += recoveryMs;
      if (recoveryMs > c.maxRecoveryMs) c.maxRecoveryMs = recoveryMs;
    }
    // Freeze statistics on distinct pictures (re-delivered copies share the RTP timestamp).
    if (rtpTimestamp === this.lastForwardTimestamp) return;
    if (!Number.isNaN(this.lastForwardMs)) {
      const intervalMs = nowMs - this.lastForwardMs;
      const mean = c.meanFrameIntervalMs;
      if (mean > 0 && intervalMs > Math.max(FREEZE_FACTOR * mean, mean + FREEZE_MARGIN_MS)) {
        c.freezeCount++;
        c.freezeTotalMs += intervalMs;
      } else {
        c.meanFrameIntervalMs = mean > 0 ? mean + INTERVAL_SMOOTHING * (intervalMs - mean) : intervalMs;
      }
    }
    this.lastForwardMs = nowMs;
    this.lastForwardTimestamp = rtpTimestamp;
  }

  private dropHeldOlderThan(frameId: number): void {
    for (let slot = 0; slot < this.maxHeld; slot++) {
      if (this.heldUsed[slot] === 1 && this.heldIds[slot] < frameId) {
        // Superseded by a key frame: no key request needed, the frame is simply not shown.
        this.heldUsed[slot] = 0;
        this.setStatus(this.heldIds[slot], STATUS_DROPPED);
        this.counters.framesDroppedMissingReference++;
      }
    }
  }

  private freeHeldSlot(): number {
    for (let slot = 0; slot < this.maxHeld; slot++) if (this.heldUsed[slot] === 0) return slot;
    return -1;
  }

  private noteId(frameId: number): void {
    if (frameId > this.newestId) this.newestId = frameId;
  }

  private statusOf(frameId: number): number {
    const slot = frameId % FRAME_HISTORY;
    if (this.historyIds[slot] === frameId) return this.historyStatus[slot];
    // Older than the history (or overwritten): cannot be proven forwarded.
    return frameId <= this.newestId - FRAME_HISTORY ? STATUS_DROPPED : STATUS_UNKNOWN;
  }

  private setStatus(frameId: number, status: number): void {
    const slot = frameId % FRAME_HISTORY;
    this.historyIds[slot] = frameId;
    this.historyStatus[slot] = status;
    this.noteId(frameId);
  }
}

/**
 * An independent check of what was forwarded: counts forwarded frames whose references were not
 * all forwarded before them (must stay 0). With ids it checks each reference; without, it checks
 * that no frame received since the last forwarded key frame was withheld.
 */
export class ForwardAudit {
  forwardedWithMissingReference = 0;
  private readonly ids = new Float64Array(FRAME_HISTORY).fill(-1);
  private withheldSinceKey = true;

  /** Every frame received (forwarded or not), in arrival order, ids mode or not. */
  received(forwarded: boolean, isKey: boolean, frameId: number, dependencies: ArrayLike<number> | null): void {
    if (frameId >= 0 && dependencies !== null) {
      if (!forwarded) return;
      for (let i = 0; i < dependencies.length; i++) {
        if (this.ids[dependencies[i] % FRAME_HISTORY] !== dependencies[i]) { this.forwardedWithMissingReference++; break; }
      }
      this.ids[frameId % FRAME_HISTORY] = frameId;
      return;
    }
    if (!forwarded) { this.withheldSinceKey = true; return; }
    if (isKey) this.withheldSinceKey = false;
    else if (this.withheldSinceKey) this.forwardedWithMissingReference++;
  }

  /** A frame the caller dropped before the tracker saw it (lost). */
  lost(): void {
    this.withheldSinceKey = true;
  }
}

export function validateFrameDependencyOptions(options: FrameDependencyOptions): Required<FrameDependencyOptions> {
  if (typeof options !== 'object' || options === null) throw new TypeError('frame dependency options must be an object');
  const number = (key: keyof FrameDependencyOptions, low: number, high: number, integer: boolean): number => {
    const value = options[key] ?? FRAME_DEPENDENCY_DEFAULTS[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < low || value > high || (integer && !Number.isInteger(value))) {
      throw new RangeError(`${key} must be ${integer ? 'an integer' : 'a number'} from ${low} to ${high}, got ${String(value)}`);
    }
    return value;
  };
  return {
    reorderWaitMs: number('reorderWaitMs', 0, 2000, false),
    maxHeldFrames: number('maxHeldFrames', 1, 64, true),
    keyFrameRetryMs: number('keyFrameRetryMs', 10, 10_000, false),
  };
}

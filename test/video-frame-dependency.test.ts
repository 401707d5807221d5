// FrameDependencyTracker (receiver-side video loss handling): never forwards a frame whose
// references were not forwarded, asks for a key frame at once after a loss (rate-limited), waits
// briefly for out-of-order references, and reports freezes and recovery times.
import { describe, expect, it } from 'vitest';
import { FRAME_DECISION, FRAME_DEPENDENCY_DEFAULTS, ForwardAudit, FrameDependencyTracker } from '../src/core/video/frame-dependency-tracker.js';
import { seededRandom } from '../src/core/seeded-random.js';
import { validateVideoReceiveSettings } from '../src/browser/video-receive-protocol.js';

const FRAME_MS = 33;
const TICKS_PER_FRAME = 3000;

describe('FrameDependencyTracker', () => {
  it('chain mode (no frame ids): drops deltas after a loss until the next key frame and asks for it at once', () => {
    const tracker = new FrameDependencyTracker({ keyFrameRetryMs: 200 });
    const audit = new ForwardAudit();
    const decisions: number[] = [];
    let requests = 0;
    for (let i = 0; i < 20; i++) {
      const now = i * FRAME_MS;
      if (i === 5) { tracker.markLost(-1, now); audit.lost(); }
      else {
        const key = i === 0 || i === 12;
        const decision = tracker.push(key, -1, null, i * TICKS_PER_FRAME, now);
        audit.received(decision === FRAME_DECISION.forward, key, -1, null);
        decisions.push(decision);
      }
      if (tracker.shouldRequestKeyFrame(now)) requests++;
    }
    const s = tracker.stats();
    expect(s.mode).toBe('chain');
    // 0–4 forwarded, 5 lost, 6–11 dropped, 12 (key) – 19 forwarded.
    expect(s.framesForwarded).toBe(5 + 8);
    expect(s.framesDroppedMissingReference).toBe(6);
    expect(decisions.slice(5, 11).every((d) => d === FRAME_DECISION.drop)).toBe(true);
    expect(requests).toBe(1);  // at the loss (t = 165 ms); the key frame (396 ms) comes before the 200 ms retry
    expect(s.recoveries).toBe(1);
    expect(s.lastRecoveryMs).toBe((12 - 5) * FRAME_MS);
    expect(audit.forwardedWithMissingReference).toBe(0);
  });

  it('dependencies mode: only frames that reference a lost frame are dropped (a lost top temporal layer costs nothing)', () => {
    // L1T3: frame i references the last frame of a lower-or-equal layer: T0 → T0 (i−4), T2 (odd) → i−1, T1 (i%4 = 2) → i−2.
    const deps = (i: number): number[] => (i === 0 ? [] : i % 4 === 0 ? [i - 4] : i % 2 === 1 ? [i - 1] : [i - 2]);
    const tracker = new FrameDependencyTracker({ keyFrameRetryMs: 200 });
    const audit = new ForwardAudit();
    let requests = 0;
    for (let i = 0; i < 40; i++) {
      const now = i * FRAME_MS;
      if (i === 9) { tracker.markLost(i, now, false); continue; }  // a T2 frame: nothing references it
      const decision = tracker.push(i === 0, i, deps(i), i * TICKS_PER_FRAME, now);
      audit.received(decision === FRAME_DECISION.forward, i === 0, i, deps(i));
      if (tracker.shouldRequestKeyFrame(now)) requests++;
    }
    let s = tracker.stats();
    expect(s.mode).toBe('dependencies');
    expect(s.framesForwarded).toBe(39);
    expect(s.framesDroppedMissingReference).toBe(0);
    expect(requests).toBe(0);
    expect(s.lastRecoveryMs).toBe(FRAME_MS);

    // Losing a T0 frame (40) breaks everything after it until an independent frame (52).
    for (let i = 40; i < 60; i++) {
      const now = i * FRAME_MS;
      if (i === 40) { tracker.markLost(i, now); continue; }
      const d = i === 52 ? [] : deps(i);
      const decision = tracker.push(i === 52, i, d, i * TICKS_PER_FRAME, now);
      audit.received(decision === FRAME_DECISION.forward, i === 52, i, d);
      if (tracker.shouldRequestKeyFrame(now)) requests++;
    }
    s = tracker.stats();
    expect(s.framesDroppedMissingReference).toBe(11);  // 41–51
    expect(requests).toBe(2);  // at 41 (1353 ms), again at 1584 ms (frame 48), none after the key
    expect(s.lastRecoveryMs).toBe(12 * FRAME_MS);
    expect(s.maxRecoveryMs).toBe(12 * FRAME_MS);
    expect(s.recentRecoveries).toEqual([{ lossAtMs: 9 * FRAME_MS, recoveryMs: FRAME_MS, losses: 1 }, { lossAtMs: 40 * FRAME_MS, recoveryMs: 12 * FRAME_MS, losses: 1 }]);
    expect(audit.forwardedWithMissingReference).toBe(0);
  });

  it('holds a frame whose reference is late and releases it when the reference arrives', () => {
    const tracker = new FrameDependencyTracker({ reorderWaitMs: 100 });
    expect(tracker.push(true, 1, [], 0, 0)).toBe(FRAME_DECISION.forward);
    expect(tracker.push(false, 3, [2], 6000, 10)).toBe(FRAME_DECISION.hold);
    const slot = tracker.heldSlot;
    expect(tracker.nextExpired(20)).toBe(-1);
    expect(tracker.push(false, 2, [1], 3000, 30)).toBe(FRAME_DECISION.forward);
    expect(tracker.nextReleased(30)).toBe(slot);
    expect(tracker.nextReleased(30)).toBe(-1);
    expect(tracker.push(false, 4, [3], 9000, 40)).toBe(FRAME_DECISION.forward);
    const s = tracker.stats();
    expect(s.framesHeld).toBe(1);
    expect(s.framesForwarded).toBe(4);
    expect(s.keyFrameRequests).toBe(0);
  });

  it('gives up on a reference that never comes after reorderWaitMs, drops what depends on it and asks for a key frame', () => {
    const tracker = new FrameDependencyTracker({ reorderWaitMs: 100, keyFrameRetryMs: 200 });
    tracker.push(true, 1, [], 0, 0);
    expect(tracker.push(false, 3, [2], 6000, 10)).toBe(FRAME_DECISION.hold);
    expect(tracker.shouldRequestKeyFrame(10)).toBe(false);
    expect(tracker.nextExpired(109)).toBe(-1);
    expect(tracker.nextExpired(110)).toBe(0);
    expect(tracker.shouldRequestKeyFrame(110)).toBe(true);
    // Frame 2 turning up later no longer helps: 3 is gone, so 4 is dropped too.
    expect(tracker.push(false, 2, [1], 3000, 120)).toBe(FRAME_DECISION.forward);
    expect(tracker.push(false, 4, [3], 9000, 130)).toBe(FRAME_DECISION.drop);
    expect(tracker.shouldRequestKeyFrame(130)).toBe(false);  // rate-limited: 200 ms
    expect(tracker.shouldRequestKeyFrame(310)).toBe(true);
    expect(tracker.push(true, 5, [], 12000, 320)).toBe(FRAME_DECISION.forward);
    expect(tracker.shouldRequestKeyFrame(600)).toBe(false);
    expect(tracker.stats().keyFrameRequests).toBe(2);
  });

  it('drops re-delivered copies of a forwarded frame but forwards a copy of one that was lost', () => {
    const tracker = new FrameDependencyTracker();
    expect(tracker.push(true, 1, [], 0, 0)).toBe(FRAME_DECISION.forward);
    expect(tracker.push(true, 1, [], 0, 3)).toBe(FRAME_DECISION.drop);
    tracker.markLost(2, 33);
    expect(tracker.push(false, 2, [1], 3000, 36)).toBe(FRAME_DECISION.forward);
    expect(tracker.stats().duplicateFrames).toBe(1);
  });

  it('counts a 500 ms gap in a 30 fps stream as one freeze (webrtc-stats rule) and steady frames as none', () => {
    const tracker = new FrameDependencyTracker();
    let now = 0;
    for (let i = 0; i < 60; i++) {
      now += i === 30 ? 500 : FRAME_MS;
      tracker.push(i === 0, -1, null, i * TICKS_PER_FRAME, now);
    }
    const s = tracker.stats();
    expect(s.freezeCount).toBe(1);
    expect(s.freezeTotalMs).toBe(500);
    expect(s.meanFrameIntervalMs).toBeCloseTo(FRAME_MS, 6);
  });

  it('never forwards an undecodable frame under 2 % seeded loss with reordering, in both modes (10 000 frames)', () => {
    for (const withIds of [true, false]) {
      const random = seededRandom(withIds ? 11 : 12);
      const tracker = new FrameDependencyTracker({ reorderWaitMs: 80 });
      const audit = new ForwardAudit();
      // Reference decoder state: which ids were really given to the decoder, for an independent check.
      const decoded = new Set<number>();
      let corrupt = 0, lost = 0, keyRequests = 0, keyDueAt = Infinity, nextKey = false;
      const held: ({ id: number; deps: number[] } | null)[] = new Array(8).fill(null);
      const deliver = (id: number, deps: number[]) => {
        if (deps.some((d) => !decoded.has(d))) corrupt++;
        decoded.add(id);
      };
      const drain = (now: number) => {
        for (let slot = tracker.nextReleased(now); slot >= 0; slot = tracker.nextReleased(now)) { const h = held[slot]!; held[slot] = null; deliver(h.id, h.deps); audit.received(true, false, h.id, h.deps); }
        for (let slot = tracker.nextExpired(now); slot >= 0; slot = tracker.nextExpired(now)) held[slot] = null;
      };
      let pendingSwap: { id: number; deps: number[]; key: boolean } | null = null;
      let lastKeyId = 0;
      for (let id = 0; id < 10_000; id++) {
        const now = id * FRAME_MS;
        const key = id === 0 || nextKey || id % 300 === 0;
        if (key && id > 0 && nextKey) nextKey = false;
        if (key) lastKeyId = id;
        const deps = key ? [] : [id - 1 >= lastKeyId ? id - 1 : lastKeyId];
        const arrive = (frame: { id: number; deps: number[]; key: boolean }) => {
          const decision = withIds ? tracker.push(frame.key, frame.id, frame.deps, frame.id * TICKS_PER_FRAME, now) : tracker.push(frame.key, -1, null, frame.id * TICKS_PER_FRAME, now);
          if (decision === FRAME_DECISION.forward) deliver(frame.id, frame.deps);
          if (decision === FRAME_DECISION.hold) held[tracker.heldSlot] = { id: frame.id, deps: frame.deps };
          audit.received(decision === FRAME_DECISION.forward, frame.key, withIds ? frame.id : -1, withIds ? frame.deps : null);
          drain(now);
        };
        if (random() < 0.02) {
          lost++;
          tracker.markLost(withIds ? id : -1, now);
          audit.lost();
        } else if (withIds && pendingSwap === null && !key && random() < 0.02) {
          pendingSwap = { id, deps, key };  // arrives after the next frame
        } else {
          arrive({ id, deps, key });
          if (pendingSwap !== null) { arrive(pendingSwap); pendingSwap = null; }
        }
        drain(now);
        if (tracker.shouldRequestKeyFrame(now)) { keyRequests++; if (keyDueAt === Infinity) keyDueAt = now + 2 * FRAME_MS; }
        if (now >= keyDueAt) { nextKey = true; keyDueAt = Infinity; }
      }
      const s = tracker.stats();
      expect(corrupt).toBe(0);
      expect(audit.forwardedWithMissingReference).toBe(0);
      expect(s.framesLost).toBe(lost);
      expect(lost).toBeGreaterThan(150);
      expect(keyRequests).toBeGreaterThanOrEqual(lost * 0.5);
      // The key frame comes 2 frame intervals after the request ("round trip"), so a loss is recovered
      // from within ≈ 3–4 frames; a lost key frame costs one retry (keyFrameRetryMs) and a new round
      // trip, a loss during recovery another (this seed's worst case: 12 frames).
      expect(s.meanRecoveryMs).toBeLessThanOrEqual(5 * FRAME_MS);
      expect(s.maxRecoveryMs).toBeLessThanOrEqual(2 * (FRAME_DEPENDENCY_DEFAULTS.keyFrameRetryMs + 3 * FRAME_MS));
      expect(s.framesForwarded).toBeGreaterThan(0.8 * 10_000);
      if (withIds) expect(s.framesHeld).toBeGreaterThan(50);
    }
  });

  it('rejects bad options with a RangeError', () => {
    expect(() => new FrameDependencyTracker({ reorderWaitMs: -1 })).toThrow(RangeError);
    expect(() => new FrameDependencyTracker({ maxHeldFrames: 1.5 })).toThrow(RangeError);
    expect(() => new FrameDependencyTracker({ keyFrameRetryMs: Number.NaN })).toThrow(RangeError);
  });

  it('validates the settings the worker receives from another thread (defaults filled, bad values rejected)', () => {
    expect(validateVideoReceiveSettings({})).toEqual({ reorderWaitMs: 100, maxHeldFrames: 8, keyFrameRetryMs: 100, injectLossRate: 0, seed: 1, bypassTracker: false });
    expect(() => validateVideoReceiveSettings(null)).toThrow(TypeError);
    expect(() => validateVideoReceiveSettings('start')).toThrow(TypeError);
    expect(() => validateVideoReceiveSettings({ injectLossRate: '0.1' })).toThrow(RangeError);
    expect(() => validateVideoReceiveSettings({ seed: 1.5 })).toThrow(RangeError);
    expect(() => validateVideoReceiveSettings({ maxHeldFrames: 1000 })).toThrow(RangeError);
    expect(() => validateVideoReceiveSettings({ bypassTracker: 1 })).toThrow(TypeError);
  });
});

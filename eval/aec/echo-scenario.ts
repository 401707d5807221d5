// AEC evaluation conditions: far-end speech played through a (soft-clipping) loudspeaker and an
// echo path into the microphone, near-end speech in a double-talk window, and an echo-path change.
// Timeline (s): 0–8 far-end single talk · 8–13.7 double talk · 13.7–15 far single talk · at 15 the
// echo path changes · 15–22 far-end single talk.
import { FIXTURE_SAMPLE_RATE_HZ, NsFixtures } from '../fixtures.js';
import { seededGaussian } from './aec-metrics.js';
import { convolve, normalizeEchoReturnLoss, resample, type Room, roomImpulseResponse, softClip, sparseEchoPath } from './room-simulator.js';

export const SCENARIO_SECONDS = 22;
export const DOUBLE_TALK_START_SEC = 8;
export const PATH_CHANGE_SEC = 15;
/** Levels: far end −26 dBov active (fixtures), near end scaled to this active level. */
export const NEAR_END_LEVEL_DBOV = -29;
export const MIC_NOISE_DBFS = -90;

export interface EchoPath {
  describe: string;
  make(sampleRate: number): Float32Array;
}

export interface EchoCondition {
  id: string;
  description: string;
  before: EchoPath;
  after: EchoPath;
  loudspeakerDrive: number | null;
}

export interface EchoSignals {
  sampleRate: number;
  far: Float32Array;
  mic: Float32Array;
  echo: Float32Array;
  near: Float32Array;
  nearStart: number;
  nearEnd: number;
  changeAt: number;
}

const room = (name: string, dims: [number, number, number], rt60Sec: number, source: [number, number, number], mic: [number, number, number]): Room =>
  ({ name, dimensionsM: dims, rt60Sec, sourceM: source, micM: mic });

function roomPath(r: Room, delayMs: number, erlDb: number): EchoPath {
  const lengthSec = Math.min(0.6, Math.max(0.25, r.rt60Sec));
  return { describe: `${r.name} RT60 ${r.rt60Sec}s +${delayMs}ms`, make: (rate) => normalizeEchoReturnLoss(roomImpulseResponse(r, rate, lengthSec, delayMs), erlDb) };
}

function linePath(delayMs: number, bursts: { atMs: number; gain: number; spreadMs: number }[], seed: number, erlDb: number): EchoPath {
  return { describe: `sparse ${delayMs}ms`, make: (rate) => normalizeEchoReturnLoss(sparseEchoPath(rate, delayMs, bursts, seed), erlDb) };
}

const office = room('office', [4, 3.5, 2.7], 0.2, [1.2, 1.5, 1.0], [1.5, 1.4, 1.1]);
const officeMoved = room('office', [4, 3.5, 2.7], 0.2, [1.2, 1.5, 1.0], [2.0, 1.2, 1.2]);
const living = room('living room', [6, 4.5, 2.8], 0.35, [2.0, 1.0, 1.1], [2.6, 1.3, 1.0]);
const livingMoved = room('living room', [6, 4.5, 2.8], 0.35, [2.0, 1.0, 1.1], [3.5, 2.0, 1.3]);
const hall = room('meeting room', [8, 6, 3.2], 0.5, [3.0, 2.0, 1.2], [3.4, 2.5, 1.1]);

export const ECHO_CONDITIONS: EchoCondition[] = [
  { id: 'office-40ms', description: 'office RT60 0.2 s, device delay 40 ms → mic moved, 60 ms', before: roomPath(office, 40, 6), after: roomPath(officeMoved, 60, 6), loudspeakerDrive: 2 },
  { id: 'living-120ms', description: 'living room RT60 0.35 s, 120 ms → mic moved', before: roomPath(living, 120, 6), after: roomPath(livingMoved, 120, 6), loudspeakerDrive: 2 },
  { id: 'meeting-250ms', description: 'meeting room RT60 0.5 s, 250 ms → 320 ms', before: roomPath(hall, 250, 6), after: roomPath(hall, 320, 6), loudspeakerDrive: 2 },
  { id: 'g168-sparse-20ms', description: 'G.168-style sparse path, 20 ms → other hybrid 44 ms', before: linePath(20, [{ atMs: 0, gain: 1, spreadMs: 4 }], 7, 10), after: linePath(44, [{ atMs: 0, gain: 1, spreadMs: 6 }], 11, 10), loudspeakerDrive: null },
  { id: 'g168-sparse-2x-64ms', description: 'G.168-style two bursts (64 ms + 30 ms later) → single 100 ms', before: linePath(64, [{ atMs: 0, gain: 1, spreadMs: 5 }, { atMs: 30, gain: 0.5, spreadMs: 5 }], 3, 8), after: linePath(100, [{ atMs: 0, gain: 1, spreadMs: 5 }], 5, 8), loudspeakerDrive: null },
];

/** Far-end and near-end speech at `sampleRate`, cached per rate. */
export class SpeechSource {
  private readonly fixtures = NsFixtures.open();
  private readonly cache = new Map<string, Float32Array>();

  utterance(id: string, sampleRate: number): Float32Array {
    const key = `${id}@${sampleRate}`;
    let x = this.cache.get(key);
    if (x === undefined) {
      x = resample(this.fixtures.utterance(id), FIXTURE_SAMPLE_RATE_HZ, sampleRate);
      this.cache.set(key, x);
    }
    return x;
  }

  get ids(): string[] {
    return this.fixtures.utteranceIds;
  }
}

export function buildScenario(condition: EchoCondition, speech: SpeechSource, sampleRate: number): EchoSignals {
  const total = SCENARIO_SECONDS * sampleRate;
  const ids = speech.ids;
  const nearId = ids[2 % ids.length];
  const far = new Float32Array(total);
  let pos = 0, i = 0;
  while (pos < total) {
    const id = ids[i++ % ids.length];
    if (id === nearId) continue;
    const u = speech.utterance(id, sampleRate);
    far.set(u.subarray(0, Math.min(u.length, total - pos)), pos);
    pos += u.length + Math.round(0.25 * sampleRate);
  }
  const played = condition.loudspeakerDrive === null ? far : softClip(far, condition.loudspeakerDrive);
  const changeAt = PATH_CHANGE_SEC * sampleRate;
  const echoBefore = convolve(played, condition.before.make(sampleRate));
  const echoAfter = convolve(played, condition.after.make(sampleRate));
  const echo = new Float32Array(total);
  echo.set(echoBefore.subarray(0, changeAt));
  echo.set(echoAfter.subarray(changeAt), changeAt);
  const nearUtterance = speech.utterance(nearId, sampleRate);
  const nearStart = DOUBLE_TALK_START_SEC * sampleRate;
  const nearEnd = Math.min(changeAt - sampleRate, nearStart + nearUtterance.length);
  const near = new Float32Array(total);
  const nearGain = 10 ** ((NEAR_END_LEVEL_DBOV + 26) / 20); // fixtures are at −26 dBov active level
  for (let n = nearStart; n < nearEnd; n++) near[n] = nearUtterance[n - nearStart] * nearGain;
  const noise = seededGaussian(total, 1234, 10 ** (MIC_NOISE_DBFS / 20));
  const mic = new Float32Array(total);
  for (let n = 0; n < total; n++) mic[n] = echo[n] + near[n] + noise[n];
  return { sampleRate, far, mic, echo, near, nearStart, nearEnd, changeAt };
}

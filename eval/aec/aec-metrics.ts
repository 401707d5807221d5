// AEC metrics on a known scenario (the echo and near-end components of the microphone are known):
// ERLE = 10·log10(Σ mic² / Σ out²) over far-end single talk; convergence time = first 0.5 s window
// whose ERLE reaches 10/20 dB; near-end preservation in double talk = SDR and segmental SNR of the
// output against the near-end speech alone; recovery = time after the echo-path change until a
// window reaches 20 dB ERLE again; residual echo level in dBFS (RMS re full scale).
import { segmentalSnrDb } from '../metrics/snr.js';
import type { EchoSignals } from './echo-scenario.js';

const WINDOW_SEC = 0.5;
const HOP_SEC = 0.1;
/** Windows whose echo is below this mean square (−65 dBFS) are far-end pauses: skipped. */
const MIN_ECHO_POWER = 10 ** (-65 / 10);

export interface AecScores {
  steadyErleDb: number;
  timeTo10DbSec: number | null;
  timeTo20DbSec: number | null;
  doubleTalkSdrDb: number;
  doubleTalkSegSnrDb: number;
  recoveryTo20DbSec: number | null;
  afterChangeErleDb: number;
  residualEchoDbfs: number;
}

export function seededGaussian(length: number, seed: number, sigma: number): Float32Array {
  let state = seed >>> 0;
  const uniform = () => { state = (state + 0x6d2b79f5) >>> 0; let t = state; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  const out = new Float32Array(length);
  for (let i = 0; i < length; i += 2) {
    const r = sigma * Math.sqrt(-2 * Math.log(Math.max(uniform(), 1e-12))), a = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(a);
    if (i + 1 < length) out[i + 1] = r * Math.sin(a);
  }
  return out;
}

const energy = (x: Float32Array, from: number, to: number): number => { let s = 0; for (let i = from; i < to; i++) s += x[i] * x[i]; return s; };
const db = (ratio: number): number => 10 * Math.log10(Math.max(ratio, 1e-30));

/** First time (s, from `from`) when a window's ERLE reaches `targetDb`, or null. */
function timeToErle(s: EchoSignals, out: Float32Array, from: number, to: number, targetDb: number): number | null {
  const w = Math.round(WINDOW_SEC * s.sampleRate), hop = Math.round(HOP_SEC * s.sampleRate);
  for (let start = from; start + w <= to; start += hop) {
    if (energy(s.echo, start, start + w) / w < MIN_ECHO_POWER) continue;
    if (db(energy(s.mic, start, start + w) / energy(out, start, start + w)) >= targetDb) return (start + w - from) / s.sampleRate;
  }
  return null;
}

export function scoreAec(s: EchoSignals, out: Float32Array): AecScores {
  const r = s.sampleRate;
  const steadyFrom = 4 * r, steadyTo = s.nearStart;
  const afterFrom = s.changeAt + 4 * r, afterTo = s.mic.length;
  // Near-end preservation over the double-talk window.
  let sig = 0, err = 0;
  for (let n = s.nearStart; n < s.nearEnd; n++) { sig += s.near[n] ** 2; err += (out[n] - s.near[n]) ** 2; }
  const nearRef = s.near.subarray(s.nearStart, s.nearEnd), outDt = out.subarray(s.nearStart, s.nearEnd);
  return {
    steadyErleDb: db(energy(s.mic, steadyFrom, steadyTo) / energy(out, steadyFrom, steadyTo)),
    timeTo10DbSec: timeToErle(s, out, 0, s.nearStart, 10),
    timeTo20DbSec: timeToErle(s, out, 0, s.nearStart, 20),
    doubleTalkSdrDb: db(sig / err),
    doubleTalkSegSnrDb: segmentalSnrDb(nearRef, outDt, r),
    recoveryTo20DbSec: timeToErle(s, out, s.changeAt, s.mic.length, 20),
    afterChangeErleDb: db(energy(s.mic, afterFrom, afterTo) / energy(out, afterFrom, afterTo)),
    residualEchoDbfs: db(energy(out, steadyFrom, steadyTo) / (steadyTo - steadyFrom)),
  };
}

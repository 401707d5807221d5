// `tsx eval/aec/diagnose.ts [--rate=16000] [--level=balanced]`: where the double-talk SDR of
// eval/aec/run.ts goes, per condition (a diagnostic, not part of the table). Splits the error over
// the double-talk window into frames with and without near-end speech, and compares with two extra
// runs of the same chain: echo only (the residual echo without double talk) and near end only with a
// silent far end (what the chain does to the near end by itself, e.g. the DC blocker). A third run
// with the near end inverted splits the output into a near-end part, (out(+near) − out(−near))/2,
// and an echo part, the half sum; with an adaptive canceller the split is approximate.
import { loadEngineCore, processOffline } from '../../src/core/offline.js';
import type { EchoCancellationLevel } from '../../src/core/options.js';
import { buildScenario, ECHO_CONDITIONS, SpeechSource } from './echo-scenario.js';

const core = await loadEngineCore();
const speech = new SpeechSource();
const rate = Number(process.argv.find((a) => a.startsWith('--rate='))?.slice('--rate='.length) ?? 16000);
const level = (process.argv.find((a) => a.startsWith('--level='))?.slice('--level='.length) ?? 'balanced') as EchoCancellationLevel;
/** Frames whose near-end mean square exceeds this (−50 dBFS) count as near-end active. */
const NEAR_ACTIVE_POWER = 1e-5;
const db = (x: number): number => 10 * Math.log10(Math.max(x, 1e-30));
const f1 = (x: number): string => x.toFixed(1).padStart(5);
const run = (mic: Float32Array, far: Float32Array): Float32Array =>
  processOffline(core, [mic], rate, { noiseSuppression: 'off', echoCancellation: level }, undefined, { samples: far }).channels[0];

console.log(`double-talk SDR breakdown, sazanami-${level} @${rate / 1000}k (dB re the near end's energy over the window; higher is better)`);
let sumSdr = 0;
for (const c of ECHO_CONDITIONS) {
  const s = buildScenario(c, speech, rate);
  const out = run(s.mic, s.far);
  const frame = rate / 100;
  let sig = 0, err = 0, errActive = 0, errPause = 0, echoEnergy = 0;
  for (let f = s.nearStart; f + frame <= s.nearEnd; f += frame) {
    let ne = 0, ee = 0, ec = 0;
    for (let n = f; n < f + frame; n++) { ne += s.near[n] ** 2; ee += (out[n] - s.near[n]) ** 2; ec += s.echo[n] ** 2; }
    sig += ne; err += ee; echoEnergy += ec;
    if (ne / frame > NEAR_ACTIVE_POWER) errActive += ee; else errPause += ee;
  }
  const micEcho = new Float32Array(s.mic.length), micInverted = new Float32Array(s.mic.length);
  for (let n = 0; n < s.mic.length; n++) { micEcho[n] = s.mic[n] - s.near[n]; micInverted[n] = s.mic[n] - 2 * s.near[n]; }
  const outEcho = run(micEcho, s.far);
  const outNear = run(s.near, new Float32Array(s.far.length));
  const outInverted = run(micInverted, s.far);
  let residualEcho = 0, nearOnly = 0, nearPart = 0, echoPart = 0;
  for (let n = s.nearStart; n < s.nearEnd; n++) {
    residualEcho += outEcho[n] ** 2;
    nearOnly += (outNear[n] - s.near[n]) ** 2;
    nearPart += ((out[n] - outInverted[n]) / 2 - s.near[n]) ** 2;
    echoPart += ((out[n] + outInverted[n]) / 2) ** 2;
  }
  const sdr = db(sig / err);
  sumSdr += sdr;
  console.log(`${c.id.padEnd(22)} SDR ${f1(sdr)} | error in near-end frames ${f1(db(sig / errActive))}, in pauses ${f1(db(sig / errPause))}`
    + ` | echo-only residual ${f1(db(sig / residualEcho))} | near-only distortion ${f1(db(sig / nearOnly))}`
    + ` | split: near ${f1(db(sig / nearPart))} echo ${f1(db(sig / echoPart))} | echo re near ${f1(db(echoEnergy / sig))}`);
}
console.log(`mean SDR ${(sumSdr / ECHO_CONDITIONS.length).toFixed(2)}`);

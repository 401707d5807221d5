// `tsx eval/aec/run.ts [--quick] [--no-nlms]`: the AEC evaluation table. Every condition of
// echo-scenario.ts through: no processing, a plain NLMS canceller (16 kHz only: it is slow in JS),
// and sazanami's capture chain (echo cancellation presets, NS off) at 16 and 48 kHz. Prints the
// table and writes eval/results/aec.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadEngineCore, processOffline } from '../../src/core/offline.js';
import type { EchoCancellationLevel } from '../../src/core/options.js';
import { type AecScores, scoreAec } from './aec-metrics.js';
import { buildScenario, ECHO_CONDITIONS, type EchoSignals, NEAR_END_LEVEL_DBOV, SpeechSource } from './echo-scenario.js';
import { nlmsCancel } from './nlms-baseline.js';

interface AecSystem {
  name: string;
  rate: number;
  run(s: EchoSignals): Float32Array;
}

const quick = process.argv.includes('--quick');
const withNlms = !process.argv.includes('--no-nlms');
const only = process.argv.find((a) => a.startsWith('--conditions='))?.slice('--conditions='.length).split(',');
const core = await loadEngineCore();
const speech = new SpeechSource();

const sazanami = (level: EchoCancellationLevel, rate: number): AecSystem => ({
  name: `sazanami-${level} @${rate / 1000}k`,
  rate,
  run: (s) => processOffline(core, [s.mic], s.sampleRate, { noiseSuppression: 'off', echoCancellation: level }, undefined, { samples: s.far }).channels[0],
});

let systems: AecSystem[] = [
  { name: 'none @16k', rate: 16000, run: (s) => s.mic },
  ...(withNlms ? [{ name: 'NLMS 375 ms @16k', rate: 16000, run: (s: EchoSignals) => nlmsCancel(s.mic, s.far, 6000, 0.5) }] : []),
  sazanami('light', 16000), sazanami('balanced', 16000), sazanami('strong', 16000),
  sazanami('balanced', 48000),
];
if (quick) systems = systems.filter((s) => s.name.startsWith('sazanami-balanced'));
const conditions = ECHO_CONDITIONS.filter((c) => !only || only.some((o) => c.id.includes(o)));

const started = performance.now();
const results: Record<string, Record<string, AecScores>> = {};
const scenarios = new Map<number, EchoSignals[]>();
for (const system of systems) {
  let list = scenarios.get(system.rate);
  if (list === undefined) {
    list = conditions.map((c) => buildScenario(c, speech, system.rate));
    scenarios.set(system.rate, list);
  }
  results[system.name] = {};
  conditions.forEach((c, i) => {
    results[system.name][c.id] = scoreAec(list![i], system.run(list![i]));
  });
}

const f = (x: number | null, d = 1): string => (x === null ? '—' : Number.isFinite(x) ? x.toFixed(d) : String(x));
const mean = (xs: (number | null)[]): number | null => (xs.some((x) => x === null) ? null : xs.reduce<number>((a, b) => a + (b as number), 0) / xs.length);
const worst = (xs: (number | null)[]): number | null => (xs.some((x) => x === null) ? null : Math.max(...(xs as number[])));
const cols = ['steady ERLE dB', 't→10dB s', 't→20dB s', 'DT SDR dB', 'DT segSNR dB', 'recovery→20dB s', 'ERLE after chg dB', 'residual dBFS'];
const row = (name: string, s: AecScores[]): string => [name.padEnd(26),
  f(mean(s.map((x) => x.steadyErleDb))), f(worst(s.map((x) => x.timeTo10DbSec)), 2), f(worst(s.map((x) => x.timeTo20DbSec)), 2),
  f(mean(s.map((x) => x.doubleTalkSdrDb))), f(mean(s.map((x) => x.doubleTalkSegSnrDb))), f(worst(s.map((x) => x.recoveryTo20DbSec)), 2),
  f(mean(s.map((x) => x.afterChangeErleDb))), f(mean(s.map((x) => x.residualEchoDbfs)))].map((v, i) => (i === 0 ? v : v.padStart(i === 0 ? 0 : cols[i - 1].length))).join('  ');

console.log(`\nEcho cancellation — ${conditions.length} conditions (image-method rooms RT60 0.2/0.35/0.5 s with a soft-clipping loudspeaker, G.168-style sparse paths),`);
console.log(`device delay 20–320 ms, far end −26 dBov, near end ${NEAR_END_LEVEL_DBOV} dBov, echo-path change at 15 s; NS off`);
console.log('means over conditions; times are the worst condition ("—": never reached); anchor speexdsp (tuned): 34.8 dB / 1.5 s / DT SDR 24.8 dB\n');
console.log(['system'.padEnd(26), ...cols].join('  '));
for (const system of systems) console.log(row(system.name, conditions.map((c) => results[system.name][c.id])));
console.log('\nper condition (steady ERLE / t→10 dB / DT SDR / recovery→20 dB):');
console.log(['system'.padEnd(26), ...conditions.map((c) => c.id.padStart(24))].join(' '));
for (const system of systems) {
  console.log([system.name.padEnd(26), ...conditions.map((c) => {
    const s = results[system.name][c.id];
    return `${f(s.steadyErleDb)}/${f(s.timeTo10DbSec, 2)}/${f(s.doubleTalkSdrDb)}/${f(s.recoveryTo20DbSec, 2)}`.padStart(24);
  })].join(' '));
}
console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s, ${core.simd ? 'SIMD' : 'scalar'} build)`);
mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
const file = new URL(quick ? '../results/aec-quick.json' : '../results/aec.json', import.meta.url);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), conditions: ECHO_CONDITIONS.map((c) => ({ id: c.id, description: c.description })), results }, null, 2));
console.log(`wrote ${file.pathname}`);

// `npm run eval`: the objective evaluation table. Noise suppression: sazanami's presets against
// RNNoise and Speex on the same fixtures, plus the unprocessed input. Prints a table and writes
// eval/results/ns.json. `--quick` scores two utterances only (for tuning loops).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadEngineCore, processOffline } from '../src/core/offline.js';
import type { NoiseSuppressionLevel } from '../src/core/options.js';
import { NsFixtures } from './fixtures.js';
import { evaluateNs, NOISE_TYPES, type NsSystem, type NsSystemSummary } from './ns-eval.js';
import { enhanceAligned, estimateDelay, type EnhancerFactory, loadRnnoise, loadRnnoiseJitsi, loadSpeex, runEnhancer } from './peers.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--systems='))?.slice('--systems='.length).split(',');

const fixtures = NsFixtures.open();
const core = await loadEngineCore();

function sazanami(level: NoiseSuppressionLevel): NsSystem {
  return {
    name: `sazanami-${level}`,
    enhance: (noisy, rate) => processOffline(core, [noisy], rate, { noiseSuppression: level }).channels[0],
  };
}

function peer(name: string, factory: EnhancerFactory): NsSystem {
  // Measure the peer's delay once on clean speech, then remove it from every output.
  const probe = fixtures.utterance(fixtures.utteranceIds[0]);
  const probeEnhancer = factory();
  const delay = estimateDelay(probe, runEnhancer(probeEnhancer, probe, 3000), 2400);
  probeEnhancer.destroy();
  console.log(`${name}: measured delay ${delay} samples (${(delay / 48).toFixed(1)} ms)`);
  return {
    name,
    enhance: (noisy) => {
      // A fresh state per file, as sazanami gets.
      const enhancer = factory();
      try {
        return enhanceAligned(enhancer, noisy, delay);
      } finally {
        enhancer.destroy();
      }
    },
  };
}

const unprocessed: NsSystem = { name: 'unprocessed', enhance: (noisy) => noisy };
let systems: NsSystem[] = [unprocessed, sazanami('light'), sazanami('balanced'), sazanami('strong'),
  peer('speex', await loadSpeex()), peer('rnnoise', await loadRnnoise()), peer('rnnoise-jitsi', await loadRnnoiseJitsi())];
if (only) systems = systems.filter((s) => only.some((o) => s.name.includes(o)));

const utteranceIds = quick ? fixtures.utteranceIds.slice(0, 2) : fixtures.utteranceIds;
const started = performance.now();
const { summaries, details } = evaluateNs(fixtures, systems, {
  utteranceIds,
  onCondition: (system, i, total) => {
    if (process.stderr.isTTY) process.stderr.write(`\r${system}: ${i}/${total}   `);
  },
});
if (process.stderr.isTTY) process.stderr.write('\n');

const f = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));
const pad = (s: string, n: number) => s.padStart(n);
console.log(`\nNoise suppression — ${summaries[0]?.conditions ?? 0} conditions (${utteranceIds.length} utterances × ${NOISE_TYPES.length} noises × 0/5/10/15 dB), 48 kHz`);
console.log('gain = output − input; LSD/STOI of output vs clean; "clean" columns: system run on clean speech (LSD ≤ 11 kHz)\n');
const header = ['system', 'segSNR gain', 'SNR gain', 'LSD dB', 'LSD≤11k dB', 'STOI', 'clean segSNR', 'clean LSD', 'clean STOI'];
console.log(header.map((h, i) => (i === 0 ? h.padEnd(18) : pad(h, 12))).join(' '));
for (const s of summaries) {
  console.log([s.system.padEnd(18), pad(f(s.meanSegSnrGainDb), 12), pad(f(s.meanSnrGainDb), 12), pad(f(s.meanLsdDb), 12),
    pad(f(s.meanLsdSpeechBandDb), 12), pad(f(s.meanStoi, 3), 12), pad(f(s.cleanSpeech.segSnrDb), 12), pad(f(s.cleanSpeech.lsdSpeechBandDb), 12), pad(f(s.cleanSpeech.stoi, 3), 12)].join(' '));
}
console.log('\nsegSNR gain (dB) by noise type');
console.log(['system'.padEnd(18), ...NOISE_TYPES.map((n) => pad(n, 9))].join(' '));
for (const s of summaries) console.log([s.system.padEnd(18), ...NOISE_TYPES.map((n) => pad(f(s.segSnrGainByNoise[n] ?? NaN), 9))].join(' '));
console.log('\nLSD (dB) by noise type');
console.log(['system'.padEnd(18), ...NOISE_TYPES.map((n) => pad(n, 9))].join(' '));
for (const s of summaries) console.log([s.system.padEnd(18), ...NOISE_TYPES.map((n) => pad(f(s.lsdByNoise[n] ?? NaN), 9))].join(' '));
console.log('\nsegSNR gain (dB) by input SNR');
const snrKeys = Object.keys(summaries[0]?.segSnrGainBySnr ?? {});
console.log(['system'.padEnd(18), ...snrKeys.map((k) => pad(k, 9))].join(' '));
for (const s of summaries) console.log([s.system.padEnd(18), ...snrKeys.map((k) => pad(f(s.segSnrGainBySnr[k]), 9))].join(' '));

const find = (name: string): NsSystemSummary | undefined => summaries.find((s) => s.system === name);
const balanced = find('sazanami-balanced');
if (balanced) {
  for (const peerSummary of ['speex', 'rnnoise', 'rnnoise-jitsi'].map(find).filter((s) => s !== undefined)) {
    console.log(`balanced vs ${peerSummary.system.padEnd(8)} segSNR gain ${f(balanced.meanSegSnrGainDb - peerSummary.meanSegSnrGainDb)} dB, ` +
      `LSD ${f(balanced.meanLsdDb - peerSummary.meanLsdDb)} dB, LSD≤11k ${f(balanced.meanLsdSpeechBandDb - peerSummary.meanLsdSpeechBandDb)} dB ` +
      `(negative is better), STOI ${f(balanced.meanStoi - peerSummary.meanStoi, 3)}`);
  }
}
console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s, ${core.simd ? 'SIMD' : 'scalar'} build)`);

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL(quick ? './results/ns-quick.json' : './results/ns.json', import.meta.url);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), quick, summaries, details }, null, 2));
console.log(`wrote ${file.pathname}`);

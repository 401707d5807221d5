// Makes the built-in demo sample (demo/samples/noisy-speech.wav): two fixture utterances, one
// after the other, in fan noise at 5 dB SNR and then white noise at 10 dB. Run after `npm run fixtures`.
import { writeFileSync } from 'node:fs';
import { writeWav } from '../src/core/wav.js';
import { NsFixtures } from '../eval/fixtures.js';
import { mixAtSnr } from '../eval/mix.js';

const fixtures = NsFixtures.open();
const parts = [
  mixAtSnr(fixtures.utterance('en-us-f1'), fixtures.noise('fan'), 5),
  mixAtSnr(fixtures.utterance('en-us-m1'), fixtures.noise('white'), 10, 48000),
];
const total = parts.reduce((n, p) => n + p.length, 0);
const sample = new Float32Array(total);
let offset = 0;
for (const p of parts) {
  sample.set(p, offset);
  offset += p.length;
}
writeFileSync(new URL('../demo/samples/noisy-speech.wav', import.meta.url), writeWav([sample], fixtures.sampleRateHz, 'pcm16'));
console.log(`wrote demo/samples/noisy-speech.wav (${(total / fixtures.sampleRateHz).toFixed(2)} s)`);

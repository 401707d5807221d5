// Concealment scores: STOI of the whole received signal (eval/metrics/stoi.ts) and a join-inclusive
// log-spectral distance: the LSD of eval/metrics/lsd.ts (same 32 ms periodic-Hann frame, the same
// floor 100 dB below the reference's peak bin, bins up to the speech bandwidth) computed on single
// 32 ms windows centred on each lost packet's start, middle and end, so clicks at the joins count,
// averaged over the windows whose reference is within 40 dB of the utterance's loudest window.
import { LSD_FLOOR_RELATIVE, lsdFftSize } from '../metrics/lsd.js';
import { Fft, framePowerSpectrum, periodicHann } from '../metrics/spectral.js';

const ACTIVE_WITHIN_DB = 40;

export function joinLsdDb(
  reference: Float32Array, estimate: Float32Array, sampleRateHz: number, lostPackets: readonly number[],
  packetSamples: number, maxFrequencyHz: number,
): number {
  const size = lsdFftSize(sampleRateHz);
  const bins = Math.min(size / 2 + 1, Math.floor((maxFrequencyHz / sampleRateHz) * size) + 1);
  const window = periodicHann(size);
  const fft = new Fft(size);
  const re = new Float64Array(size), im = new Float64Array(size);
  const r = new Float64Array(size / 2 + 1), e = new Float64Array(size / 2 + 1);
  // Reference peak bin and loudest window over the whole utterance (hop size/4), for floor and gate.
  let peakBin = 0, loudest = 0;
  for (let start = 0; start + size <= reference.length; start += size / 4) {
    framePowerSpectrum(reference, start, window, fft, re, im, r);
    let energy = 0;
    for (let k = 0; k < bins; k++) { energy += r[k]; peakBin = Math.max(peakBin, r[k]); }
    loudest = Math.max(loudest, energy);
  }
  const floor = LSD_FLOOR_RELATIVE * peakBin;
  const gate = loudest * 10 ** (-ACTIVE_WITHIN_DB / 10);
  let sum = 0, used = 0;
  for (const packet of lostPackets) {
    for (const centre of [packet * packetSamples, packet * packetSamples + packetSamples / 2, (packet + 1) * packetSamples]) {
      const start = Math.round(centre - size / 2);
      if (start < 0 || start + size > reference.length) continue;
      framePowerSpectrum(reference, start, window, fft, re, im, r);
      let energy = 0;
      for (let k = 0; k < bins; k++) energy += r[k];
      if (energy < gate) continue;
      framePowerSpectrum(estimate, start, window, fft, re, im, e);
      let squares = 0;
      for (let k = 0; k < bins; k++) {
        const d = 10 * Math.log10((r[k] + floor) / (e[k] + floor));
        squares += d * d;
      }
      sum += Math.sqrt(squares / bins);
      used++;
    }
  }
  return used > 0 ? sum / used : NaN;
}

/** Zero-fill: lost packets are silence. */
export function zeroFill(signal: Float32Array, packetSamples: number, lost: ArrayLike<boolean>): Float32Array {
  const out = signal.slice();
  for (let i = 0; i * packetSamples < out.length; i++) if (lost[i]) out.fill(0, i * packetSamples, (i + 1) * packetSamples);
  return out;
}

/** Plain repetition: a lost packet repeats the last received packet (silence before the first). */
export function repeatLast(signal: Float32Array, packetSamples: number, lost: ArrayLike<boolean>): Float32Array {
  const out = signal.slice();
  let last = -1;
  for (let i = 0; i * packetSamples < out.length; i++) {
    const start = i * packetSamples, end = Math.min(out.length, start + packetSamples);
    if (!lost[i]) { last = i; continue; }
    if (last < 0) { out.fill(0, start, end); continue; }
    for (let k = start; k < end; k++) out[k] = signal[last * packetSamples + (k - start)];
  }
  return out;
}

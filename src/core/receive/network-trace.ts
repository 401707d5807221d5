// Packet traces for the receive path: the trace.csv format (`seq,send_ms,arrival_ms`, one row per
// 20 ms packet, empty arrival = lost, rows in any order) with strict parsing, and seeded generators
// of network impairments: Gilbert–Elliott loss (Gilbert 1960, Elliott 1963; the 4-parameter model
// of ITU-T G.1050 and TIA-921) and delay/jitter profiles in the style of G.1050/TIA-921 (fixed,
// random jitter, bursty jitter with delay spikes that drain at line rate, reordering), plus clock drift.
import { seededRandom } from '../seeded-random.js';
import { printable } from '../describe-value.js';

export const TRACE_HEADER = 'seq,send_ms,arrival_ms';
export const DEFAULT_PACKET_MS = 20;

export interface TraceRow {
  seq: number;
  sendMs: number;
  /** null when the packet was lost. */
  arrivalMs: number | null;
}

/** A problem with a trace file, with the line it is on; the CLI shows it as one line. */
export class TraceError extends Error {
  override name = 'TraceError';
}

/**
 * Parses trace.csv text into rows sorted by seq. A header line is optional. `packetCount`, when
 * given, requires exactly one row per packet 0 … packetCount − 1.
 */
export function parseTrace(text: string, packetCount?: number): TraceRow[] {
  const lines = text.split(/\r?\n/);
  const rows: TraceRow[] = [];
  const lineOfSeq = new Map<number, number>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    const lineNo = i + 1;
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(',').map((f) => f.trim());
    if (rows.length === 0 && lineOfSeq.size === 0 && /^[A-Za-z_]/.test(fields[0] ?? '')) {
      if (fields.join(',') !== TRACE_HEADER) throw new TraceError(`line ${lineNo}: header must be '${TRACE_HEADER}', got '${printable(line)}'`);
      continue;
    }
    if (fields.length !== 3) {
      throw new TraceError(`line ${lineNo}: expected 3 columns (${TRACE_HEADER}), got ${fields.length}: '${printable(line)}'`);
    }
    const [seqText, sendText, arrivalText] = fields;
    if (!/^\d+$/.test(seqText)) throw new TraceError(`line ${lineNo}: seq must be a non-negative integer, got '${printable(seqText)}'`);
    const seq = Number(seqText);
    const sendMs = parseNumber(sendText, 'send_ms', lineNo, false);
    const arrivalMs = arrivalText === '' ? null : parseNumber(arrivalText, 'arrival_ms', lineNo, true);
    if (arrivalMs !== null && arrivalMs < sendMs) throw new TraceError(`line ${lineNo}: arrival_ms ${arrivalMs} is before send_ms ${sendMs}`);
    const previous = lineOfSeq.get(seq);
    if (previous !== undefined) throw new TraceError(`line ${lineNo}: duplicate seq ${seq} (first on line ${previous})`);
    if (packetCount !== undefined && seq >= packetCount) {
      throw new TraceError(`line ${lineNo}: seq ${seq} is beyond the input, which has ${packetCount} packets (seq 0-${packetCount - 1})`);
    }
    lineOfSeq.set(seq, lineNo);
    rows.push({ seq, sendMs, arrivalMs });
  }
  if (rows.length === 0) throw new TraceError(`no packets; expected rows '${TRACE_HEADER}'`);
  rows.sort((a, b) => a.seq - b.seq);
  if (packetCount !== undefined && rows.length !== packetCount) {
    let missing = 0;
    while (missing < rows.length && rows[missing].seq === missing) missing++;
    throw new TraceError(`the input has ${packetCount} packets but the trace has ${rows.length} rows; first missing seq ${missing} (write a lost packet as 'seq,send_ms,' with an empty arrival)`);
  }
  return rows;
}

function parseNumber(text: string, column: string, lineNo: number, allowEmpty: boolean): number {
  if (text === '' && !allowEmpty) throw new TraceError(`line ${lineNo}: ${column} is empty`);
  const value = Number(text);
  if (text === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) || !Number.isFinite(value)) {
    throw new TraceError(`line ${lineNo}: ${column} must be a number (ms), got '${printable(text)}'`);
  }
  if (value < 0) throw new TraceError(`line ${lineNo}: ${column} must not be negative, got ${value}`);
  return value;
}

export function formatTrace(rows: readonly TraceRow[]): string {
  const out = [TRACE_HEADER];
  for (const r of rows) out.push(`${r.seq},${round3(r.sendMs)},${r.arrivalMs === null ? '' : round3(r.arrivalMs)}`);
  return `${out.join('\n')}\n`;
}

function round3(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}

// ---- generators ----

/** Gilbert–Elliott loss: states Good/Bad; p = P(G→B), r = P(B→G); loss probability in each state. */
export interface GilbertElliott { p: number; r: number; lossInGood: number; lossInBad: number }

export type DelayModel =
  | { kind: 'fixed'; baseMs: number }
  /** Base + |Gaussian| jitter with the given σ (small σ keeps packets mostly in order). */
  | { kind: 'random'; baseMs: number; jitterMs: number }
  /** Base + Gaussian jitter + delay spikes: each starts at a random packet (rate per second), jumps by peakMs and drains at line rate (−1 ms per ms). */
  | { kind: 'bursty'; baseMs: number; jitterMs: number; spikesPerSecond: number; spikeMinMs: number; spikeMaxMs: number }
  /** Base + exponential jitter with the given mean: late packets overtake the next ones. */
  | { kind: 'reorder'; baseMs: number; meanJitterMs: number };

export interface NetworkProfile {
  description: string;
  loss: GilbertElliott;
  delay: DelayModel;
  /** Receiver clock rate error against the sender's, parts per million. */
  driftPpm: number;
}

/** Bernoulli loss at rate `p` (a one-state Gilbert–Elliott). */
function randomLoss(rate: number): GilbertElliott {
  return { p: 0, r: 1, lossInGood: rate, lossInBad: rate };
}

/** Gilbert–Elliott with a mean burst of `burstPackets` in Bad (lossInBad 0.9) and overall loss ≈ `rate`. */
function burstyLoss(rate: number, burstPackets: number): GilbertElliott {
  const lossInBad = 0.9;
  const r = 1 / burstPackets;
  // Stationary P(Bad) = p / (p + r); loss = P(Bad)·lossInBad (no loss in Good).
  const bad = rate / lossInBad;
  return { p: (bad * r) / (1 - bad), r, lossInGood: 0, lossInBad };
}

/** Named profiles (the eval runs all of them; `sazanami trace --profile NAME` writes one). */
export const NETWORK_PROFILES: Readonly<Record<string, NetworkProfile>> = Object.freeze({
  'clean': { description: 'no loss, fixed 40 ms delay', loss: randomLoss(0), delay: { kind: 'fixed', baseMs: 40 }, driftPpm: 0 },
  'random-5': { description: '5 % random loss, 5 ms jitter', loss: randomLoss(0.05), delay: { kind: 'random', baseMs: 40, jitterMs: 5 }, driftPpm: 0 },
  'random-10': { description: '10 % random loss, 5 ms jitter', loss: randomLoss(0.10), delay: { kind: 'random', baseMs: 40, jitterMs: 5 }, driftPpm: 0 },
  'bursty-10': {
    description: '10 % Gilbert-Elliott loss (mean burst 3), jitter 8 ms with 80-250 ms delay spikes',
    loss: burstyLoss(0.10, 3),
    delay: { kind: 'bursty', baseMs: 40, jitterMs: 8, spikesPerSecond: 0.2, spikeMinMs: 80, spikeMaxMs: 250 }, driftPpm: 0,
  },
  'bursty-20': {
    description: '20 % Gilbert-Elliott loss (mean burst 4), jitter 8 ms with 80-250 ms delay spikes',
    loss: burstyLoss(0.20, 4),
    delay: { kind: 'bursty', baseMs: 40, jitterMs: 8, spikesPerSecond: 0.2, spikeMinMs: 80, spikeMaxMs: 250 }, driftPpm: 0,
  },
  'reorder': { description: '2 % random loss, exponential 25 ms jitter (reordering)', loss: randomLoss(0.02), delay: { kind: 'reorder', baseMs: 30, meanJitterMs: 25 }, driftPpm: 0 },
  'drift': { description: '1 % random loss, 5 ms jitter, receiver clock +500 ppm', loss: randomLoss(0.01), delay: { kind: 'random', baseMs: 40, jitterMs: 5 }, driftPpm: 500 },
});

export type NetworkProfileName = keyof typeof NETWORK_PROFILES;
export const NETWORK_PROFILE_NAMES = Object.keys(NETWORK_PROFILES);

/** Seeded uniforms in [0, 1) (mulberry32), the generator behind every trace. */
export const seededUniform = seededRandom;

/** A trace of `packetCount` packets every `packetMs` through `profile`, reproducible from `seed`. */
export function generateTrace(profile: NetworkProfile, packetCount: number, seed: number, packetMs = DEFAULT_PACKET_MS): TraceRow[] {
  if (!Number.isInteger(packetCount) || packetCount < 1) throw new RangeError(`packet count must be a positive integer, got ${packetCount}`);
  const uniform = seededUniform(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(Math.max(uniform(), 1e-12))) * Math.cos(2 * Math.PI * uniform());
  const rows: TraceRow[] = [];
  let bad = false;
  let spikeMs = 0;
  const { loss, delay } = profile;
  for (let seq = 0; seq < packetCount; seq++) {
    const sendMs = seq * packetMs;
    // Loss: state transition, then a draw in the state.
    bad = bad ? uniform() >= loss.r : uniform() < loss.p;
    const lost = uniform() < (bad ? loss.lossInBad : loss.lossInGood);
    // Delay (drawn even for lost packets so the delay process does not depend on the loss draws).
    let networkMs: number;
    switch (delay.kind) {
      case 'fixed': networkMs = delay.baseMs; break;
      case 'random': networkMs = delay.baseMs + Math.abs(gaussian()) * delay.jitterMs; break;
      case 'reorder': networkMs = delay.baseMs - delay.meanJitterMs * Math.log(Math.max(uniform(), 1e-12)); break;
      case 'bursty': {
        spikeMs = Math.max(0, spikeMs - packetMs);  // the queue drains at line rate
        if (uniform() < (delay.spikesPerSecond * packetMs) / 1000) {
          spikeMs = Math.max(spikeMs, delay.spikeMinMs + uniform() * (delay.spikeMaxMs - delay.spikeMinMs));
        }
        networkMs = delay.baseMs + Math.abs(gaussian()) * delay.jitterMs + spikeMs;
        break;
      }
    }
    const arrivalMs = sendMs * (1 + profile.driftPpm * 1e-6) + networkMs;
    rows.push({ seq, sendMs, arrivalMs: lost ? null : arrivalMs });
  }
  return rows;
}

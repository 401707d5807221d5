// Numeric exports of the receive path (re-exported by assembly/index.ts): handle tables of
// ReceiveChains (jitter buffer + time stretching + concealment on PCM packets) and of stand-alone
// Concealers. JS writes packets into the kernel's input buffer and reads 10 ms frames from its
// output buffer through views of the pointers returned here. No export copies arrays.
import { ptr, SIMD_BUILD } from '../common';
import { Concealer } from './concealer';
import { CONCEAL_SYNTHETIC, isValidReceiveRate, MAX_PACKET_MS, PUT_INVALID, PULL_WAITING } from './receive-common';
import { ReceiveChain } from './receive-chain';

const chains = new Array<ReceiveChain | null>();
const concealers = new Array<Concealer | null>();

/** Returns a handle ≥ 0, or −1 for an unsupported rate (multiples of 100 Hz, 8–96 kHz), capacity (4–1024) or packet size. */
export function receiveCreate(sampleRate: i32, capacityPackets: i32, maxPacketSamples: i32): i32 {
  if (!isValidReceiveRate(sampleRate) || capacityPackets < 4 || capacityPackets > 1024) return -1;
  if (maxPacketSamples < 1 || maxPacketSamples > sampleRate * MAX_PACKET_MS / 1000) return -1;
  return store(chains, new ReceiveChain(sampleRate, capacityPackets, maxPacketSamples));
}
export function receiveDestroy(h: i32): void { release(chains, h); }
export function receiveReset(h: i32): void { const c = chain(h); if (c) c.reset(); }
export function receiveSetSimd(h: i32, on: bool): void { const c = chain(h); if (c) c.setSimd(on && SIMD_BUILD); }
export function receiveSetTimeStretching(h: i32, on: bool): void { const c = chain(h); if (c) c.timeStretching = on; }
export function receiveInputPtr(h: i32): usize { const c = chain(h); return c ? c.inputPointer : 0; }
export function receiveOutputPtr(h: i32): usize { const c = chain(h); return c ? ptr(c.output) : 0; }
export function receiveFrameSamples(h: i32): i32 { const c = chain(h); return c ? c.frameSamples : 0; }
/** Puts the packet in the input buffer; returns a PUT_* status (PUT_INVALID on a bad handle). */
export function receivePut(h: i32, sequence: i32, timestamp: u32, arrivalMs: f64, samples: i32): i32 {
  const c = chain(h);
  return c ? c.put(sequence, timestamp, arrivalMs, samples) : PUT_INVALID;
}
/** Puts the input buffer as the decoder's concealment of lost packet (sequence, timestamp); a PUT_* status. */
export function receivePutDecoderConcealment(h: i32, sequence: i32, timestamp: u32, samples: i32): i32 {
  const c = chain(h);
  return c ? c.put(sequence, timestamp, 0, samples, true) : PUT_INVALID;
}
/** Plays 10 ms into the output buffer; returns a PULL_* status (PULL_WAITING on a bad handle). */
export function receivePull(h: i32, nowMs: f64): i32 {
  const c = chain(h);
  return c ? c.pull(nowMs) : PULL_WAITING;
}
/** Delay-manager settings (validated in JS); false on a bad handle. */
export function receiveConfigure(h: i32, minDelayMs: f64, maxDelayMs: f64, quantile: f64, forgetFactor: f64, peakDecayMsPerSecond: f64): bool {
  const c = chain(h);
  if (!c) return false;
  const d = c.delay;
  d.minDelayMs = minDelayMs; d.maxDelayMs = maxDelayMs; d.quantile = quantile;
  d.forgetFactor = forgetFactor; d.peakDecayMsPerSecond = peakDecayMsPerSecond;
  d.targetDelayMs = Math.min(maxDelayMs, Math.max(minDelayMs, d.targetDelayMs));
  return true;
}

// Statistic ids for receiveStat (mirrored in src/core/receive/receive-exports.ts).
const STAT_PACKETS_RECEIVED = 0;
const STAT_PACKETS_PLAYED = 1;
const STAT_PACKETS_LATE = 2;
const STAT_PACKETS_PARTLY_LATE = 3;
const STAT_DUPLICATES = 4;
const STAT_OVERFLOW_DROPS = 5;
const STAT_INVALID = 6;
const STAT_CONCEALED_SAMPLES = 7;
const STAT_ACCELERATE_COUNT = 8;
const STAT_DECELERATE_COUNT = 9;
const STAT_MERGE_COUNT = 10;
const STAT_REMOVED_SAMPLES = 11;
const STAT_INSERTED_SAMPLES = 12;
const STAT_ADDED_DELAY_SUM_MS = 13;
const STAT_FRAMES_PLAYED = 14;
const STAT_CURRENT_DELAY_MS = 15;
const STAT_TARGET_DELAY_MS = 16;
const STAT_LOWEST_SEQUENCE = 17;
const STAT_HIGHEST_SEQUENCE = 18;
const STAT_BUFFERED_PACKETS = 19;
const STAT_RELATIVE_DELAY_MS = 20;
const STAT_DECODER_CONCEALMENTS_PUT = 21;
const STAT_DECODER_CONCEALMENTS_PLAYED = 22;

/** One statistic by id (see the STAT_* list); NaN for a bad handle or id. */
export function receiveStat(h: i32, id: i32): f64 {
  const c = chain(h);
  if (!c) return NaN;
  switch (id) {
    case STAT_PACKETS_RECEIVED: return c.packetsReceived;
    case STAT_PACKETS_PLAYED: return c.packetsPlayed;
    case STAT_PACKETS_LATE: return c.packetsLate;
    case STAT_PACKETS_PARTLY_LATE: return c.packetsPartlyLate;
    case STAT_DUPLICATES: return c.duplicates;
    case STAT_OVERFLOW_DROPS: return c.overflowDrops;
    case STAT_INVALID: return c.invalidPackets;
    case STAT_CONCEALED_SAMPLES: return <f64>c.concealedSamples;
    case STAT_ACCELERATE_COUNT: return c.accelerateCount;
    case STAT_DECELERATE_COUNT: return c.decelerateCount;
    case STAT_MERGE_COUNT: return c.mergeCount;
    case STAT_REMOVED_SAMPLES: return <f64>c.removedSamples;
    case STAT_INSERTED_SAMPLES: return <f64>c.insertedSamples;
    case STAT_ADDED_DELAY_SUM_MS: return c.addedDelaySumMs;
    case STAT_FRAMES_PLAYED: return <f64>c.framesPlayed;
    case STAT_CURRENT_DELAY_MS: return c.lastDelayMs;
    case STAT_TARGET_DELAY_MS: return c.delay.targetDelayMs;
    case STAT_LOWEST_SEQUENCE: return <f64>c.lowestSequence;
    case STAT_HIGHEST_SEQUENCE: return <f64>c.highestSequence;
    case STAT_BUFFERED_PACKETS: return c.packets.size;
    case STAT_RELATIVE_DELAY_MS: return c.delay.lastRelativeDelayMs;
    case STAT_DECODER_CONCEALMENTS_PUT: return c.decoderConcealmentsPut;
    case STAT_DECODER_CONCEALMENTS_PLAYED: return c.decoderConcealmentsPlayed;
    default: return NaN;
  }
}

// ---- stand-alone concealment (fixed timing: each block is either real or lost) ----

/** Returns a handle ≥ 0, or −1 for an unsupported rate or block size (1 … 120 ms). */
export function plcCreate(sampleRate: i32, maxBlock: i32): i32 {
  if (!isValidReceiveRate(sampleRate) || maxBlock < 1 || maxBlock > sampleRate * MAX_PACKET_MS / 1000) return -1;
  return store(concealers, new Concealer(sampleRate, maxBlock, SIMD_BUILD));
}
export function plcDestroy(h: i32): void { release(concealers, h); }
export function plcReset(h: i32): void { const c = concealer(h); if (c) c.reset(); }
export function plcSetSimd(h: i32, on: bool): void { const c = concealer(h); if (c) c.setSimd(on && SIMD_BUILD); }
export function plcInputPtr(h: i32): usize { const c = concealer(h); return c ? ptr(c.input) : 0; }
export function plcOutputPtr(h: i32): usize { const c = concealer(h); return c ? ptr(c.output) : 0; }
/** `present`: input → output (merging after a gap); else conceals. Returns a CONCEAL_* status, −1 on a bad handle/count. */
export function plcProcess(h: i32, present: bool, count: i32): i32 {
  const c = concealer(h);
  if (!c || count < 1 || count > c.maxBlock) return -1;
  return c.process(present, count);
}
/** Conceals `count` samples of a lost block toward the decoder's concealment in the input (samples `position` of `total` of the packet); CONCEAL_SYNTHETIC, −1 on a bad handle/count. */
export function plcProcessTowardHint(h: i32, count: i32, position: i32, total: i32): i32 {
  const c = concealer(h);
  if (!c || count < 1 || count > c.maxBlock || position < 0 || total < count) return -1;
  c.concealToward(ptr(c.input), ptr(c.output), count, position, total);
  return CONCEAL_SYNTHETIC;
}
export function plcPitchLag(h: i32): i32 { const c = concealer(h); return c ? c.pitchLag : 0; }
export function plcVoicing(h: i32): f32 { const c = concealer(h); return c ? c.voicing : 0; }

function chain(h: i32): ReceiveChain | null { return h >= 0 && h < chains.length ? unchecked(chains[h]) : null; }
function concealer(h: i32): Concealer | null { return h >= 0 && h < concealers.length ? unchecked(concealers[h]) : null; }
function store<T>(table: Array<T | null>, item: T): i32 {
  for (let i = 0; i < table.length; i++) {
    if (unchecked(table[i]) === null) { unchecked(table[i] = item); return i; }
  }
  table.push(item);
  return table.length - 1;
}
function release<T>(table: Array<T | null>, h: i32): void { if (h >= 0 && h < table.length) unchecked(table[h] = null); }

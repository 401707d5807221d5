// The numeric surface of the receive kernels, exported by assembly/receive/exports.ts. Pointers are
// byte offsets into `memory`. Kept apart from src/core/wasm-exports.ts so the audio surface stays untouched.

export interface ReceiveExports {
  readonly memory: WebAssembly.Memory;
  receiveCreate(sampleRate: number, capacityPackets: number, maxPacketSamples: number): number;
  receiveDestroy(handle: number): void;
  receiveReset(handle: number): void;
  receiveSetSimd(handle: number, on: number): void;
  receiveSetTimeStretching(handle: number, on: number): void;
  receiveInputPtr(handle: number): number;
  receiveOutputPtr(handle: number): number;
  receiveFrameSamples(handle: number): number;
  receivePut(handle: number, sequence: number, timestamp: number, arrivalMs: number, samples: number): number;
  receivePull(handle: number, nowMs: number): number;
  receivePutDecoderConcealment(handle: number, sequence: number, timestamp: number, samples: number): number;
  receiveConfigure(handle: number, minDelayMs: number, maxDelayMs: number, quantile: number, forgetFactor: number, peakDecayMsPerSecond: number): number;
  receiveStat(handle: number, id: number): number;
  plcCreate(sampleRate: number, maxBlock: number): number;
  plcDestroy(handle: number): void;
  plcReset(handle: number): void;
  plcSetSimd(handle: number, on: number): void;
  plcInputPtr(handle: number): number;
  plcOutputPtr(handle: number): number;
  plcProcess(handle: number, present: number, count: number): number;
  plcProcessTowardHint(handle: number, count: number, position: number, total: number): number;
  plcPitchLag(handle: number): number;
  plcVoicing(handle: number): number;
  collectGarbage(): void;
}

/** Status of a put (assembly/receive/receive-common.ts PUT_*). */
export const PUT_STATUS = ['ok', 'duplicate', 'late', 'overflow', 'invalid'] as const;
export type PutStatus = (typeof PUT_STATUS)[number];
/** Status of a pulled 10 ms frame (PULL_*). */
export const PULL_STATUS = ['normal', 'concealed', 'merged', 'accelerated', 'decelerated', 'waiting'] as const;
export type PullStatus = (typeof PULL_STATUS)[number];
/** Status of a stand-alone concealment block (CONCEAL_*). */
export const CONCEAL_STATUS = ['real', 'synthetic', 'merged'] as const;
export type ConcealStatus = (typeof CONCEAL_STATUS)[number];

/** Statistic ids of receiveStat (assembly/receive/exports.ts STAT_*). */
export const RECEIVE_STAT = {
  packetsReceived: 0, packetsPlayed: 1, packetsLate: 2, packetsPartlyLate: 3, duplicates: 4, overflowDrops: 5,
  invalidPackets: 6, concealedSamples: 7, accelerateCount: 8, decelerateCount: 9, mergeCount: 10, removedSamples: 11,
  insertedSamples: 12, addedDelaySumMs: 13, framesPlayed: 14, currentDelayMs: 15, targetDelayMs: 16,
  lowestSequence: 17, highestSequence: 18, bufferedPackets: 19, relativeDelayMs: 20,
  decoderConcealmentsPut: 21, decoderConcealmentsPlayed: 22,
} as const;

/** True when a loaded module has the receive exports (a build from before the receive kernels has not). */
export function hasReceiveExports(exports: object): exports is ReceiveExports {
  return typeof (exports as Partial<ReceiveExports>).receiveCreate === 'function';
}

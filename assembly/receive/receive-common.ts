// Shared sizes and status codes of the receive path (jitter buffer, time stretching, concealment):
// one place for the numbers the receive kernels and their TypeScript wrappers agree on.

/** Lowest and highest stream rates the receive kernels accept (any multiple of 100 Hz in between). */
export const RECEIVE_MIN_RATE: i32 = 8000;
export const RECEIVE_MAX_RATE: i32 = 96000;
/** Shortest and longest pitch periods searched by concealment and time stretching (400 Hz … 66.7 Hz). */
export const MIN_PITCH_MS: f32 = 2.5;
export const MAX_PITCH_MS: f32 = 15;
/** Length of the correlation window that scores a candidate pitch period. */
export const CORRELATION_WINDOW_MS: f32 = 10;
/** Largest packet the receive chain stores (120 ms, Opus's longest frame). */
export const MAX_PACKET_MS: i32 = 120;

// ---- status codes of JitterBuffer.put() (speexdsp-style: the caller acts on them) ----
export const PUT_OK: i32 = 0;
/** The same sequence number is already stored or was already played. */
export const PUT_DUPLICATE: i32 = 1;
/** The packet's time has already been played out (or concealed): a late loss. */
export const PUT_LATE: i32 = 2;
/** The buffer was full; the oldest packet was dropped to make room. */
export const PUT_OVERFLOW: i32 = 3;
/** Rejected: bad size, or a timestamp implausibly far from the stream (a reset or a broken sender). */
export const PUT_INVALID: i32 = 4;

// ---- status codes of ReceiveChain.pull(): what the 10 ms frame in the output buffer is ----
/** Decoded audio played as is. */
export const PULL_NORMAL: i32 = 0;
/** Some or all of the frame was concealed (no packet for it). */
export const PULL_CONCEALED: i32 = 1;
/** Real audio returned after concealment; the join was cross-faded. */
export const PULL_MERGED: i32 = 2;
/** A pitch period was removed (playout sped up to lower the delay). */
export const PULL_ACCELERATED: i32 = 3;
/** A pitch period was inserted (playout slowed down to raise the delay). */
export const PULL_DECELERATED: i32 = 4;
/** Playout has not started (no packet yet, or the initial delay not reached): silence. */
export const PULL_WAITING: i32 = 5;

/** Status of Concealer.process() (the stand-alone concealment kernel). */
export const CONCEAL_REAL: i32 = 0;
export const CONCEAL_SYNTHETIC: i32 = 1;
export const CONCEAL_MERGED: i32 = 2;

export function isValidReceiveRate(rate: i32): bool {
  return rate >= RECEIVE_MIN_RATE && rate <= RECEIVE_MAX_RATE && rate % 100 == 0;
}

/** Samples in `ms` milliseconds at `rate`, rounded. */
// @ts-ignore: decorator
@inline export function msToSamples(ms: f32, rate: i32): i32 {
  return <i32>Mathf.round(ms * <f32>rate / 1000);
}

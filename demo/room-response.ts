// A synthetic room impulse response for the echo scenes: a direct path after `delayMs`, then a
// reverberant tail of seeded white noise decaying 60 dB over `rt60Seconds` (Polack's statistical
// model), scaled so the echo is `echoReturnLossDb` below the loudspeaker signal.

export function roomResponse(sampleRate: number, delayMs: number, rt60Seconds: number, lengthSeconds: number, echoReturnLossDb: number): Float32Array<ArrayBuffer> {
  const h = new Float32Array(Math.round((delayMs / 1000 + lengthSeconds) * sampleRate));
  const start = Math.round((delayMs / 1000) * sampleRate);
  // A fixed LCG seed: the same room on every load.
  let state = 12345;
  const random = () => { state = (Math.imul(state, 1664525) + 1013904223) >>> 0; return state / 4294967296 - 0.5; };
  let energy = 0;
  for (let n = start; n < h.length; n++) {
    const t = (n - start) / sampleRate;
    // ln(1000) = 6.91: the envelope is −60 dB at t = rt60. The direct path stands out 8×.
    h[n] = random() * Math.exp((-6.91 * t) / rt60Seconds) * (n === start ? 8 : 1);
    energy += h[n] * h[n];
  }
  const scale = Math.sqrt(10 ** (-echoReturnLossDb / 10) / Math.max(1e-20, energy));
  for (let n = 0; n < h.length; n++) h[n] *= scale;
  return h;
}

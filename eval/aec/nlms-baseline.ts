// The baseline canceller: plain time-domain NLMS (Widrow–Hoff, normalised by the tap-input power)
// with no delay estimation, double-talk control or residual suppression.
export function nlmsCancel(mic: Float32Array, far: Float32Array, taps: number, stepSize = 0.5): Float32Array {
  const w = new Float64Array(taps);
  // Mirrored ring: the newest-first window is always buf[p .. p + taps - 1].
  const buf = new Float64Array(2 * taps);
  let p = 0, power = 0;
  const out = new Float32Array(mic.length);
  const delta = taps * 1e-7;
  for (let n = 0; n < mic.length; n++) {
    p = p === 0 ? taps - 1 : p - 1;
    const oldest = buf[p + taps];
    const xn = far[n];
    buf[p] = xn; buf[p + taps] = xn;
    power = Math.max(0, power + xn * xn - oldest * oldest);
    let y = 0;
    for (let k = 0; k < taps; k++) y += w[k] * buf[p + k];
    const e = mic[n] - y;
    out[n] = e;
    const g = (stepSize * e) / (power + delta);
    for (let k = 0; k < taps; k++) w[k] += g * buf[p + k];
  }
  return out;
}

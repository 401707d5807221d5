// Noisy mixtures for the noise-suppression evaluation: clean speech plus noise scaled to a target SNR.
// The SNR is whole-signal: the power of the whole clean utterance (its leading and trailing silence
// included) over the power of the noise segment actually added — so snrDb(clean, mixture) equals the
// target exactly. (ITU-T P.56 active-level SNR would read about 1 dB higher on our fixtures, whose
// utterances are ~15 % silence.)

/**
 * The `length` samples of `noise` starting at `offsetSamples`, looping back to its start as often as
 * needed (the fixture noises are made to loop without a click). Negative offsets count from the end.
 */
export function noiseSegment(noise: ArrayLike<number>, length: number, offsetSamples = 0): Float64Array {
  if (noise.length === 0) throw new RangeError('noiseSegment: noise is empty');
  if (!Number.isInteger(offsetSamples)) throw new RangeError(`noiseSegment: offset must be an integer, got ${offsetSamples}`);
  const segment = new Float64Array(length);
  let at = ((offsetSamples % noise.length) + noise.length) % noise.length;
  for (let i = 0; i < length; i++) {
    segment[i] = noise[at];
    if (++at === noise.length) at = 0;
  }
  return segment;
}

/**
 * The noise segment (see {@link noiseSegment}) scaled so that
 * 10·log10(Σ clean² / Σ scaledNoise²) = snrDb. Throws if the clean signal or the segment is all zeros.
 */
export function scaledNoiseAtSnr(
  clean: ArrayLike<number>, noise: ArrayLike<number>, snrDb: number, offsetSamples = 0,
): Float64Array {
  if (!Number.isFinite(snrDb)) throw new RangeError(`mixAtSnr: SNR must be finite, got ${snrDb}`);
  const segment = noiseSegment(noise, clean.length, offsetSamples);
  let cleanEnergy = 0;
  let noiseEnergy = 0;
  for (let i = 0; i < clean.length; i++) {
    cleanEnergy += clean[i] * clean[i];
    noiseEnergy += segment[i] * segment[i];
  }
  if (cleanEnergy === 0) throw new RangeError('mixAtSnr: clean signal is all zeros, so no SNR can be set');
  if (noiseEnergy === 0) throw new RangeError('mixAtSnr: noise segment is all zeros, so no SNR can be set');
  const gain = Math.sqrt(cleanEnergy / (noiseEnergy * 10 ** (snrDb / 10)));
  for (let i = 0; i < segment.length; i++) segment[i] *= gain;
  return segment;
}

/**
 * clean + noise, with the noise looped/cropped to the clean length from `offsetSamples` and scaled
 * so that the whole-signal SNR equals `snrDb`. The result has the clean signal's length; it is not
 * clipped (at 0 dB SNR with -26 dB fixtures the peaks stay far below full scale).
 */
export function mixAtSnr(clean: Float32Array, noise: Float32Array, snrDb: number, offsetSamples = 0): Float32Array {
  const scaled = scaledNoiseAtSnr(clean, noise, snrDb, offsetSamples);
  const mixture = new Float32Array(clean.length);
  for (let i = 0; i < clean.length; i++) mixture[i] = clean[i] + scaled[i];
  return mixture;
}

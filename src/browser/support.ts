// Feature detection for the browser capture path: Web Audio with AudioWorklet, MediaStream
// destinations and WebAssembly. Wasm SIMD is optional (the scalar build is used without it).

/** True where processAudioTrack can run: AudioWorklet, MediaStream nodes and WebAssembly exist. */
export function isSupported(): boolean {
  const g = globalThis as Record<string, unknown>;
  return typeof g.WebAssembly === 'object'
    && typeof g.AudioContext === 'function'
    && typeof g.AudioWorkletNode === 'function'
    && typeof g.MediaStream === 'function'
    && typeof (g.AudioContext as { prototype: Record<string, unknown> }).prototype.createMediaStreamDestination === 'function';
}

// Helpers shared by the test pages (plain JS, served as-is).

/** Float32Array → base64 of its little-endian bytes (for returning audio to Node). */
export function float32ToBase64(samples) {
  const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Renders `input` (mono) through `makeNode(context)` in an OfflineAudioContext with `tailFrames` extra frames. */
export async function renderOffline(input, sampleRate, tailFrames, makeNode, onContext) {
  const context = new OfflineAudioContext(1, input.length + tailFrames, sampleRate);
  const buffer = context.createBuffer(1, input.length, sampleRate);
  buffer.copyToChannel(input, 0);
  const source = new AudioBufferSourceNode(context, { buffer });
  const node = await makeNode(context);
  source.connect(node).connect(context.destination);
  source.start(0);
  if (onContext) await onContext(context);
  const rendered = await context.startRendering();
  return rendered.getChannelData(0);
}

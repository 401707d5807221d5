// CPU cost of the capture processor measured on this device, through the public API
// (engine.createCaptureNode on an OfflineAudioContext). Precise where the live stats are not: the
// AudioWorkletGlobalScope may have no `performance` clock (Chromium), leaving only Date.now().
// Offline rendering runs as fast as it can, so (time with the processor − time without) / frames
// is the processor's cost per 10 ms frame, including its share of the worklet's overhead.
import type { Engine, NoiseSuppressionLevel } from '../dist/src/index.js';

/** Audio rendered per measurement: long enough that start-up and message latency are < 1 µs/frame. */
const RENDER_SECONDS = 10;
const FRAMES_PER_SECOND = 100;
const REPEATS = 2;

async function renderMs(input: AudioBuffer, insert: ((context: OfflineAudioContext, farEnd: AudioNode) => Promise<{ node: AudioNode; stop(): Promise<void> }>) | null): Promise<number> {
  const context = new OfflineAudioContext(1, Math.round(RENDER_SECONDS * input.sampleRate), input.sampleRate);
  const source = new AudioBufferSourceNode(context, { buffer: input, loop: true });
  // A far end for the echo canceller: the same recording half a loop later (speech-like, not the input).
  const farEnd = new AudioBufferSourceNode(context, { buffer: input, loop: true });
  const inserted = insert === null ? null : await insert(context, farEnd);
  if (inserted === null) source.connect(context.destination);
  else source.connect(inserted.node).connect(context.destination);
  source.start();
  farEnd.start(0, input.duration / 2);
  const started = performance.now();
  await context.startRendering();
  const elapsedMs = performance.now() - started;
  await inserted?.stop();
  return elapsedMs;
}

/** Microseconds of processing per 10 ms frame for one preset, with or without echo cancellation (best of a few runs). */
export async function measureCpuUsPerFrame(engine: Engine, input: AudioBuffer, noiseSuppression: NoiseSuppressionLevel, echoCancellation = false): Promise<number> {
  let baseMs = Infinity;
  let processedMs = Infinity;
  for (let run = 0; run < REPEATS; run++) {
    baseMs = Math.min(baseMs, await renderMs(input, null));
    processedMs = Math.min(processedMs, await renderMs(input, async (context, farEnd) => {
      const capture = await engine.createCaptureNode(context, echoCancellation ? { noiseSuppression, echoCancellation: 'balanced', farEnd } : { noiseSuppression });
      return { node: capture.node, stop: () => capture.stop() };
    }));
  }
  return (1000 * Math.max(0, processedMs - baseMs)) / (RENDER_SECONDS * FRAMES_PER_SECOND);
}

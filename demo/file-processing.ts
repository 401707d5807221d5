// Processing of an opened file, whole, through sazanami's public API:
//  - audio: an OfflineAudioContext at the file's rate with engine.createCaptureNode (the same
//    AudioWorklet as a live call, rendered as fast as the CPU allows); the chain's constant delay is
//    removed, so B has exactly the input's length and lines up with it sample for sample;
//  - video: the Wasm video kernel (sazanami/core's VideoCorrector on the engine's compiled module)
//    run frame by frame on the decoded Y4M, keeping every frame (a live track drops slow ones).
import type { Engine, NoiseSuppressionLevel, VideoCorrectionOptions } from '../dist/src/index.js';
import { readY4m, VideoCorrector, type VideoExports, writeY4m, type Y4mVideo } from '../dist/src/core/video/index.js';

/** Renders `input` through a capture node and returns the processed audio, delay removed. */
export async function processAudioBuffer(engine: Engine, input: AudioBuffer, noiseSuppression: NoiseSuppressionLevel): Promise<AudioBuffer> {
  const channelCount = Math.min(2, input.numberOfChannels) as 1 | 2;
  // The node's delay is known only once it runs: render a generous 100 ms more than the input.
  const padding = Math.ceil(0.1 * input.sampleRate);
  const context = new OfflineAudioContext(channelCount, input.length + padding, input.sampleRate);
  const capture = await engine.createCaptureNode(context, { noiseSuppression, channelCount });
  const source = new AudioBufferSourceNode(context, { buffer: input });
  source.connect(capture.node).connect(context.destination);
  source.start();
  const rendered = await context.startRendering();
  const delay = capture.latencySamples;
  await capture.stop();
  if (delay > padding) throw new Error(`the capture delay (${delay} samples) is longer than the rendering padding`);
  const output = new AudioBuffer({ numberOfChannels: channelCount, length: input.length, sampleRate: input.sampleRate });
  for (let channel = 0; channel < channelCount; channel++) {
    output.copyToChannel(rendered.getChannelData(channel).subarray(delay, delay + input.length), channel);
  }
  return output;
}

export interface ProcessedVideo {
  input: Y4mVideo;
  /** Corrected frames (I420, same size and count as the input). */
  frames: Uint8Array[];
  /** The corrected video as a Y4M file (same header as the input). */
  y4m: Uint8Array;
  msPerFrame: number;
}

/** Corrects every frame of a Y4M file with the engine's video kernel. */
export async function processY4m(engine: Engine, bytes: Uint8Array, options: VideoCorrectionOptions, onProgress: (fraction: number) => void): Promise<ProcessedVideo> {
  const input = readY4m(bytes);
  // Asynchronous instantiation of the engine's compiled module (no large synchronous work on the page's thread).
  const instance = await WebAssembly.instantiate(engine.module, {
    env: { abort: () => { throw new Error('sazanami kernel aborted'); } },
  });
  const exports = instance.exports as unknown as VideoExports;
  const corrector = new VideoCorrector(exports, { width: input.header.width, height: input.header.height, options });
  const frames: Uint8Array[] = [];
  let busyMs = 0;
  try {
    for (let i = 0; i < input.frames.length; i++) {
      const started = performance.now();
      frames.push(corrector.processFrame(input.frames[i]).slice());
      busyMs += performance.now() - started;
      // Let the page paint the progress now and then.
      if (i % 10 === 9) {
        onProgress((i + 1) / input.frames.length);
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    }
    const error = corrector.stats().error;
    if (error !== null) throw new Error(`the video kernel failed: ${error}`);
  } finally {
    corrector.destroy();
  }
  return { input, frames, y4m: writeY4m(input.header, frames), msPerFrame: busyMs / Math.max(1, frames.length) };
}

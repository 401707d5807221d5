// Peer noise suppressors as shipped on npm, run in Node on the same fixtures: RNNoise twice
// (@shiguredo/rnnoise-wasm, SIMD build of RNNoise 0.2 with its newer model, and
// @jitsi/rnnoise-wasm, the classic RNNoise 0.1 model used by Jitsi Meet) and the SpeexDSP preprocessor
// (@sapphi-red/speex-preprocess-wasm). Both are fixed at 48 kHz / 480-sample frames here, which is
// the fixtures' rate; their own delays are measured (not assumed) and removed before scoring.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** A frame-based enhancer with a fixed frame size at 48 kHz. */
export interface FrameEnhancer {
  readonly name: string;
  readonly frameSize: number;
  /** Processes one frame in place (float samples in [-1, 1)). */
  processFrame(frame: Float32Array): void;
  destroy(): void;
}

export type EnhancerFactory = () => FrameEnhancer;

const require = createRequire(import.meta.url);

/** RNNoise expects 16-bit-scaled floats. */
const INT16_SCALE = 32768;

export async function loadRnnoise(): Promise<EnhancerFactory> {
  // The package refuses to start outside a browser or worker global; it only checks this name.
  const g = globalThis as { WorkerGlobalScope?: unknown };
  const had = 'WorkerGlobalScope' in g;
  if (!had) g.WorkerGlobalScope = class {};
  try {
    const { Rnnoise } = await import('@shiguredo/rnnoise-wasm');
    const rnnoise = await Rnnoise.load();
    return () => {
      const state = rnnoise.createDenoiseState();
      const frameSize = rnnoise.frameSize;
      return {
        name: 'rnnoise',
        frameSize,
        processFrame(frame: Float32Array): void {
          for (let i = 0; i < frame.length; i++) frame[i] *= INT16_SCALE;
          state.processFrame(frame);
          for (let i = 0; i < frame.length; i++) frame[i] /= INT16_SCALE;
        },
        destroy: () => state.destroy(),
      };
    };
  } finally {
    if (!had) delete g.WorkerGlobalScope;
  }
}

interface JitsiRnnoiseModule {
  ready: Promise<unknown>;
  HEAPF32: Float32Array;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  _rnnoise_create(): number;
  _rnnoise_destroy(state: number): void;
  _rnnoise_process_frame(state: number, output: number, input: number): number;
}

export async function loadRnnoiseJitsi(): Promise<EnhancerFactory> {
  // @ts-expect-error: the package ships no types.
  const { default: create } = await import('@jitsi/rnnoise-wasm/dist/rnnoise-sync.js');
  const module = (create as () => JitsiRnnoiseModule)();
  await module.ready;
  const frameSize = 480;
  return () => {
    const state = module._rnnoise_create();
    const pointer = module._malloc(frameSize * 4);
    return {
      name: 'rnnoise-jitsi',
      frameSize,
      processFrame(frame: Float32Array): void {
        const heap = module.HEAPF32.subarray(pointer >> 2, (pointer >> 2) + frameSize);
        for (let i = 0; i < frameSize; i++) heap[i] = frame[i] * INT16_SCALE;
        module._rnnoise_process_frame(state, pointer, pointer);
        for (let i = 0; i < frameSize; i++) frame[i] = heap[i] / INT16_SCALE;
      },
      destroy(): void {
        module._rnnoise_destroy(state);
        module._free(pointer);
      },
    };
  };
}

export async function loadSpeex(sampleRate = 48000, frameSize = 480): Promise<EnhancerFactory> {
  const { loadSpeexModule, SpeexPreprocessor } = await import('@sapphi-red/speex-preprocess-wasm');
  const wasmPath = require.resolve('@sapphi-red/speex-preprocess-wasm').replace(/index\.(c?js)$/, 'speex.wasm');
  const module = await loadSpeexModule({ wasmBinary: readFileSync(wasmPath) });
  return () => {
    const pre = new SpeexPreprocessor(module, frameSize, sampleRate);
    pre.denoise = true;
    return {
      name: 'speex',
      frameSize,
      processFrame: (frame: Float32Array) => { pre.process(frame); },
      destroy: () => pre.destroy(),
    };
  };
}

/** Runs a whole signal through an enhancer (zero-padded to whole frames); output has the same length plus `extra`. */
export function runEnhancer(enhancer: FrameEnhancer, input: Float32Array, extra = 0): Float32Array {
  const n = enhancer.frameSize;
  const total = Math.ceil((input.length + extra) / n) * n;
  const out = new Float32Array(total);
  const frame = new Float32Array(n);
  for (let pos = 0; pos < total; pos += n) {
    frame.fill(0);
    if (pos < input.length) frame.set(input.subarray(pos, Math.min(pos + n, input.length)));
    enhancer.processFrame(frame);
    out.set(frame, pos);
  }
  return out;
}

/** Lag (in samples, 0..maxLag) at which `output` best matches `input` by normalised cross-correlation. */
export function estimateDelay(input: Float32Array, output: Float32Array, maxLag: number): number {
  let best = 0, bestScore = -Infinity;
  const n = input.length - maxLag;
  for (let lag = 0; lag <= maxLag; lag++) {
    let xy = 0, yy = 0;
    for (let i = 0; i < n; i++) {
      const y = output[i + lag];
      xy += input[i] * y;
      yy += y * y;
    }
    const score = xy / Math.sqrt(yy + 1e-20);
    if (score > bestScore) { bestScore = score; best = lag; }
  }
  return best;
}

/** Processes `input` and removes the enhancer's delay, returning a time-aligned signal of the same length. */
export function enhanceAligned(enhancer: FrameEnhancer, input: Float32Array, delay: number): Float32Array {
  return runEnhancer(enhancer, input, delay).slice(delay, delay + input.length);
}

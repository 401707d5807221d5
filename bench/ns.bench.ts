// Noise suppression per 10 ms frame at 48 kHz on noisy speech: sazanami's kernel (SIMD build, its
// scalar twins, scalar build) against the peers from eval/peers.ts (SpeexDSP preprocessor with
// denoise on — the baseline — and RNNoise), then the whole CaptureProcessor as the AudioWorklet
// runs it: 128-sample render quanta at 48 kHz and at 44.1 kHz (resampled to 48 kHz and back).
import { CaptureProcessor } from '../src/core/capture-processor.js';
import { NoiseSuppressorKernel } from '../src/core/kernels.js';
import { loadWasm } from '../src/core/wasm-loader.js';
import { loadRnnoise, loadRnnoiseJitsi, loadSpeex, type FrameEnhancer } from '../eval/peers.js';
import { type BenchCase, type BenchDefinition, runIfMain, runTable } from './harness.js';
import { blocksOf, cycle, noisySpeech, resampleSignal } from './signals.js';

const RATE_HZ = 48_000;
const FRAME_SAMPLES = 480;
const FRAME_SEC = 0.01;
const RENDER_QUANTUM = 128;
/** Long enough for several utterances and noise types, so estimator state follows real signal. */
const SIGNAL_SEC = 6;
const BASELINE = 'speex preprocess, denoise on';

function kernelCase(name: string, kernel: NoiseSuppressorKernel, frames: Float32Array[]): BenchCase {
  const next = cycle(frames);
  return {
    name,
    fn: () => {
      kernel.input.set(next());
      kernel.process();
    },
  };
}

function peerCase(name: string, enhancer: FrameEnhancer, frames: Float32Array[], note?: string): BenchCase {
  const next = cycle(frames);
  // The peers process in place, so each call copies the frame in first (as the kernel cases do).
  const work = new Float32Array(enhancer.frameSize);
  return {
    name,
    note,
    fn: () => {
      work.set(next());
      enhancer.processFrame(work);
    },
  };
}

/** One call = one render quantum; reported per 10 ms of device audio. */
function captureCase(name: string, processor: CaptureProcessor, samples: Float32Array): BenchCase {
  const next = cycle(blocksOf(samples, RENDER_QUANTUM));
  const output = new Float32Array(RENDER_QUANTUM);
  return {
    name,
    unitsPerCall: RENDER_QUANTUM / (processor.sampleRate * FRAME_SEC),
    note: `kernel rate ${processor.kernelSampleRate} Hz, latency ${processor.latencySamples} samples (${(1000 * processor.latencySamples / processor.sampleRate).toFixed(2)} ms)`,
    fn: () => {
      processor.process(next(), output);
    },
  };
}

export const bench: BenchDefinition = {
  name: 'ns',
  description: 'noise suppression per 10 ms frame at 48 kHz (kernel, peers, capture processor)',
  async run() {
    const [simd, scalar] = await Promise.all([loadWasm({}, 'simd'), loadWasm({}, 'scalar')]);
    const signal = noisySpeech(SIGNAL_SEC);
    const frames = blocksOf(signal.samples, FRAME_SAMPLES);
    const signal44k = resampleSignal(scalar, signal, 44_100);

    const nsSimd = new NoiseSuppressorKernel(simd.exports, RATE_HZ);
    const nsSimdScalarPath = new NoiseSuppressorKernel(simd.exports, RATE_HZ);
    nsSimdScalarPath.setSimd(false);
    const nsScalar = new NoiseSuppressorKernel(scalar.exports, RATE_HZ);

    const cases: BenchCase[] = [
      kernelCase('sazanami NS, SIMD build', nsSimd, frames),
      kernelCase('sazanami NS, SIMD build, scalar path', nsSimdScalarPath, frames),
      kernelCase('sazanami NS, scalar build', nsScalar, frames),
    ];
    const peers: FrameEnhancer[] = [];
    const notes: string[] = [];
    for (const [load, name, note] of [
      [() => loadSpeex(RATE_HZ, FRAME_SAMPLES), BASELINE, '@sapphi-red/speex-preprocess-wasm'],
      [loadRnnoise, 'rnnoise', '@shiguredo/rnnoise-wasm (SIMD, RNNoise 0.2 model); includes the ×32768 scaling loops of eval/peers.ts'],
      [loadRnnoiseJitsi, 'rnnoise-jitsi', '@jitsi/rnnoise-wasm (classic RNNoise 0.1 model, no SIMD); same scaling loops'],
    ] as const) {
      try {
        const enhancer = (await load())();
        peers.push(enhancer);
        cases.push(peerCase(name, enhancer, frames, note));
      } catch (error) {
        notes.push(`${name} could not be loaded: ${(error as Error).message}`);
      }
    }

    const captures = [
      new CaptureProcessor(simd.exports, { sampleRate: RATE_HZ, maxBlockSize: RENDER_QUANTUM }),
      new CaptureProcessor(simd.exports, { sampleRate: RATE_HZ, maxBlockSize: RENDER_QUANTUM }),
      new CaptureProcessor(scalar.exports, { sampleRate: RATE_HZ, maxBlockSize: RENDER_QUANTUM }),
      new CaptureProcessor(simd.exports, { sampleRate: 44_100, maxBlockSize: RENDER_QUANTUM }),
      new CaptureProcessor(scalar.exports, { sampleRate: 44_100, maxBlockSize: RENDER_QUANTUM }),
    ];
    captures[1].setSimd(false);
    cases.push(
      captureCase('CaptureProcessor 48 kHz, SIMD build', captures[0], signal.samples),
      captureCase('CaptureProcessor 48 kHz, SIMD build, scalar path', captures[1], signal.samples),
      captureCase('CaptureProcessor 48 kHz, scalar build', captures[2], signal.samples),
      captureCase('CaptureProcessor 44.1 kHz, SIMD build', captures[3], signal44k.samples),
      captureCase('CaptureProcessor 44.1 kHz, scalar build', captures[4], signal44k.samples),
    );
    notes.push(
      `input: ${SIGNAL_SEC} s of ${signal.source}, cycled`,
      `sazanami NS preset 'balanced'; kernel cases copy the frame into the Wasm input view, then process()`,
      `CaptureProcessor: one call = one ${RENDER_QUANTUM}-sample render quantum through process() (copies in and out), `
        + 'reported per 10 ms of device audio (480 samples at 48 kHz, 441 at 44.1 kHz)',
      'real-time × = 10 ms / time per 10 ms; speed = baseline time / case time (above 1 is faster)',
    );

    try {
      return [runTable({
        name: 'ns',
        title: 'Noise suppression, 48 kHz, per 10 ms frame (baseline: SpeexDSP preprocessor)',
        unit: '10 ms',
        audioSecondsPerUnit: FRAME_SEC,
        baseline: BASELINE,
        baselineLabel: 'speex',
        cases,
        notes,
      })];
    } finally {
      for (const p of captures) p.destroy();
      for (const k of [nsSimd, nsSimdScalarPath, nsScalar]) k.destroy();
      for (const p of peers) p.destroy();
    }
  },
};

await runIfMain(bench, import.meta.url);

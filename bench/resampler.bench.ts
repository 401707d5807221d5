// Sample-rate conversion per 10 ms of input (the capture chain's resampling steps and a 96 kHz
// device): sazanami's polyphase resampler, SIMD build vs its scalar twins vs the scalar build.
import { ResamplerKernel } from '../src/core/kernels.js';
import { loadWasm } from '../src/core/wasm-loader.js';
import { type BenchCase, type BenchDefinition, runIfMain, runTable, type TableResult } from './harness.js';
import { blocksOf, cycle, noisySpeech, resampleSignal } from './signals.js';

const CONVERSIONS = [[44_100, 48_000], [48_000, 44_100], [96_000, 48_000]] as const;
const BLOCK_SEC = 0.01;
const SIGNAL_SEC = 4;
const BASELINE = 'scalar build';

export const bench: BenchDefinition = {
  name: 'resampler',
  description: 'sample-rate conversion per 10 ms of input, SIMD vs scalar',
  async run() {
    const [simd, scalar] = await Promise.all([loadWasm({}, 'simd'), loadWasm({}, 'scalar')]);
    const speech = noisySpeech(SIGNAL_SEC);
    const tables: TableResult[] = [];
    for (const [inRate, outRate] of CONVERSIONS) {
      const blockSamples = Math.round(inRate * BLOCK_SEC);
      const blocks = blocksOf(resampleSignal(scalar, speech, inRate).samples, blockSamples);
      const kernels = [
        new ResamplerKernel(simd.exports, inRate, outRate, blockSamples),
        new ResamplerKernel(simd.exports, inRate, outRate, blockSamples),
        new ResamplerKernel(scalar.exports, inRate, outRate, blockSamples),
      ];
      kernels[1].setSimd(false);
      const names = ['SIMD build', 'SIMD build, scalar path', BASELINE];
      const cases: BenchCase[] = kernels.map((kernel, i) => {
        const next = cycle(blocks);
        return { name: names[i], fn: () => { kernel.process(next()); } };
      });
      try {
        tables.push(runTable({
          name: `resampler-${inRate}-${outRate}`,
          title: `Resampler ${inRate / 1000}→${outRate / 1000} kHz, per 10 ms of input (${blockSamples} samples, ${kernels[0].taps} taps; baseline: scalar build)`,
          unit: '10 ms',
          audioSecondsPerUnit: BLOCK_SEC,
          baseline: BASELINE,
          baselineLabel: 'scalar build',
          cases,
          notes: ['one call = ResamplerKernel.process() on one 10 ms block (copies the block into the Wasm input view)'],
        }));
      } finally {
        for (const k of kernels) k.destroy();
      }
    }
    tables[tables.length - 1]?.notes.push(`input: ${speech.source}`, 'speed = scalar-build time / case time (above 1 is faster)');
    return tables;
  },
};

await runIfMain(bench, import.meta.url);

// Kernel memory: processing allocates nothing (memory size and the allocator's cursor stay put over
// 10,000 calls), and creating/destroying processors reclaims their memory.
import { beforeAll, describe, expect, it } from 'vitest';
import { CaptureProcessor } from '../src/core/capture-processor.js';
import { NoiseSuppressorKernel, RealFftKernel, ResamplerKernel } from '../src/core/kernels.js';
import type { SazanamiExports } from '../src/core/wasm-exports.js';
import { gaussianNoise } from './helpers/random.js';
import { allocationCursor, type BothBuilds, loadBothBuilds } from './helpers/wasm.js';

const CALLS = 10_000;

let builds: BothBuilds;
beforeAll(async () => {
  builds = await loadBothBuilds();
});

/**
 * Runs `work` between allocator probes and returns how far the allocation cursor moved beyond the
 * probe's own step, and whether the memory grew. With no allocation inside `work` both are zero.
 * Two calibration probes first establish the step (the first may also grow the FFT handle table).
 */
function allocationDuring(exports: SazanamiExports, work: () => void): { extraBytes: number; grownBytes: number } {
  allocationCursor(exports);
  const first = allocationCursor(exports);
  const second = allocationCursor(exports);
  const step = second - first;
  const bytesBefore = exports.memory.buffer.byteLength;
  work();
  const after = allocationCursor(exports);
  return { extraBytes: after - second - step, grownBytes: exports.memory.buffer.byteLength - bytesBefore };
}

describe.each(['simd', 'scalar'] as const)('%s build', (flavor) => {
  it('the allocation probe itself sees a single small allocation (a 16-sample resampler)', () => {
    // Guards the guard: if this fails, the probe cannot see allocations and the tests below prove nothing.
    const { exports } = builds[flavor];
    let handle = -1;
    const { extraBytes } = allocationDuring(exports, () => { handle = exports.resamplerCreate(44100, 48000, 16); });
    exports.resamplerDestroy(handle);
    expect(extraBytes).toBeGreaterThan(0);
  });

  it.each([48000, 44100])('capture process() on 128-sample blocks at %i Hz allocates nothing over 10,000 calls', (rate) => {
    const { exports } = builds[flavor];
    const processor = new CaptureProcessor(exports, { sampleRate: rate, maxBlockSize: 128 });
    const input = gaussianNoise(128 * 64, rate, 0.1), output = new Float32Array(128);
    const { extraBytes, grownBytes } = allocationDuring(exports, () => {
      for (let i = 0; i < CALLS; i++) processor.process(input.subarray((i % 64) * 128, (i % 64 + 1) * 128), output);
    });
    expect(processor.stats().error).toBeNull();
    processor.destroy();
    expect(grownBytes).toBe(0);
    expect(extraBytes).toBe(0);
  });

  it.each([8000, 16000, 32000, 48000])('NoiseSuppressorKernel.process() at %i Hz allocates nothing over 10,000 calls', (rate) => {
    const { exports } = builds[flavor];
    const kernel = new NoiseSuppressorKernel(exports, rate, 'balanced');
    const input = gaussianNoise(kernel.frameSize * 16, rate + 1, 0.1);
    const { extraBytes, grownBytes } = allocationDuring(exports, () => {
      for (let i = 0; i < CALLS; i++) {
        kernel.input.set(input.subarray((i % 16) * kernel.frameSize, (i % 16 + 1) * kernel.frameSize));
        kernel.process();
      }
    });
    kernel.destroy();
    expect(grownBytes).toBe(0);
    expect(extraBytes).toBe(0);
  });

  it('ResamplerKernel.process() (44.1 → 48 kHz, 128-sample blocks) and RealFftKernel forward/inverse (1024) allocate nothing over 10,000 calls', () => {
    const { exports } = builds[flavor];
    const resampler = new ResamplerKernel(exports, 44100, 48000, 128);
    const fft = new RealFftKernel(exports, 1024);
    const input = gaussianNoise(128, 31, 0.1);
    fft.time.set(gaussianNoise(1024, 32, 0.1));
    const { extraBytes, grownBytes } = allocationDuring(exports, () => {
      for (let i = 0; i < CALLS; i++) {
        resampler.process(input);
        fft.forward();
        fft.inverse();
      }
    });
    resampler.destroy();
    fft.destroy();
    expect(grownBytes).toBe(0);
    expect(extraBytes).toBe(0);
  });

  it('creating and destroying 200 capture processors reclaims their memory: size and allocator cursor settle after the first few', () => {
    const { exports } = builds[flavor];
    const rates = [48000, 44100, 96000, 8000, 22050];
    const blockSizes = [128, 441, 1000];
    const sizes: number[] = [], cursors: number[] = [];
    const block = gaussianNoise(1000, 33, 0.1), out = new Float32Array(1000);
    for (let i = 0; i < 200; i++) {
      const processor = new CaptureProcessor(exports, { sampleRate: rates[i % rates.length], maxBlockSize: blockSizes[i % 3] });
      processor.process(block, out);
      processor.destroy(); // frees the kernel and calls collectGarbage()
      sizes.push(exports.memory.buffer.byteLength);
      cursors.push(allocationCursor(exports));
    }
    // After a warm-up of 15 cycles (every rate × block size seen), nothing may change.
    expect(new Set(sizes.slice(15)).size).toBe(1);
    expect(sizes[199]).toBe(sizes[15]);
    expect(new Set(cursors.slice(15)).size).toBe(1);
  });
});

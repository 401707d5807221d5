// The capture chain for one channel at the device's rate: any block size in, the same block size
// out, with a constant, reported delay. Resamples to the kernel rate when needed, adapts blocks to
// 10 ms frames, runs the noise suppressor, and resamples back.
import { frameSamples, gcd, MAX_KERNEL_RATE, ptr, sanitize } from './common';
import { NoiseSuppressor } from './ns/noise-suppressor';
import { Resampler } from './resampler';
import { SampleFifo } from './sample-fifo';

const MAX_INPUT: f32 = 16;

/** The rate the kernels run at for a device rate: 8/16/32/48 kHz as is, others resampled. */
export function kernelRateFor(deviceRate: i32): i32 {
  if (deviceRate <= 8000) return 8000;
  if (deviceRate <= 16000) return 16000;
  if (deviceRate <= 32000) return 32000;
  return MAX_KERNEL_RATE;
}

export class CaptureChain {
  readonly deviceRate: i32;
  readonly kernelRate: i32;
  readonly maxBlock: i32;
  readonly input: StaticArray<f32>;
  readonly output: StaticArray<f32>;
  readonly suppressor: NoiseSuppressor;
  /** Constant input-to-output delay, in device-rate samples. */
  readonly latencySamples: i32;
  underruns: i32 = 0;
  invalidSamples: i32 = 0;
  private upsampler: Resampler | null = null;
  private downsampler: Resampler | null = null;
  private kernelInput: SampleFifo;
  private kernelOutput: SampleFifo;
  private priming: i32;

  constructor(deviceRate: i32, maxBlock: i32, preset: i32) {
    this.deviceRate = deviceRate;
    this.maxBlock = maxBlock;
    const kernelRate = kernelRateFor(deviceRate);
    this.kernelRate = kernelRate;
    this.input = new StaticArray<f32>(maxBlock);
    this.output = new StaticArray<f32>(maxBlock);
    this.suppressor = new NoiseSuppressor(kernelRate, preset);
    const frame = frameSamples(kernelRate);
    const maxKernelBlock = <i32>Math.ceil(<f64>maxBlock * <f64>kernelRate / <f64>deviceRate) + 4;
    let priming = frame;
    if (kernelRate != deviceRate) {
      const up = new Resampler(deviceRate, kernelRate, maxBlock);
      const down = new Resampler(kernelRate, deviceRate, maxKernelBlock + 256);
      this.upsampler = up;
      this.downsampler = down;
      // Cover the up-sampler's look-ahead (in kernel samples) and the down-sampler's.
      const upHold = <i32>Math.ceil(<f64>((up.taps >> 1) + 2) * <f64>kernelRate / <f64>deviceRate);
      priming += upHold + (down.taps >> 1) + 2;
      // Round the total delay up to a whole number of device samples where that is cheap.
      const unit = kernelRate / gcd(kernelRate, deviceRate);
      if (unit <= 1024) {
        const total = priming + frame;
        priming = ((total + unit - 1) / unit) * unit - frame;
      }
    }
    this.priming = priming;
    this.latencySamples = <i32>Math.round(<f64>(priming + frame) * <f64>deviceRate / <f64>kernelRate);
    this.kernelInput = new SampleFifo(frame + maxKernelBlock + 16);
    this.kernelOutput = new SampleFifo(priming + 2 * frame + 2 * maxKernelBlock + 512);
    this.reset();
  }

  reset(): void {
    this.suppressor.reset();
    const up = this.upsampler, down = this.downsampler;
    if (up) up.reset();
    if (down) down.reset();
    this.kernelInput.clear();
    this.kernelOutput.clear();
    this.kernelOutput.writeZeros(this.priming);
  }

  set useSimd(on: bool) {
    this.suppressor.useSimd = on;
    const up = this.upsampler, down = this.downsampler;
    if (up) up.useSimd = on;
    if (down) down.useSimd = on;
  }

  /** Processes `count` samples of `input` into `output`. */
  process(count: i32): void {
    const inPtr = ptr(this.input), outPtr = ptr(this.output);
    this.invalidSamples += sanitize(inPtr, count, MAX_INPUT);
    const up = this.upsampler;
    const fifoIn = this.kernelInput;
    if (up) {
      up.push(inPtr, count);
      const room = fifoIn.reserve(up.maxOutputFor(0));
      fifoIn.commit(up.produce(fifoIn.tail, room));
    } else {
      fifoIn.write(inPtr, count);
    }
    const ns = this.suppressor;
    const frame = ns.frameSize;
    const fifoOut = this.kernelOutput;
    while (fifoIn.length >= frame) {
      fifoIn.read(ptr(ns.input), frame);
      ns.process();
      fifoOut.write(ptr(ns.output), frame);
    }
    let produced = 0;
    const down = this.downsampler;
    if (down) {
      const take = min<i32>(down.inputNeededFor(count), fifoOut.length);
      down.push(fifoOut.head, take);
      fifoOut.discard(take);
      produced = down.produce(outPtr, count);
    } else {
      produced = fifoOut.read(outPtr, count);
    }
    if (produced < count) {
      // Cannot happen with the priming above; keep the stream length right if it ever does.
      this.underruns++;
      memory.fill(outPtr + (<usize>produced << 2), 0, <usize>(count - produced) << 2);
    }
  }
}

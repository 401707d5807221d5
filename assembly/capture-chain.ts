// The capture chain for one channel at the device's rate: any block size in, the same block size
// out, with a constant, reported delay. Resamples to the kernel rate when needed, adapts blocks to
// 10 ms frames, runs high-pass → echo canceller (with the far end, resampled the same way) → noise
// suppressor (+ residual echo suppression in its spectrum) → gain control, and resamples back.
// The echo canceller, high-pass and gain control exist only when asked for at creation, so the
// noise-suppression-only chain is unchanged; none of them adds delay.
import { AEC_OFF, isValidAecPreset } from './aec/aec-common';
import { Biquad } from './aec/biquad';
import { DcBlocker } from './aec/dc-blocker';
import { EchoCanceller } from './aec/echo-canceller';
import { ResidualEchoSuppressor } from './aec/residual-echo-suppressor';
import { GainController } from './agc/gain-controller';
import { frameSamples, gcd, MAX_KERNEL_RATE, ptr, sanitize, Sanitized } from './common';
import { NoiseSuppressor } from './ns/noise-suppressor';
import { VoiceActivityDetector } from './vad/voice-activity-detector';
import { Resampler } from './resampler';
import { SampleFifo } from './sample-fifo';

const MAX_INPUT: f32 = 16;
/**
 * Input no device produces (NaN/Inf, or beyond full scale) for at least ABNORMAL_MS in total leaves the
 * echo canceller's adaptive state (delay histogram, filters, residual-echo statistics) untrustworthy:
 * the fuzzing found it then took 15 s+ to re-converge, if ever. Once the input has been clean again
 * for CLEAN_AGAIN_MS, the canceller and its suppressor restart from scratch (≈ 1 s to re-converge).
 * A stray bad sample or two does not count (sanitizing them is harmless).
 */
const ABNORMAL_MS: i32 = 50;
const CLEAN_AGAIN_MS: i32 = 100;
/** High-pass corner ahead of the echo canceller and gain control when gain control runs (removes DC and rumble). */
const HIGH_PASS_HZ: f64 = 80;
/** DC-blocker corner ahead of the echo canceller without gain control (keeps near-end speech undistorted). */
const DC_BLOCK_HZ: f64 = 20;

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
  /** Far-end (loudspeaker) samples for the block, when the chain has an echo canceller. */
  readonly farInput: StaticArray<f32>;
  canceller: EchoCanceller | null = null;
  residualEcho: ResidualEchoSuppressor | null = null;
  gainController: GainController | null = null;
  readonly vad: VoiceActivityDetector;
  /** Echo canceller preset (AEC_OFF bypasses it) and whether gain control runs. */
  echoPreset: i32 = AEC_OFF;
  gainControlOn: bool = false;
  invalidFarSamples: i32 = 0;
  /** Times the echo canceller restarted after a stretch of abnormal input. */
  echoRestarts: i32 = 0;
  private abnormalSamples: i32 = 0;
  private cleanSamples: i32 = 0;
  /** Constant input-to-output delay, in device-rate samples. */
  readonly latencySamples: i32;
  underruns: i32 = 0;
  invalidSamples: i32 = 0;
  private upsampler: Resampler | null = null;
  private downsampler: Resampler | null = null;
  private kernelInput: SampleFifo;
  private kernelOutput: SampleFifo;
  private priming: i32;
  private highPass: Biquad | null = null;
  private dcBlocker: DcBlocker | null = null;
  private farUpsampler: Resampler | null = null;
  private farFifo: SampleFifo | null = null;
  /** The canceller's reset count the residual echo suppressor last saw (its ERLE is stale after one). */
  private echoResetsSeen: i32 = 0;

  /**
   * `echoPreset` < 0 builds no echo canceller (0..3: off/light/balanced/strong, changeable later);
   * `withGainControl` builds the gain controller (it can then be switched on and off).
   */
  constructor(deviceRate: i32, maxBlock: i32, preset: i32, echoPreset: i32 = -1, withGainControl: bool = false) {
    this.deviceRate = deviceRate;
    this.maxBlock = maxBlock;
    const kernelRate = kernelRateFor(deviceRate);
    this.kernelRate = kernelRate;
    this.input = new StaticArray<f32>(maxBlock);
    this.output = new StaticArray<f32>(maxBlock);
    this.suppressor = new NoiseSuppressor(kernelRate, preset);
    const frame = frameSamples(kernelRate);
    this.vad = new VoiceActivityDetector(kernelRate, frame);
    const withCanceller = echoPreset >= 0 && isValidAecPreset(echoPreset);
    this.farInput = new StaticArray<f32>(withCanceller ? maxBlock : 0);
    if (withCanceller) {
      this.canceller = new EchoCanceller(kernelRate);
      this.residualEcho = new ResidualEchoSuppressor(frame, echoPreset);
      this.echoPreset = echoPreset;
    }
    if (withGainControl) {
      this.gainController = new GainController(frame);
      this.gainControlOn = true;
    }
    if (withGainControl) this.highPass = new Biquad(kernelRate, HIGH_PASS_HZ, true);
    else if (withCanceller) this.dcBlocker = new DcBlocker(kernelRate, DC_BLOCK_HZ);
    const maxKernelBlock = <i32>Math.ceil(<f64>maxBlock * <f64>kernelRate / <f64>deviceRate) + 4;
    let priming = frame;
    if (kernelRate != deviceRate) {
      const up = new Resampler(deviceRate, kernelRate, maxBlock);
      const down = new Resampler(kernelRate, deviceRate, maxKernelBlock + 256);
      this.upsampler = up;
      this.downsampler = down;
      if (withCanceller) this.farUpsampler = new Resampler(deviceRate, kernelRate, maxBlock);
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
    if (withCanceller) this.farFifo = new SampleFifo(frame + maxKernelBlock + 16);
    this.reset();
  }

  reset(): void {
    this.suppressor.reset();
    this.vad.reset();
    const aec = this.canceller, res = this.residualEcho, agc = this.gainController, hp = this.highPass;
    if (aec) aec.reset();
    if (res) res.reset();
    if (agc) agc.reset();
    if (hp) hp.reset();
    const dc = this.dcBlocker;
    if (dc) dc.reset();
    const farUp = this.farUpsampler, farFifo = this.farFifo;
    if (farUp) farUp.reset();
    if (farFifo) farFifo.clear();
    const up = this.upsampler, down = this.downsampler;
    if (up) up.reset();
    if (down) down.reset();
    this.kernelInput.clear();
    this.kernelOutput.clear();
    this.kernelOutput.writeZeros(this.priming);
    this.echoResetsSeen = 0;
  }

  set useSimd(on: bool) {
    this.suppressor.useSimd = on;
    const aec = this.canceller, res = this.residualEcho, farUp = this.farUpsampler;
    if (aec) aec.useSimd = on;
    if (res) res.simd = on;
    if (farUp) farUp.useSimd = on;
    const up = this.upsampler, down = this.downsampler;
    if (up) up.useSimd = on;
    if (down) down.useSimd = on;
  }

  setEchoPreset(preset: i32): void {
    const res = this.residualEcho;
    if (!res || !isValidAecPreset(preset)) return;
    if ((preset == AEC_OFF) != (this.echoPreset == AEC_OFF)) {
      // Switching the canceller on or off starts it from scratch (no stale far-end history).
      const aec = this.canceller;
      if (aec) aec.reset();
      res.reset();
    }
    this.echoPreset = preset;
    res.setPreset(preset);
  }

  /** Processes `count` samples of `input` into `output`; `withFarEnd`: `farInput` holds the far end. */
  process(count: i32, withFarEnd: bool = false): void {
    const inPtr = ptr(this.input), outPtr = ptr(this.output);
    const badMic = sanitize(inPtr, count, MAX_INPUT);
    this.invalidSamples += badMic;
    let abnormal = badMic + Sanitized.beyondFullScale;
    const farFifo = this.farFifo;
    if (farFifo) {
      // The far end follows the microphone through an identical resampler, so frames stay aligned.
      const farPtr = ptr(this.farInput);
      if (withFarEnd) {
        const badFar = sanitize(farPtr, count, MAX_INPUT);
        this.invalidFarSamples += badFar;
        abnormal += badFar + Sanitized.beyondFullScale;
      } else {
        memory.fill(farPtr, 0, <usize>count << 2);
      }
      this.watchAbnormal(abnormal, count);
      const farUp = this.farUpsampler;
      if (farUp) {
        farUp.push(farPtr, count);
        const room = farFifo.reserve(farUp.maxOutputFor(0));
        farFifo.commit(farUp.produce(farFifo.tail, room));
      } else {
        farFifo.write(farPtr, count);
      }
    }
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
    const aec = this.canceller, hp = this.highPass;
    if (!aec && !hp && !this.dcBlocker) {
      while (fifoIn.length >= frame) {
        fifoIn.read(ptr(ns.input), frame);
        ns.process();
        this.vad.process(ptr(ns.output));
        fifoOut.write(ptr(ns.output), frame);
      }
    } else {
      while (fifoIn.length >= frame) this.processFrame(frame);
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

  /** Restarts the echo canceller once the input is clean again after an abnormal stretch (see ABNORMAL_MS). */
  private watchAbnormal(abnormal: i32, count: i32): void {
    if (abnormal > 0) {
      this.abnormalSamples += abnormal;
      this.cleanSamples = 0;
      return;
    }
    if (this.abnormalSamples < this.deviceRate * ABNORMAL_MS / 1000) return;
    this.cleanSamples += count;
    if (this.cleanSamples < this.deviceRate * CLEAN_AGAIN_MS / 1000) return;
    const aec = this.canceller, res = this.residualEcho;
    if (aec) aec.restart();
    if (res) res.reset();
    this.echoRestarts++;
    this.abnormalSamples = 0;
    this.cleanSamples = 0;
  }

  /** One kernel frame through high-pass → echo canceller → NS with residual echo suppression → AGC. */
  private processFrame(frame: i32): void {
    const ns = this.suppressor, aec = this.canceller, res = this.residualEcho, hp = this.highPass, dc = this.dcBlocker;
    const fifoIn = this.kernelInput, farFifo = this.farFifo;
    const nsIn = ptr(ns.input);
    if (aec && res && farFifo) {
      const micPtr = ptr(aec.input);
      fifoIn.read(micPtr, frame);
      farFifo.read(ptr(aec.farEnd), frame);
      if (hp) hp.processInPlace(micPtr, frame);
      else if (dc) dc.processInPlace(micPtr, frame);
      if (this.echoPreset != AEC_OFF) {
        aec.process();
        if (aec.resets != this.echoResetsSeen) { this.echoResetsSeen = aec.resets; res.resetLeak(); }
        memory.copy(nsIn, ptr(aec.output), <usize>frame << 2);
        ns.analyze();
        res.update(ns.spectrumRe, ns.spectrumIm, ptr(aec.echo), aec.farActive, aec.tailDecay, aec.echoDominated);
        aec.nearEnd = res.nearEnd;
        ns.synthesize(ptr(res.gain), ptr(res.comfortRe), ptr(res.comfortIm));
      } else {
        memory.copy(nsIn, micPtr, <usize>frame << 2);
        ns.process();
      }
    } else {
      fifoIn.read(nsIn, frame);
      if (hp) hp.processInPlace(nsIn, frame);
      ns.process();
    }
    const out = ptr(ns.output);
    this.vad.process(out);
    const agc = this.gainController;
    if (agc && this.gainControlOn) agc.process(out, this.vad);
    this.kernelOutput.write(out, frame);
  }
}


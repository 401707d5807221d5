// The module's exported surface: kernels are created into handle tables and driven through
// plain numeric exports. JS reads and writes kernel-owned buffers through typed-array views of
// the pointers returned here; no export copies arrays.
import { FRAME_MS, MAX_BLOCK_SAMPLES, ptr, SIMD_BUILD } from './common';
import { isValidAecPreset } from './aec/aec-common';
import { CaptureChain } from './capture-chain';
import { RealFft } from './fft';
import { NoiseSuppressor } from './ns/noise-suppressor';
import { isValidPreset } from './ns/presets';
import { Resampler } from './resampler';

export { FRAME_MS };

/** True in the build compiled with Wasm SIMD. */
export function isSimdBuild(): bool {
  return SIMD_BUILD;
}

/** Releases memory of destroyed kernels. */
export function collectGarbage(): void {
  __collect();
}

const MIN_RATE: i32 = 8000;
const MAX_RATE: i32 = 384000;

// ---- capture chain ------------------------------------------------------------------------

const chains = new Array<CaptureChain | null>();

/** Returns a handle ≥ 0, or -1 for an unsupported rate/block size/preset (validated again in JS). */
export function captureCreate(deviceRate: i32, maxBlock: i32, preset: i32): i32 {
  if (deviceRate < MIN_RATE || deviceRate > MAX_RATE || maxBlock < 1 || maxBlock > MAX_BLOCK_SAMPLES || !isValidPreset(preset)) return -1;
  return store(chains, new CaptureChain(deviceRate, maxBlock, preset));
}
/**
 * Like captureCreate with the full chain: `echoPreset` -1 = no echo canceller, 0..3 = off/light/
 * balanced/strong (changeable later); `gainControl` 1 builds and enables the AGC + limiter.
 */
export function captureCreateFull(deviceRate: i32, maxBlock: i32, preset: i32, echoPreset: i32, gainControl: bool): i32 {
  if (deviceRate < MIN_RATE || deviceRate > MAX_RATE || maxBlock < 1 || maxBlock > MAX_BLOCK_SAMPLES || !isValidPreset(preset)) return -1;
  if (echoPreset != -1 && !isValidAecPreset(echoPreset)) return -1;
  return store(chains, new CaptureChain(deviceRate, maxBlock, preset, echoPreset, gainControl));
}
export function captureDestroy(h: i32): void { release(chains, h); }
export function captureInputPtr(h: i32): usize { const c = chain(h); return c ? ptr(c.input) : 0; }
export function captureOutputPtr(h: i32): usize { const c = chain(h); return c ? ptr(c.output) : 0; }
/** Processes `count` ≤ maxBlock samples; returns false (and does nothing) on a bad handle/count. */
export function captureProcess(h: i32, count: i32): bool {
  const c = chain(h);
  if (!c || count < 0 || count > c.maxBlock) return false;
  c.process(count);
  return true;
}
/** Far-end input buffer (maxBlock samples), or 0 when the chain has no echo canceller. */
export function captureFarEndPtr(h: i32): usize { const c = chain(h); return c && c.canceller ? ptr(c.farInput) : 0; }
/** Like captureProcess, with `count` far-end samples in the far-end buffer. */
export function captureProcessWithFarEnd(h: i32, count: i32): bool {
  const c = chain(h);
  if (!c || count < 0 || count > c.maxBlock) return false;
  c.process(count, c.canceller !== null);
  return true;
}
export function captureSetEchoPreset(h: i32, preset: i32): bool {
  const c = chain(h);
  if (!c || !c.canceller || !isValidAecPreset(preset)) return false;
  c.setEchoPreset(preset);
  return true;
}
export function captureSetGainControl(h: i32, on: bool): bool {
  const c = chain(h);
  if (!c || !c.gainController) return false;
  c.gainControlOn = on;
  return true;
}
export function captureEchoReturnLossEnhancementDb(h: i32): f32 { const c = chain(h); const a = c ? c.canceller : null; return a ? a.erleDb : 0; }
/** Estimated loudspeaker→microphone delay in ms, or -1 while unknown. */
export function captureEchoDelayMs(h: i32): f32 {
  const c = chain(h); const a = c ? c.canceller : null;
  return a && a.estimatedDelaySamples >= 0 ? <f32>a.estimatedDelaySamples * 1000 / <f32>a.sampleRate : -1;
}
export function captureEchoLeakage(h: i32): f32 { const c = chain(h); const a = c ? c.canceller : null; return a ? a.leak : 1; }
export function captureEchoSuppressionGain(h: i32): f32 { const c = chain(h); const r = c ? c.residualEcho : null; return r ? r.meanGain : 1; }
export function captureEchoFilterResets(h: i32): i32 { const c = chain(h); const a = c ? c.canceller : null; return a ? a.resets : 0; }
export function captureVoiceProbability(h: i32): f32 { const c = chain(h); return c ? c.vad.speechProbability : 0; }
export function captureVoiceActive(h: i32): bool { const c = chain(h); return c ? c.vad.voiceActive : false; }
export function captureGainDb(h: i32): f32 { const c = chain(h); const g = c ? c.gainController : null; return g && c!.gainControlOn ? g.gainDb : 0; }
export function captureSpeechLevelDbfs(h: i32): f32 { const c = chain(h); const g = c ? c.gainController : null; return g ? g.speechLevelDbfs : -100; }
export function captureInvalidFarEndSamples(h: i32): i32 { const c = chain(h); return c ? c.invalidFarSamples : 0; }
export function captureSetPreset(h: i32, preset: i32): bool {
  const c = chain(h);
  if (!c || !isValidPreset(preset)) return false;
  c.suppressor.setPreset(preset);
  return true;
}
export function captureSetSimd(h: i32, on: bool): void { const c = chain(h); if (c) c.useSimd = on && SIMD_BUILD; }
export function captureReset(h: i32): void { const c = chain(h); if (c) c.reset(); }
export function captureLatencySamples(h: i32): i32 { const c = chain(h); return c ? c.latencySamples : 0; }
export function captureKernelRate(h: i32): i32 { const c = chain(h); return c ? c.kernelRate : 0; }
export function captureSpeechProbability(h: i32): f32 { const c = chain(h); return c ? c.suppressor.speechProbability : 0; }
export function captureNoiseLevelDb(h: i32): f32 { const c = chain(h); return c ? c.suppressor.noiseLevelDb : -100; }
export function captureUnderruns(h: i32): i32 { const c = chain(h); return c ? c.underruns : 0; }
export function captureInvalidSamples(h: i32): i32 { const c = chain(h); return c ? c.invalidSamples : 0; }

// ---- noise suppressor alone (10 ms frames at 8/16/32/48 kHz) -------------------------------

const suppressors = new Array<NoiseSuppressor | null>();

export function nsCreate(sampleRate: i32, preset: i32): i32 {
  if ((sampleRate != 8000 && sampleRate != 16000 && sampleRate != 32000 && sampleRate != 48000) || !isValidPreset(preset)) return -1;
  return store(suppressors, new NoiseSuppressor(sampleRate, preset));
}
export function nsDestroy(h: i32): void { release(suppressors, h); }
export function nsInputPtr(h: i32): usize { const s = suppressor(h); return s ? ptr(s.input) : 0; }
export function nsOutputPtr(h: i32): usize { const s = suppressor(h); return s ? ptr(s.output) : 0; }
export function nsFrameSize(h: i32): i32 { const s = suppressor(h); return s ? s.frameSize : 0; }
export function nsProcess(h: i32): bool { const s = suppressor(h); if (!s) return false; s.process(); return true; }
export function nsSetPreset(h: i32, preset: i32): bool {
  const s = suppressor(h);
  if (!s || !isValidPreset(preset)) return false;
  s.setPreset(preset);
  return true;
}
export function nsSetSimd(h: i32, on: bool): void { const s = suppressor(h); if (s) s.useSimd = on && SIMD_BUILD; }
export function nsReset(h: i32): void { const s = suppressor(h); if (s) s.reset(); }
export function nsSpeechProbability(h: i32): f32 { const s = suppressor(h); return s ? s.speechProbability : 0; }
export function nsNoiseLevelDb(h: i32): f32 { const s = suppressor(h); return s ? s.noiseLevelDb : -100; }

// ---- real FFT (tests and benchmarks) -------------------------------------------------------

class FftUnit {
  fft: RealFft;
  time: StaticArray<f32>;
  re: StaticArray<f32>;
  im: StaticArray<f32>;
  constructor(size: i32) {
    this.fft = new RealFft(size);
    this.time = new StaticArray<f32>(size);
    this.re = new StaticArray<f32>((size >> 1) + 4);
    this.im = new StaticArray<f32>((size >> 1) + 4);
  }
}
const ffts = new Array<FftUnit | null>();

export function fftCreate(size: i32): i32 {
  if (size < 16 || size > 65536 || (size & (size - 1)) != 0) return -1;
  return store(ffts, new FftUnit(size));
}
export function fftDestroy(h: i32): void { release(ffts, h); }
export function fftTimePtr(h: i32): usize { const f = fftUnit(h); return f ? ptr(f.time) : 0; }
export function fftRePtr(h: i32): usize { const f = fftUnit(h); return f ? ptr(f.re) : 0; }
export function fftImPtr(h: i32): usize { const f = fftUnit(h); return f ? ptr(f.im) : 0; }
export function fftSetSimd(h: i32, on: bool): void { const f = fftUnit(h); if (f) f.fft.useSimd = on && SIMD_BUILD; }
export function fftForward(h: i32): void { const f = fftUnit(h); if (f) f.fft.forward(ptr(f.time), ptr(f.re), ptr(f.im)); }
export function fftInverse(h: i32): void { const f = fftUnit(h); if (f) f.fft.inverse(ptr(f.re), ptr(f.im), ptr(f.time)); }

// ---- resampler (tests and benchmarks) ------------------------------------------------------

class ResamplerUnit {
  resampler: Resampler;
  input: StaticArray<f32>;
  output: StaticArray<f32>;
  constructor(inRate: i32, outRate: i32, maxInput: i32) {
    const resampler = new Resampler(inRate, outRate, maxInput);
    this.resampler = resampler;
    this.input = new StaticArray<f32>(maxInput);
    this.output = new StaticArray<f32>(resampler.maxOutputFor(maxInput) + 8);
  }
}
const resamplers = new Array<ResamplerUnit | null>();

export function resamplerCreate(inRate: i32, outRate: i32, maxInput: i32): i32 {
  if (inRate < 1000 || inRate > MAX_RATE || outRate < 1000 || outRate > MAX_RATE || maxInput < 1 || maxInput > 1 << 20) return -1;
  return store(resamplers, new ResamplerUnit(inRate, outRate, maxInput));
}
export function resamplerDestroy(h: i32): void { release(resamplers, h); }
export function resamplerInputPtr(h: i32): usize { const r = resamplerUnit(h); return r ? ptr(r.input) : 0; }
export function resamplerOutputPtr(h: i32): usize { const r = resamplerUnit(h); return r ? ptr(r.output) : 0; }
export function resamplerTaps(h: i32): i32 { const r = resamplerUnit(h); return r ? r.resampler.taps : 0; }
export function resamplerSetSimd(h: i32, on: bool): void { const r = resamplerUnit(h); if (r) r.resampler.useSimd = on && SIMD_BUILD; }
/** Pushes `count` input samples and returns how many outputs were written (-1 on a bad call). */
export function resamplerProcess(h: i32, count: i32): i32 {
  const r = resamplerUnit(h);
  if (!r || count < 0 || count > r.input.length) return -1;
  r.resampler.push(ptr(r.input), count);
  return r.resampler.produce(ptr(r.output), r.output.length);
}

// ---- handle tables -------------------------------------------------------------------------

function store<T>(table: Array<T | null>, item: T): i32 {
  for (let i = 0; i < table.length; i++) {
    if (unchecked(table[i]) === null) {
      unchecked(table[i] = item);
      return i;
    }
  }
  table.push(item);
  return table.length - 1;
}

function release<T>(table: Array<T | null>, h: i32): void {
  if (h >= 0 && h < table.length) unchecked(table[h] = null);
}

function chain(h: i32): CaptureChain | null { return h >= 0 && h < chains.length ? unchecked(chains[h]) : null; }
function suppressor(h: i32): NoiseSuppressor | null { return h >= 0 && h < suppressors.length ? unchecked(suppressors[h]) : null; }
function fftUnit(h: i32): FftUnit | null { return h >= 0 && h < ffts.length ? unchecked(ffts[h]) : null; }
function resamplerUnit(h: i32): ResamplerUnit | null { return h >= 0 && h < resamplers.length ? unchecked(resamplers[h]) : null; }
export * from './video/exports';
export * from './receive/exports';

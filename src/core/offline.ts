// Whole-buffer processing through the capture chain (CLI, evaluation): each channel gets its own
// chain; the chain's constant delay is removed so outputs are time-aligned and the same length.
import { EngineCore, loadEngineCore } from './engine-core.js';
import type { CaptureOptions } from './options.js';
import { validateCaptureOptions } from './options.js';

export { EngineCore, loadEngineCore };

export interface OfflineStats {
  sampleRate: number;
  channels: number;
  frames: number;
  durationSec: number;
  internalSampleRate: number;
  /** The chain's delay, removed from the output. */
  latencySamples: number;
  noiseSuppression: string;
  processingMs: number;
  /** Audio duration divided by processing time (higher is faster). */
  realTimeFactor: number;
  meanSpeechProbability: number;
  noiseLevelDbfs: number;
  invalidInputSamples: number;
  simd: boolean;
  echoCancellation: string;
  gainControl: boolean;
  /** Linear-stage ERLE at the end of the file, estimated far-end delay (null without a canceller or far end). */
  echoReturnLossEnhancementDb: number | null;
  echoDelayMs: number | null;
  /** Fraction of 10 ms blocks the VAD marked as voice. */
  voiceActiveFraction: number;
  /** Gain control's gain at the end of the file (null when off). */
  finalGainDb: number | null;
}

export interface OfflineFarEnd {
  /** Far-end (loudspeaker) signal at the same sample rate, mono; shorter is padded with silence, longer is cut. */
  samples: Float32Array;
}

/** Block size used offline: large enough to amortise calls, any value gives identical output. */
const OFFLINE_BLOCK = 4096;

export function processOffline(core: EngineCore, channels: Float32Array[], sampleRate: number,
  options?: CaptureOptions, onProgress?: (fraction: number) => void, farEnd?: OfflineFarEnd): { channels: Float32Array[]; stats: OfflineStats } {
  const o = validateCaptureOptions(options);
  if (farEnd !== undefined && !(farEnd.samples instanceof Float32Array)) throw new TypeError('farEnd.samples must be a Float32Array');
  if (channels.length === 0) throw new RangeError('no channels to process; accepted: 1 or more channels');
  const frames = channels[0].length;
  if (channels.some((c) => c.length !== frames)) throw new RangeError('all channels must have the same length');
  const started = performance.now();
  const outputs: Float32Array[] = [];
  let speechSum = 0, speechFrames = 0, noiseSum = 0, invalid = 0, latency = 0, kernelRate = 0, voiceBlocks = 0;
  let erle: number | null = null, delayMs: number | null = null, finalGain: number | null = null;
  const farBlock = farEnd !== undefined ? new Float32Array(OFFLINE_BLOCK) : null;
  const blocksPerChannel = Math.ceil(frames / OFFLINE_BLOCK) + 1;
  const inputBlock = new Float32Array(OFFLINE_BLOCK);
  const outputBlock = new Float32Array(OFFLINE_BLOCK);
  for (let ch = 0; ch < channels.length; ch++) {
    const processor = core.createCaptureProcessor({ sampleRate, maxBlockSize: OFFLINE_BLOCK, ...o });
    try {
      latency = processor.latencySamples;
      kernelRate = processor.kernelSampleRate;
      const source = channels[ch];
      const out = new Float32Array(frames);
      // Feed input then `latency` zeros; output sample n + latency is input sample n.
      const total = frames + latency;
      let block = 0;
      for (let pos = 0; pos < total; pos += OFFLINE_BLOCK) {
        const count = Math.min(OFFLINE_BLOCK, total - pos);
        const inView = inputBlock.subarray(0, count);
        inView.fill(0);
        if (pos < frames) inView.set(source.subarray(pos, Math.min(pos + count, frames)));
        const outView = outputBlock.subarray(0, count);
        let farView: Float32Array | null = null;
        if (farBlock !== null && farEnd !== undefined) {
          // The far end is aligned with the microphone input (both start at sample 0).
          farView = farBlock.subarray(0, count);
          farView.fill(0);
          const far = farEnd.samples;
          if (pos < far.length) farView.set(far.subarray(pos, Math.min(pos + count, far.length, frames)));
        }
        if (!processor.process(inView, outView, farView)) {
          throw new Error(`processing failed: ${processor.stats().error ?? 'unknown error'}`);
        }
        // Keep output samples whose index minus latency falls in [0, frames).
        const first = Math.max(pos, latency), last = Math.min(pos + count, total);
        if (last > first) out.set(outView.subarray(first - pos, last - pos), first - latency);
        const s = processor.stats();
        speechSum += s.speechProbability;
        noiseSum += s.noiseLevelDbfs;
        speechFrames++;
        if (s.voiceActive) voiceBlocks++;
        if (++block % 8 === 0) onProgress?.((ch + block / blocksPerChannel) / channels.length);
      }
      const last = processor.stats();
      invalid += last.invalidInputSamples;
      erle = farEnd !== undefined ? last.echoReturnLossEnhancementDb : null;
      delayMs = farEnd !== undefined ? last.echoDelayMs : null;
      finalGain = last.gainDb;
      outputs.push(out);
    } finally {
      processor.destroy();
    }
  }
  onProgress?.(1);
  const processingMs = performance.now() - started;
  const durationSec = frames / sampleRate;
  return {
    channels: outputs,
    stats: {
      sampleRate, channels: channels.length, frames, durationSec, internalSampleRate: kernelRate,
      latencySamples: latency, noiseSuppression: o.noiseSuppression, processingMs,
      realTimeFactor: processingMs > 0 ? (durationSec * channels.length * 1000) / processingMs : 0,
      meanSpeechProbability: speechFrames ? speechSum / speechFrames : 0,
      noiseLevelDbfs: speechFrames ? noiseSum / speechFrames : -100,
      invalidInputSamples: invalid, simd: core.simd,
      echoCancellation: o.echoCancellation, gainControl: o.gainControl,
      echoReturnLossEnhancementDb: erle, echoDelayMs: delayMs,
      voiceActiveFraction: speechFrames ? voiceBlocks / speechFrames : 0, finalGainDb: finalGain,
    },
  };
}

// A real-time call in one page: the fake microphone plays the noisy-speech sample, processAudioTrack
// cleans it, a loopback RTCPeerConnection carries it (Opus), and the receiver side records it.
// Compared with the same call without processing, the noise floor relative to speech is lower.
import { describe, expect, it } from 'vitest';
import {NOISY_SPEECH_WAV, useHarnessPage } from './harness.js';

interface LoopbackResult {
  micSettings: { sampleRate?: number; channelCount?: number };
  processorStats: { latencyMs: number; cpuUsPerFrame: number | null; bypassed: boolean; errorCount: number; flavor: string } | null;
  frames: number;
  digitallySilentFrames: number;
  p10Db: number;
  p50Db: number;
  p90Db: number;
}

const SECONDS = 6;
const WARMUP_SECONDS = 1;
/** 'strong' floors the gain at −28 dB; after Opus and level changes, 8 dB is a clear, safe margin. */
const MIN_FLOOR_IMPROVEMENT_DB = 8;

describe('loopback call with the fake microphone', () => {
  const page = useHarnessPage([`--use-file-for-fake-audio-capture=${NOISY_SPEECH_WAV}`]);

  it(`lowers the received noise floor (10th vs 90th percentile of 20 ms frame energy) by ≥ ${MIN_FLOOR_IMPROVEMENT_DB} dB against an unprocessed call`, async () => {
    const run = (processed: boolean) => page().evaluate((args) => (window as any).sazanamiTest.loopback(args) as Promise<LoopbackResult>,
      { processed, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, noiseSuppression: 'strong' });
    const control = await run(false);
    const processed = await run(true);
    const floor = (r: LoopbackResult) => r.p10Db - r.p90Db;
    for (const [name, r] of [['control', control], ['processed', processed]] as const) {
      console.log(`loopback ${name}: p10 ${r.p10Db.toFixed(1)} dBFS, p50 ${r.p50Db.toFixed(1)} dBFS, p90 ${r.p90Db.toFixed(1)} dBFS, `
        + `noise floor re speech ${floor(r).toFixed(1)} dB (${r.frames} frames, ${r.digitallySilentFrames} digitally silent); `
        + `mic ${JSON.stringify(r.micSettings)}`);
    }
    console.log(`loopback: noise floor improvement ${(floor(control) - floor(processed)).toFixed(1)} dB; processor ${JSON.stringify(processed.processorStats)}`);
    // Both calls carried audio (not a silent or dead path).
    expect(control.p90Db).toBeGreaterThan(-45);
    expect(processed.p90Db).toBeGreaterThan(-45);
    expect(processed.digitallySilentFrames).toBeLessThan(processed.frames / 4);
    expect(processed.processorStats?.bypassed).toBe(false);
    expect(processed.processorStats?.errorCount).toBe(0);
    expect(floor(control) - floor(processed)).toBeGreaterThanOrEqual(MIN_FLOOR_IMPROVEMENT_DB);
  });
});

// Engine lifecycle: repeated processAudioTrack/stop cycles release everything, and bad input is
// rejected at the public edge with clear errors.
import { describe, expect, it } from 'vitest';
import {useHarnessPage } from './harness.js';

interface CyclesResult {
  count: number;
  sharedContext: boolean;
  maxLiveAfterStop: number;
  finalLive: number;
  maxLiveProcessorsInScopeAtStart: number;
  lastLiveProcessorsInScopeAtStart: number;
  contextsCreated: number;
  contextStatesAfter: string[];
  engineContextAfter: string | null;
  inputTrackState: string;
}

const CYCLES = 100;

describe('engine lifecycle', () => {
  const page = useHarnessPage();

  const cycles = (count: number, sharedContext: boolean) =>
    page().evaluate((args) => (window as any).sazanamiTest.cycles(args) as Promise<CyclesResult>, { count, sharedContext });

  it(`leaves no live processor after ${CYCLES} processAudioTrack/stop cycles on the engine's own AudioContext, and closes it`, async () => {
    const result = await cycles(CYCLES, false);
    console.log(`cycles (engine-owned context): ${JSON.stringify(result)}`);
    expect(result.maxLiveAfterStop).toBe(0);
    expect(result.finalLive).toBe(0);
    expect(result.contextStatesAfter).toEqual(['closed']);
    expect(result.engineContextAfter).toBeNull();
    expect(result.inputTrackState).toBe('live');
  });

  it(`keeps one live processor in the worklet scope across ${CYCLES} cycles on an app-provided AudioContext, which stays open`, async () => {
    const result = await cycles(CYCLES, true);
    console.log(`cycles (shared context): ${JSON.stringify(result)}`);
    expect(result.maxLiveAfterStop).toBe(0);
    // Each new processor sees only itself alive in the scope: earlier ones released their kernels.
    expect(result.maxLiveProcessorsInScopeAtStart).toBe(1);
    expect(result.contextsCreated).toBe(1);
    expect(result.contextStatesAfter).toEqual(['running']);
  });

  it('rejects a video track, a non-track, an ended track and bad options at the public edge; applies valid updates; worklet rejects a raw bad update', async () => {
    const result = await page().evaluate(() => (window as any).sazanamiTest.edgeErrors() as Promise<Record<string, string | number | boolean>>);
    console.log(`edge errors: ${JSON.stringify(result, null, 1)}`);
    expect(result.supported).toBe(true);
    expect(result.videoTrack).toMatch(/^TypeError: .*audio track, got a video track/);
    expect(result.notATrack).toMatch(/^TypeError: .*MediaStreamTrack/);
    expect(result.endedTrack).toMatch(/^InvalidStateError: .*ended/);
    expect(result.badLevel).toMatch(/^RangeError: noiseSuppression must be one of/);
    expect(result.unknownOption).toMatch(/^TypeError: unknown capture option 'echo'/);
    expect(result.badChannels).toMatch(/^RangeError: channelCount must be 1 or 2/);
    expect(result.badUpdate).toMatch(/^RangeError: noiseSuppression must be one of/);
    expect(result.updateAfterStop).toMatch(/^InvalidStateError/);
    expect(result.levelAfterUpdate).toBe('light');
    expect(result.rawBadUpdate).toMatch(/^RangeError: noiseSuppression must be one of/);
    expect(result.levelAfterRawBadUpdate).toBe('light');
    expect(result.stereoChannels).toBe(2);
    expect(result.live).toBe(0);
  });
});

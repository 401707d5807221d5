// The browser API's track options at the public edge: far-end validation and the echo default it
// implies, checked in Node (no Web Audio here, so any farEnd value is "not an AudioNode").
import { describe, expect, it } from 'vitest';
import { validateAudioTrackOptions } from '../src/browser/audio-track-options.js';

describe('validateAudioTrackOptions', () => {
  it('keeps the NS-only node single-input by default (no far-end input, echo off)', () => {
    const v = validateAudioTrackOptions(undefined);
    expect(v.farEndInput).toBe(false);
    expect(v.capture.echoCancellation).toBe('off');
    expect(validateAudioTrackOptions({ noiseSuppression: 'strong' }).farEndInput).toBe(false);
  });

  it('gives the node a far-end input when echo cancellation is on, even before a far end is connected', () => {
    const v = validateAudioTrackOptions({ echoCancellation: 'strong' });
    expect(v.farEndInput).toBe(true);
    expect(v.farEnd).toBeNull();
    expect(v.capture.echoCancellation).toBe('strong');
  });

  it('rejects a far end that is neither an AudioNode nor a MediaStreamTrack, and non-boolean flags', () => {
    expect(() => validateAudioTrackOptions({ farEnd: {} })).toThrow(TypeError);
    expect(() => validateAudioTrackOptions({ farEnd: 'speakers' })).toThrow(/AudioNode or an audio MediaStreamTrack/);
    expect(() => validateAudioTrackOptions({ playFarEnd: 1 })).toThrow(TypeError);
    expect(() => validateAudioTrackOptions({ disableBrowserEchoCancellation: 'no' })).toThrow(TypeError);
    expect(() => validateAudioTrackOptions({ echoCancellation: 'loud' })).toThrow(RangeError);
  });
});

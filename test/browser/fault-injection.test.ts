// Fault injection on the capture worklet: a kernel error turns the node into an exact pass-through
// and is reported exactly once on its port.
import { describe, expect, it } from 'vitest';
import {float32FromBase64, useHarnessPage } from './harness.js';

interface FaultResult {
  input: string;
  output: string;
  errors: string[];
  rejected: string[];
  faultFrame: number;
  stats: { bypassed: boolean; error: string | null };
}

describe('capture worklet fault injection', () => {
  const page = useHarnessPage();

  it('passes input through unchanged after a kernel error and posts exactly one error message', async () => {
    const result = await page().evaluate((args) => (window as any).sazanamiTest.fault(args) as Promise<FaultResult>,
      { sampleRate: 48000, seconds: 2, faultSeconds: 1 });
    const input = float32FromBase64(result.input);
    const output = float32FromBase64(result.output);
    let maxAfter = 0;
    for (let n = result.faultFrame; n < input.length; n++) maxAfter = Math.max(maxAfter, Math.abs(output[n] - input[n]));
    let maxBefore = 0;
    for (let n = 0; n < result.faultFrame; n++) maxBefore = Math.max(maxBefore, Math.abs(output[n] - input[n]));
    console.log(`fault at frame ${result.faultFrame}: errors on port ${JSON.stringify(result.errors)}, `
      + `max |out − in| before ${maxBefore.toExponential(2)}, after ${maxAfter.toExponential(2)}; `
      + `rejected messages ${JSON.stringify(result.rejected)}; stats.bypassed ${result.stats.bypassed}`);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain('injected fault');
    expect(maxAfter).toBe(0);
    // Before the fault the node processed (delayed, suppressed) audio.
    expect(maxBefore).toBeGreaterThan(0.01);
    expect(result.stats.bypassed).toBe(true);
    // An unknown control message is reported, not thrown on the audio thread.
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]).toContain("unknown control message type 'no-such-message'");
  });
});

// The capture worklet in Chromium's OfflineAudioContext against the Node reference (processOffline)
// on the noisy-speech sample, at 44.1, 48 and 96 kHz.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineCore, processOffline } from '../../src/core/offline.js';
import { instantiateWasm, isWasmSimdSupported, type WasmFlavor } from '../../src/core/wasm-loader.js';
import { REPO_ROOT, float32FromBase64, launchChromium, openHarness, startServer, type StaticServer } from './harness.js';

interface ParityResult { input: string; output: string; latencySamples: number; flavor: WasmFlavor }

// Both sides run the same Wasm on the same float32 samples; CaptureProcessor output does not depend
// on block partition (128 in the worklet, 4096 offline), so any difference would be a host bug.
// The tolerance leaves room only for float rounding.
const MAX_ABS_ERROR = 1e-6;
const SECONDS = 4;

describe('capture worklet (Chromium OfflineAudioContext)', () => {
  let server: StaticServer;
  let browser: Browser;
  let page: Page;
  let core: EngineCore;
  let wasmBase64: string;
  const flavor: WasmFlavor = isWasmSimdSupported() ? 'simd' : 'scalar';

  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
    page = await openHarness(browser, server.origin);
    const bytes = readFileSync(join(REPO_ROOT, `build/sazanami-${flavor}.wasm`));
    wasmBase64 = bytes.toString('base64');
    core = new EngineCore(instantiateWasm(await WebAssembly.compile(bytes), flavor));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const sampleRate of [44100, 48000, 96000]) {
    it(`matches the Node reference at ${sampleRate} Hz within ${MAX_ABS_ERROR} once shifted by latencySamples`, async () => {
      const result = await page.evaluate((args) => (window as any).sazanamiTest.parity(args) as Promise<ParityResult>,
        { sampleRate, seconds: SECONDS, noiseSuppression: 'balanced', wasmBase64, flavor });
      const input = float32FromBase64(result.input);
      const rendered = float32FromBase64(result.output);
      expect(result.flavor).toBe(flavor);
      const reference = processOffline(core, [input], sampleRate, { noiseSuppression: 'balanced' });
      expect(result.latencySamples).toBe(reference.stats.latencySamples);
      const latency = result.latencySamples;
      expect(rendered.length).toBeGreaterThanOrEqual(input.length + latency);

      const expected = reference.channels[0];
      let maxError = 0;
      let errorEnergy = 0;
      let signalEnergy = 0;
      let inputChange = 0;
      for (let n = 0; n < expected.length; n++) {
        const error = Math.abs(rendered[n + latency] - expected[n]);
        maxError = Math.max(maxError, error);
        errorEnergy += error * error;
        signalEnergy += expected[n] * expected[n];
        inputChange += (expected[n] - input[n]) ** 2;
      }
      const errorDb = errorEnergy > 0 ? 10 * Math.log10(errorEnergy / signalEnergy) : -Infinity;
      const changeDb = 10 * Math.log10(inputChange / signalEnergy);
      console.log(`parity ${sampleRate} Hz (${result.flavor}, ${SECONDS} s, latency ${latency} samples): `
        + `max |worklet − reference| = ${maxError.toExponential(2)}, error energy ${errorDb.toFixed(1)} dB re output; `
        + `processing changed the signal by ${changeDb.toFixed(1)} dB re output`);
      expect(maxError).toBeLessThanOrEqual(MAX_ABS_ERROR);
      // The comparison is not vacuous: the output really is processed audio, not the input.
      expect(changeDb).toBeGreaterThan(-30);
    });
  }
});

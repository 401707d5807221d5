// Soak in real Chromium: one hour of speech (the demo sample, looped by an AudioBufferSourceNode)
// through the capture worklet in ONE continuous OfflineAudioContext, so any drift between input
// and output would accumulate and show. Checks: no underruns and no bypass (worklet stats, read
// from shared memory and from the stats messages posted during the render), latency constant, the
// worklet processed every frame, output aligned with input at latencySamples at the start and at
// the end (cross-correlation), no NaN, and no silent second where the input has speech.
import { describe, expect, it } from 'vitest';
import { useHarnessPage } from './harness.js';

/** 44.1 kHz: the device rate that goes through both resamplers (44.1 ↔ 48 kHz), where drift could hide. */
const SAMPLE_RATE = 44100;
const SECONDS = 3600;

interface SoakResult {
  sampleRate: number;
  seconds: number;
  flavor: string;
  renderMs: number;
  framesRendered: number;
  framesProcessed: number | null;
  latencyAtStart: number;
  latencyAtEnd: number;
  latencyValuesSeen: number[];
  statsMessages: number;
  maxUnderruns: number;
  bypassed: boolean;
  errors: string[];
  nonFinite: number;
  maxAbs: number;
  speechSeconds: number;
  silentSpeechSeconds: number;
  headLag: number;
  tailLag: number;
  headCorrelation: number;
  tailCorrelation: number;
  inputLevelDb: number;
  outputLevelDb: number;
}

/** Runs in the page: builds the graph, renders, and analyses the hour there (only a summary comes back). */
async function soakInPage({ sampleRate, seconds }: { sampleRate: number; seconds: number }): Promise<SoakResult> {
  // The library, put on window by a module script tag (an import() here would be rewritten by vitest).
  const createEngine = (window as unknown as { soakCreateEngine: (options?: object) => Promise<any> }).soakCreateEngine;
  const engine = await createEngine();
  const decoder = new OfflineAudioContext(1, 1, sampleRate);
  const sample: AudioBuffer = await decoder.decodeAudioData(await (await fetch('/demo/samples/noisy-speech.wav')).arrayBuffer());
  const input = sample.getChannelData(0);
  const frames = seconds * sampleRate;
  const context = new OfflineAudioContext(1, frames, sampleRate);
  const source = new AudioBufferSourceNode(context, { buffer: sample, loop: true });
  const capture = await engine.createCaptureNode(context, { noiseSuppression: 'balanced' });
  const latencyAtStart: number = capture.latencySamples;
  // The worklet posts stats every 2 s of audio (shared-memory pages); collect them as the render runs.
  const latencyValuesSeen = new Set<number>([latencyAtStart]);
  let statsMessages = 0, maxUnderruns = 0, bypassed = false;
  capture.node.port.addEventListener('message', (event: MessageEvent) => {
    const data = event.data as { type?: string; stats?: { latencySamples: number; underruns: number; bypassed: boolean } };
    if (data.type !== 'stats' || data.stats === undefined) return;
    statsMessages++;
    latencyValuesSeen.add(data.stats.latencySamples);
    maxUnderruns = Math.max(maxUnderruns, data.stats.underruns);
    bypassed ||= data.stats.bypassed;
  });
  source.connect(capture.node).connect(context.destination);
  source.start(0);
  const started = performance.now();
  const rendered = await context.startRendering();
  const renderMs = performance.now() - started;
  // Let the last stats messages arrive.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const last = capture.stats();
  const framesProcessed: number | null = capture.framesProcessed;
  const errors: string[] = [...capture.errors];
  await capture.stop();
  await engine.close();

  const output = rendered.getChannelData(0);
  const latency = last?.latencySamples ?? latencyAtStart;
  let nonFinite = 0, maxAbs = 0, inSum = 0, outSum = 0;
  for (let n = 0; n < output.length; n++) {
    const v = output[n];
    if (!Number.isFinite(v)) { nonFinite++; continue; }
    maxAbs = Math.max(maxAbs, Math.abs(v));
    outSum += v * v;
    const x = input[n % input.length];
    inSum += x * x;
  }
  // Seconds whose input (as it arrives at the output, latency later) has speech-level energy but
  // whose output is near silence.
  let speechSeconds = 0, silentSpeechSeconds = 0;
  for (let s = 1; s < seconds; s++) {
    let inPower = 0, outPower = 0;
    for (let n = s * sampleRate; n < (s + 1) * sampleRate; n++) {
      const x = input[(n - latency) % input.length];
      inPower += x * x;
      outPower += output[n] * output[n];
    }
    inPower /= sampleRate;
    outPower /= sampleRate;
    if (inPower > 1e-4) {  // above −40 dBFS
      speechSeconds++;
      if (outPower < 1e-6) silentSpeechSeconds++;  // below −60 dBFS
    }
  }
  // Cross-correlation of output against input over 3 s, lags latency ± 400 samples.
  const bestLag = (from: number): { lag: number; correlation: number } => {
    const length = 3 * sampleRate;
    let best = 0, bestScore = -Infinity, bestCorrelation = 0;
    for (let lag = latency - 400; lag <= latency + 400; lag++) {
      let xy = 0, xx = 0, yy = 0;
      for (let i = from; i < from + length; i++) {
        const x = input[i % input.length], y = output[i + lag];
        xy += x * y; xx += x * x; yy += y * y;
      }
      const score = xy / Math.sqrt(yy + 1e-12);
      if (score > bestScore) { bestScore = score; best = lag; bestCorrelation = xy / Math.sqrt(xx * yy + 1e-24); }
    }
    return { lag: best, correlation: bestCorrelation };
  };
  const head = bestLag(2 * sampleRate);
  const tail = bestLag(frames - 5 * sampleRate);
  return {
    sampleRate, seconds, flavor: engine.flavor, renderMs, framesRendered: output.length, framesProcessed,
    latencyAtStart, latencyAtEnd: latency, latencyValuesSeen: [...latencyValuesSeen], statsMessages, maxUnderruns: Math.max(maxUnderruns, last?.underruns ?? 0),
    bypassed: bypassed || (last?.bypassed ?? true), errors, nonFinite, maxAbs, speechSeconds, silentSpeechSeconds,
    headLag: head.lag, tailLag: tail.lag, headCorrelation: head.correlation, tailCorrelation: tail.correlation,
    inputLevelDb: 10 * Math.log10(inSum / output.length), outputLevelDb: 10 * Math.log10(outSum / output.length),
  };
}

describe('soak: one hour through the capture worklet in Chromium (OfflineAudioContext)', () => {
  const page = useHarnessPage();

  it(`renders ${SECONDS / 3600} h at ${SAMPLE_RATE / 1000} kHz in one context without underruns, drift, NaN or lost speech`, async () => {
    await page().addScriptTag({ type: 'module', content: "import { createEngine } from '/dist/src/index.js'; window.soakCreateEngine = createEngine;" });
    await page().waitForFunction(() => (window as unknown as { soakCreateEngine?: unknown }).soakCreateEngine !== undefined);
    const result = await page().evaluate(soakInPage, { sampleRate: SAMPLE_RATE, seconds: SECONDS });
    const speed = (result.seconds * 1000) / result.renderMs;
    console.log(`soak (Chromium OfflineAudioContext, ${result.flavor}): ${(result.seconds / 3600).toFixed(2)} h at ${result.sampleRate} Hz rendered in `
      + `${(result.renderMs / 1000).toFixed(1)} s (${speed.toFixed(0)}× real time); frames rendered ${result.framesRendered}, processed by the worklet ${result.framesProcessed}; `
      + `${result.statsMessages} stats messages, latency ${result.latencyAtStart} → ${result.latencyAtEnd} samples (values seen: ${result.latencyValuesSeen.join(', ')}), `
      + `underruns ${result.maxUnderruns}, bypassed ${result.bypassed}, errors ${result.errors.length}`);
    console.log(`soak (Chromium): alignment lag ${result.headLag} at the start (r = ${result.headCorrelation.toFixed(3)}), ${result.tailLag} at the end (r = ${result.tailCorrelation.toFixed(3)}); `
      + `${result.nonFinite} non-finite samples, max |out| ${result.maxAbs.toFixed(3)}; ${result.speechSeconds} seconds with speech, ${result.silentSpeechSeconds} of them silent at the output; `
      + `level in ${result.inputLevelDb.toFixed(1)} dBFS, out ${result.outputLevelDb.toFixed(1)} dBFS`);
    expect(result.errors).toEqual([]);
    expect(result.bypassed).toBe(false);
    expect(result.maxUnderruns).toBe(0);
    expect(result.latencyValuesSeen).toEqual([result.latencyAtStart]);
    expect(result.latencyAtEnd).toBe(result.latencyAtStart);
    // The stats messages covered the whole render: one per 2 s of audio (rounded up to whole render
    // quanta) on a cross-origin isolated page.
    expect(result.statsMessages).toBeGreaterThanOrEqual(Math.floor(0.99 * result.seconds / 2));
    if (result.framesProcessed !== null) expect(result.framesProcessed).toBeGreaterThanOrEqual(result.framesRendered);
    // No drift: the same lag (= latencySamples) after an hour as at the start, with the output clearly correlated.
    expect(result.headLag).toBe(result.latencyAtStart);
    expect(result.tailLag).toBe(result.headLag);
    expect(result.headCorrelation).toBeGreaterThan(0.5);
    expect(result.tailCorrelation).toBeGreaterThan(0.5);
    expect(result.nonFinite).toBe(0);
    expect(result.speechSeconds).toBeGreaterThan(result.seconds / 2);
    expect(result.silentSpeechSeconds).toBe(0);
  }, 900_000);
});

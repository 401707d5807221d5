// The demo page's four tabs in headless Chromium, served by the demo's own Vite config (as
// `npm start` serves it, strict CSP included): (a) the echo scenes through processAudioTrack with a
// far end, and the echo test on the speakers (recorded, then A/B), (b) a loopback call through
// processReceiver with loss/jitter sliders and a live plot, (c) a (fake, dark and warm) camera
// before/after processVideoTrack with sliders, (d) "open your own file": WAV, Y4M and WebM files
// decoded by FFmpeg (Wasm), processed, played A/B and downloaded; then every tab on a phone, and the
// production build (FFmpeg loaded lazily from the bundle, the call and camera workers). Each test
// saves screenshots under test-artifacts/ (gitignored) and checks DOM values and pixels. Waits poll
// the page's state a bounded number of times; nothing is asserted on speed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWav } from '../../src/core/wav.js';
import { writeY4m, y4mHeader } from '../../src/core/video/y4m.js';
import { BACKGROUND_RGB } from '../../demo/spectrogram.js';
import { COUNT_PAINTED_PIXELS, type DemoServer, startBuiltDemoServer, startDemoServer } from './demo-helpers.js';
import { launchChromium, REPO_ROOT } from './harness.js';
import { seededRandom } from '../../src/core/seeded-random.js';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

/** A seeded generator (mulberry32) for the test media. */
const seeded = seededRandom;

/**
 * A dark picture with a warm cast and a moving bright square: mean luma ≈ 50, chroma pushed to red
 * (V > 128) and away from blue (U < 128). Exposure correction must brighten it, white balance
 * must pull red and blue together.
 */
function darkWarmY4m(width: number, height: number, frames: number, frameRate = 30): Uint8Array {
  const random = seeded(11);
  const out: Uint8Array[] = [];
  const chromaW = width / 2, chromaH = height / 2;
  for (let f = 0; f < frames; f++) {
    const frame = new Uint8Array(width * height + 2 * chromaW * chromaH);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const square = Math.abs(x - ((f * 4) % width)) < width / 10 && Math.abs(y - height / 2) < height / 8;
        frame[y * width + x] = square ? 150 : Math.round(25 + (40 * x) / width + (20 * y) / height + 6 * random());
      }
    }
    frame.fill(112, width * height, width * height + chromaW * chromaH);
    frame.fill(146, width * height + chromaW * chromaH);
    out.push(frame);
  }
  return writeY4m(y4mHeader(width, height, frameRate), out);
}

/** Tone bursts (30 % of the time) in steady white noise at 44.1 kHz, mono. */
function noisyTonesWav(seconds: number, sampleRate = 44100): { bytes: Uint8Array; samples: number } {
  const random = seeded(5);
  const samples = Math.round(seconds * sampleRate);
  const signal = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    const t = i / sampleRate;
    const burst = t % 1 < 0.3 ? 0.3 * Math.sin(2 * Math.PI * 440 * t) : 0;
    signal[i] = burst + 0.05 * (2 * random() - 1);
  }
  return { bytes: writeWav([signal], sampleRate, 'pcm16'), samples };
}

interface Snapshots {
  snapshot(): {
    listening: string; source: string | null; contextState: string | null; scene: string; measuredLagMs: number | null;
    stats: { bypassed: boolean; error: string | null; options: { echoCancellation: string }; echoReturnLossEnhancementDb: number | null } | null;
    echoLevels: { aDbfs: number; bDbfs: number; reductionDb: number } | null; echoReadings: number; shownEchoDb: string | null;
    offlineCpuUsPerFrame: number | null;
  };
  echoTest(): {
    running: boolean; playing: boolean; status: string | null;
    result: { seconds: number; rawDbfs: number; processedDbfs: number; echoCancellation: string | null } | null;
  };
  call(): {
    running: boolean; connected: boolean; lossPercent: number | null; jitterMs: number | null; secondsConnected: number; reconnects: number; plotPoints: number;
    stats: { currentDelayMs: number; targetDelayMs: number; concealedMs: number; underruns: number; framesIn: number; framesDroppedByTest: number; framesDecoded: number; error: string | null } | null;
    shown: { currentMs: string | null; targetMs: string | null; concealedMs: string | null };
  };
  camera(): {
    running: boolean;
    levels: { a: Levels | null; b: Levels | null };
    settings: { exposureStrength: number; whiteBalanceStrength: number; denoiseStrength: number; sharpenStrength: number } | null;
    stats: { framesOut: number; droppedFrames: number; passedThroughFrames: number; width: number; height: number; path: string; error: string | null } | null;
    shownBrightness: string | null;
  };
  file(): {
    busy: boolean; processed: number; fileName: string | null; error: string | null; status: string | null;
    audio: {
      inputSamples: number; outputSamples: number; sampleRate: number; channels: number; inputRmsDbfs: number; outputRmsDbfs: number;
      preset: string; wavBytes: number; downloadUrl: string; downloadName: string; playing: boolean; listening: string | null;
    } | null;
    video: {
      width: number; height: number; inputFrames: number; outputFrames: number; y4mBytes: number; y4mName: string; webmBytes: number | null; webmName: string | null;
      levels: { a: Levels | null; b: Levels | null };
    } | null;
  };
}
interface Levels { luma: number; red: number; green: number; blue: number }

type Section = keyof Snapshots;

function read<S extends Section>(page: Page, section: S): Promise<ReturnType<Snapshots[S]>> {
  return page.evaluate((name) => (window as unknown as { sazanamiDemo: Record<string, () => unknown> }).sazanamiDemo[name](), section) as Promise<ReturnType<Snapshots[S]>>;
}

/** Polls a section's state until `predicate` holds (attempts, not a clock: slow machines just poll longer). */
async function waitFor<S extends Section>(page: Page, section: S, predicate: (state: ReturnType<Snapshots[S]>) => boolean, what: string, attempts = 600): Promise<ReturnType<Snapshots[S]>> {
  let state = await read(page, section);
  for (let attempt = 0; attempt < attempts && !predicate(state); attempt++) {
    await page.waitForTimeout(100);
    state = await read(page, section);
  }
  if (!predicate(state)) {
    const shown = await page.evaluate(() => document.getElementById('error')?.textContent ?? '');
    throw new Error(`timed out waiting for ${what}; last state ${JSON.stringify(state)}; page error: ${shown}`);
  }
  return state;
}

/** Sets a range input and fires input + change, as a drag released by the user would. */
async function slide(page: Page, id: string, value: number): Promise<void> {
  await page.evaluate(({ id, value }) => {
    const input = document.getElementById(id) as HTMLInputElement;
    input.value = String(value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, { id, value });
}

/** Pixels of a canvas within 40 (sum of |ΔR|+|ΔG|+|ΔB|) of `rgb` and opaque (read in the page). */
const COUNT_COLOURED_PIXELS = ({ id, rgb }: { id: string; rgb: number[] }): number => {
  const canvas = document.getElementById(id) as HTMLCanvasElement;
  const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
  let count = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 200 && Math.abs(data[i] - rgb[0]) + Math.abs(data[i + 1] - rgb[1]) + Math.abs(data[i + 2] - rgb[2]) < 40) count++;
  }
  return count;
};

/** Clicks a download link, as a user would, and returns the downloaded file's bytes. */
async function download(page: Page, selector: string): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return readFileSync(await file.path());
}

/** Facts about a downloaded file: WAV sample frames, rate and channels, or the Y4M frame count. */
function inspect(bytes: Buffer): { bytes: number; wavFrames: number | null; wavRate: number | null; wavChannels: number | null; y4mFrames: number | null } {
  const text = (at: number, n: number) => bytes.toString('latin1', at, at + n);
  if (text(0, 4) === 'RIFF' && text(8, 4) === 'WAVE') {
    let at = 12, channels = 0, rate = 0, bits = 0;
    while (at + 8 <= bytes.length) {
      const id = text(at, 4), size = bytes.readUInt32LE(at + 4);
      if (id === 'fmt ') { channels = bytes.readUInt16LE(at + 10); rate = bytes.readUInt32LE(at + 12); bits = bytes.readUInt16LE(at + 22); }
      if (id === 'data') return { bytes: bytes.length, wavFrames: size / (channels * (bits / 8)), wavRate: rate, wavChannels: channels, y4mFrames: null };
      at += 8 + size + (size & 1);
    }
  }
  let frames = 0;
  if (text(0, 9) === 'YUV4MPEG2') for (let at = bytes.indexOf('FRAME\n'); at >= 0; at = bytes.indexOf('FRAME\n', at + 6)) frames++;
  return { bytes: bytes.length, wavFrames: null, wavRate: null, wavChannels: null, y4mFrames: frames };
}

/** Video frame count, size and whether there is audio, by the system's ffprobe (null where it is not installed). */
function probeWebm(bytes: Buffer): { videoFrames: number; width: number; height: number; audio: boolean } | null {
  if (!existsSync('/usr/bin/ffprobe')) return null;
  const dir = mkdtempSync(join(tmpdir(), 'sazanami-probe-'));
  try {
    const file = join(dir, 'out.webm');
    writeFileSync(file, bytes);
    const out = execFileSync('/usr/bin/ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,nb_read_frames,width,height', '-of', 'json', file]).toString();
    const streams = (JSON.parse(out) as { streams: { codec_type: string; nb_read_frames?: string; width?: number; height?: number }[] }).streams;
    const video = streams.find((stream) => stream.codec_type === 'video');
    return { videoFrames: Number(video?.nb_read_frames ?? 0), width: video?.width ?? 0, height: video?.height ?? 0, audio: streams.some((stream) => stream.codec_type === 'audio') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('demo page tabs (vite dev, npm start)', () => {
  let server: DemoServer;
  let browser: Browser;
  let page: Page;
  let media: string;
  const pageProblems: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    media = mkdtempSync(join(tmpdir(), 'sazanami-demo-media-'));
    writeFileSync(join(media, 'camera.y4m'), darkWarmY4m(320, 240, 60));
    server = await startDemoServer();
    browser = await launchChromium([`--use-file-for-fake-video-capture=${join(media, 'camera.y4m')}`]);
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
    await page.addInitScript(() => {
      const violations: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = violations;
      document.addEventListener('securitypolicyviolation', (event) => violations.push(`${event.violatedDirective}: ${event.blockedURI}`));
    });
    page.on('console', (message) => {
      if (message.type() === 'error') pageProblems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
    await page.goto(server.url);
    await page.waitForFunction(() => (window as unknown as { sazanamiDemo?: unknown }).sazanamiDemo !== undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (media !== undefined) rmSync(media, { recursive: true, force: true });
  });

  it('(a) removes the echo of the far end: while only the far end talks, B is >12 dB below A (echo) and >10 dB (echo + fan noise)', async () => {
    await page.selectOption('#scene', 'echo');
    await page.click('#play');
    await page.keyboard.press('b');
    // The meter averages the last 40 readings (≈ 10 s of far-end-alone time); the canceller converges
    // during the first far-end turn, so the figure is checked once it covers later turns.
    const echo = await waitFor(page, 'snapshot', (s) => s.source === 'scene' && s.echoReadings >= 40 && (s.echoLevels?.reductionDb ?? 0) > 12, 'B 12 dB below A', 1500);
    expect(echo.stats?.options.echoCancellation).toBe('balanced');
    expect(echo.listening).toBe('b');
    const shown = Number.parseFloat(await page.textContent('#stat-erle') ?? '');
    const painted = await page.evaluate(COUNT_PAINTED_PIXELS, { id: 'canvas-b', background: [...BACKGROUND_RGB] });
    await page.screenshot({ path: join(ARTIFACTS, 'demo-tab-echo.png'), fullPage: true });
    console.log('[echo]', JSON.stringify({ echoLevels: echo.echoLevels, readings: echo.echoReadings, erle: echo.stats?.echoReturnLossEnhancementDb, shown, lag: echo.measuredLagMs }));
    // A carries the echo at about −32 dBFS (speech at −26 dBFS, 3 dB room loss); B must be far below it.
    expect(echo.echoLevels!.aDbfs).toBeGreaterThan(-45);
    expect(echo.echoLevels!.reductionDb).toBeGreaterThan(12);
    expect(Number.isFinite(shown)).toBe(true);
    expect(painted.painted / painted.total).toBeGreaterThan(0.02);
    // The CPU card shows the cost with the echo canceller, benchmarked offline on this page.
    const cpu = await waitFor(page, 'snapshot', (s) => s.offlineCpuUsPerFrame !== null, 'the CPU benchmark with echo cancellation');
    console.log('[echo cpu]', cpu.offlineCpuUsPerFrame);
    expect(cpu.offlineCpuUsPerFrame).toBeGreaterThan(0);

    // Echo and noise: the canceller stays on; the echo meter restarts for the new scene.
    await page.selectOption('#scene', 'echo-noise');
    // A and B both carry fan noise here (B suppressed, not removed), so the margin is smaller.
    const both = await waitFor(page, 'snapshot', (s) => s.scene === 'echo-noise' && s.echoReadings >= 40 && (s.echoLevels?.reductionDb ?? 0) > 10, 'echo+noise: B 10 dB below A', 1500);
    console.log('[echo+noise]', JSON.stringify({ echoLevels: both.echoLevels, erle: both.stats?.echoReturnLossEnhancementDb }));
    expect(both.stats?.options.echoCancellation).toBe('balanced');
    expect(both.echoLevels!.reductionDb).toBeGreaterThan(10);

    // Back to a noise scene: echo cancellation off again, the ERLE card empty.
    await page.selectOption('#scene', 'builtin');
    const noise = await waitFor(page, 'snapshot', (s) => s.stats?.options.echoCancellation === 'off', 'echo cancellation off');
    expect(noise.stats?.bypassed).toBe(false);
    // The stats cards refresh 4 times a second.
    await page.waitForFunction(() => document.getElementById('stat-erle')?.textContent === '—');
  }, 600_000);

  it('(a) the echo test on the speakers records the (fake) microphone and the processed track, then plays them A/B', async () => {
    await page.click('#echo-test');
    const done = await waitFor(page, 'echoTest', (s) => !s.running && s.result !== null, 'the echo test', 1200);
    console.log('[echo test]', JSON.stringify(done));
    // Two fixture utterances (≈ 5.7 s each) with a 1 s pause, recorded until 0.6 s after the end.
    expect(done.result!.seconds).toBeGreaterThan(11);
    expect(done.result!.echoCancellation).toBe('balanced');
    expect(Number.isFinite(done.result!.rawDbfs)).toBe(true);
    expect(Number.parseFloat(await page.textContent('#echo-test-removed') ?? '')).toBeCloseTo(done.result!.rawDbfs - done.result!.processedDbfs, 0);
    const spectrum = await page.evaluate(COUNT_PAINTED_PIXELS, { id: 'echo-test-spectrum-a', background: [...BACKGROUND_RGB] });
    expect(spectrum.painted / spectrum.total).toBeGreaterThan(0.05);
    expect((await read(page, 'snapshot')).source).toBeNull();
    await page.click('#echo-test-play');
    await page.click('#echo-test-ab');
    const playing = await waitFor(page, 'echoTest', (s) => s.playing, 'A/B playback of the echo test');
    expect(playing.playing).toBe(true);
    expect(await page.getAttribute('#echo-test-ab', 'aria-checked')).toBe('true');
    await page.screenshot({ path: join(ARTIFACTS, 'demo-tab-echo-test.png'), fullPage: true });
    await page.click('#echo-test-play');
  });

  it('(b) loopback call: loss and jitter sliders reconnect the call; the target delay and concealment rise, the plot draws', async () => {
    await page.click('#tab-call');
    expect(await page.isVisible('#panel-call')).toBe(true);
    expect(await page.isVisible('#panel-audio')).toBe(false);
    await slide(page, 'call-loss', 0);
    await slide(page, 'call-jitter', 0);
    await page.click('#call-start');
    const clean = await waitFor(page, 'call', (s) => s.connected && s.secondsConnected > 6 && (s.stats?.framesDecoded ?? 0) > 200, 'a clean call');
    expect(clean.lossPercent).toBe(0);
    expect(clean.stats!.framesDroppedByTest).toBe(0);
    expect(clean.stats!.error).toBeNull();

    await slide(page, 'call-loss', 20);
    await slide(page, 'call-jitter', 80);
    const bad = await waitFor(page, 'call', (s) => s.reconnects === 1 && s.connected && s.secondsConnected > 8 && (s.stats?.framesDecoded ?? 0) > 200, 'the impaired call');
    await page.waitForTimeout(300);
    const shownTarget = Number(await page.textContent('#call-target'));
    await page.screenshot({ path: join(ARTIFACTS, 'demo-tab-call.png'), fullPage: true });
    const currentLine = await page.evaluate(COUNT_COLOURED_PIXELS, { id: 'call-plot', rgb: [94, 234, 212] });
    const targetLine = await page.evaluate(COUNT_COLOURED_PIXELS, { id: 'call-plot', rgb: [251, 155, 6] });
    const spectrum = await page.evaluate(COUNT_PAINTED_PIXELS, { id: 'call-spectrum', background: [...BACKGROUND_RGB] });
    console.log('[call]', JSON.stringify({ clean: clean.stats, bad: bad.stats, shownTarget, currentLine, targetLine, spectrum, plotPoints: bad.plotPoints }));
    expect(bad.lossPercent).toBe(20);
    expect(bad.jitterMs).toBe(80);
    expect(bad.stats!.framesDroppedByTest).toBeGreaterThan(0);
    // 20 % loss is concealed: far more than the clean call (which conceals at most its start).
    expect(bad.stats!.concealedMs).toBeGreaterThan(clean.stats!.concealedMs + 200);
    // 80 ms of jitter: the jitter buffer aims well above its clean-network target.
    expect(bad.stats!.targetDelayMs).toBeGreaterThan(clean.stats!.targetDelayMs + 30);
    expect(Math.abs(shownTarget - bad.stats!.targetDelayMs)).toBeLessThan(60);
    expect(currentLine).toBeGreaterThan(100);
    expect(targetLine).toBeGreaterThan(100);
    expect(spectrum.painted / spectrum.total).toBeGreaterThan(0.02);
    await page.click('#call-start');
    await waitFor(page, 'call', (s) => !s.running && !s.connected, 'hang up');
  });

  it('(c) camera: B is brighter and less warm than the dark, warm A; with the sliders at 0 they match again', async () => {
    await page.click('#tab-camera');
    await page.click('#camera-start');
    const on = await waitFor(page, 'camera', (s) => s.levels.a !== null && s.levels.b !== null && (s.stats?.framesOut ?? 0) > 30, 'corrected frames');
    await page.waitForTimeout(1500);
    const corrected = await read(page, 'camera');
    await page.screenshot({ path: join(ARTIFACTS, 'demo-tab-camera.png'), fullPage: true });
    console.log('[camera]', JSON.stringify({ on: on.stats, corrected: corrected.levels, shown: corrected.shownBrightness }));
    const { a, b } = corrected.levels as { a: Levels; b: Levels };
    expect(corrected.stats!.passedThroughFrames).toBe(0);
    expect(corrected.stats!.error).toBeNull();
    expect(a.luma).toBeLessThan(70);
    expect(b.luma).toBeGreaterThan(a.luma + 15);
    expect(Math.abs(b.red - b.blue)).toBeLessThan(Math.abs(a.red - a.blue) - 10);
    expect(corrected.shownBrightness).toMatch(/^\d+ → \d+$/);
    // The histogram plot is drawn (A and B bars cover part of the canvas).
    const histogramCover = await page.evaluate(() => {
      const canvas = document.getElementById('cam-histogram') as HTMLCanvasElement;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let drawn = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn++;
      return drawn / (canvas.width * canvas.height);
    });
    expect(histogramCover).toBeGreaterThan(0.02);

    for (const id of ['cam-exposure', 'cam-wb', 'cam-denoise', 'cam-sharpen']) await slide(page, id, 0);
    const off = await waitFor(page, 'camera', (s) => s.settings?.exposureStrength === 0 && s.settings.whiteBalanceStrength === 0, 'the sliders at 0');
    await page.waitForTimeout(1500);
    const plain = await read(page, 'camera');
    console.log('[camera off]', JSON.stringify({ settings: off.settings, levels: plain.levels }));
    const { a: a0, b: b0 } = plain.levels as { a: Levels; b: Levels };
    expect(Math.abs(b0.luma - a0.luma)).toBeLessThan(6);
    expect(Math.abs((b0.red - b0.blue) - (a0.red - a0.blue))).toBeLessThan(6);
    await page.click('#camera-start');
    await waitFor(page, 'camera', (s) => !s.running, 'camera off');
  });

  it('(d) open your own file: a 44.1 kHz WAV, a Y4M and a WebM are decoded by FFmpeg (Wasm), processed, and downloadable at full length', async () => {
    await page.click('#tab-file');
    const seconds = 2;
    const wav = noisyTonesWav(seconds);
    writeFileSync(join(media, 'noisy tones.wav'), wav.bytes);
    await page.setInputFiles('#file-input', join(media, 'noisy tones.wav'));
    const audio = await waitFor(page, 'file', (s) => s.processed === 1 && !s.busy, 'the WAV to be processed', 3000);
    expect(audio.error).toBeNull();
    const a = audio.audio!;
    const downloaded = inspect(await download(page, '#file-download'));
    console.log('[file wav]', JSON.stringify({ audio: a, downloaded }));
    // FFmpeg resamples 44.1 → 48 kHz; the processed file keeps that length exactly (the delay is removed).
    expect(a.sampleRate).toBe(48000);
    expect(Math.abs(a.inputSamples - seconds * 48000)).toBeLessThanOrEqual(2);
    expect(a.outputSamples).toBe(a.inputSamples);
    expect(downloaded).toMatchObject({ wavFrames: a.inputSamples, wavRate: 48000, wavChannels: 1 });
    expect(a.downloadName).toBe('noisy_tones-sazanami-balanced.wav');
    // 70 % of the file is noise alone: suppressing it lowers the RMS by several dB.
    expect(a.inputRmsDbfs - a.outputRmsDbfs).toBeGreaterThan(3);
    const spectrumA = await page.evaluate(COUNT_PAINTED_PIXELS, { id: 'file-spectrum-a', background: [...BACKGROUND_RGB] });
    expect(spectrumA.painted / spectrumA.total).toBeGreaterThan(0.2);

    // A/B playback: play, switch with the keyboard.
    await page.click('#file-play');
    await page.keyboard.press('b');
    const playing = await waitFor(page, 'file', (s) => s.audio?.playing === true && s.audio.listening === 'b', 'A/B playback');
    expect(await page.getAttribute('#file-ab', 'aria-checked')).toBe('true');
    await page.screenshot({ path: join(ARTIFACTS, 'demo-tab-file-audio.png'), fullPage: true });
    await page.click('#file-play');
    expect(playing.audio!.listening).toBe('b');

    // A video file (Y4M in, 12 dark warm frames): every frame corrected, brighter.
    writeFileSync(join(media, 'dark.y4m'), darkWarmY4m(160, 120, 12, 15));
    await page.setInputFiles('#file-input', join(media, 'dark.y4m'));
    const video = await waitFor(page, 'file', (s) => s.processed === 2 && !s.busy, 'the Y4M to be processed', 3000);
    expect(video.error).toBeNull();
    const v = video.video!;
    const videoDownload = inspect(await download(page, '#file-video-download-y4m'));
    const webm = await download(page, '#file-video-download');
    console.log('[file y4m]', JSON.stringify({ video: v, videoDownload, webm: probeWebm(webm) }));
    expect(v).toMatchObject({ width: 160, height: 120, inputFrames: 12, outputFrames: 12 });
    expect(videoDownload.y4mFrames).toBe(12);
    expect(videoDownload.bytes).toBe(v.y4mBytes);
    expect(v.webmName).toBe('dark-sazanami.webm');
    expect(webm.readUInt32BE(0)).toBe(0x1a45dfa3);
    const probed = probeWebm(webm);
    if (probed !== null) expect(probed).toMatchObject({ videoFrames: 12, width: 160, height: 120, audio: false });
    expect(v.levels.b!.luma).toBeGreaterThan(v.levels.a!.luma + 15);
    await page.screenshot({ path: join(ARTIFACTS, 'demo-tab-file-video.png'), fullPage: true });

    // A compressed file with both streams (WebM: VP8 + Opus), made with the system's ffmpeg where installed.
    if (existsSync('/usr/bin/ffmpeg')) {
      const webm = join(media, 'clip.webm');
      execFileSync('/usr/bin/ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=15:duration=1', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1',
        '-c:v', 'libvpx', '-c:a', 'libopus', '-shortest', '-y', webm]);
      await page.setInputFiles('#file-input', webm);
      const both = await waitFor(page, 'file', (s) => s.processed === 3 && !s.busy, 'the WebM to be processed', 3000);
      console.log('[file webm]', JSON.stringify({ audio: both.audio, video: both.video && { ...both.video, levels: undefined } }));
      expect(both.error).toBeNull();
      expect(both.audio).not.toBeNull();
      expect(Math.abs(both.audio!.outputSamples - 48000)).toBeLessThan(0.05 * 48000);
      expect(both.video!.outputFrames).toBeGreaterThanOrEqual(14);
      // The WebM download carries the corrected video and the processed audio.
      const clip = probeWebm(await download(page, '#file-video-download'));
      console.log('[file webm out]', JSON.stringify(clip));
      if (clip !== null) expect(clip).toMatchObject({ videoFrames: both.video!.outputFrames, audio: true });

      // Another preset processes the audio again (and re-encodes the WebM with it).
      await page.click('label[for="file-preset-strong"]');
      const strong = await waitFor(page, 'file', (s) => s.processed === 4 && !s.busy, 'the strong preset', 3000);
      expect(strong.error).toBeNull();
      expect(strong.audio).toMatchObject({ preset: 'strong', downloadName: 'clip-sazanami-strong.wav', outputSamples: both.audio!.outputSamples });
      const reencoded = probeWebm(await download(page, '#file-video-download'));
      if (reencoded !== null) expect(reencoded).toMatchObject({ videoFrames: both.video!.outputFrames, audio: true });
    }
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
    expect(pageProblems).toEqual([]);
  });

  it('lays out every tab on a phone-sized screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const tab of ['audio', 'call', 'camera', 'file']) {
      await page.click(`#tab-${tab}`);
      await page.waitForTimeout(200);
      expect(await page.isVisible(`#panel-${tab}`)).toBe(true);
      await page.screenshot({ path: join(ARTIFACTS, `demo-tab-${tab}-mobile.png`), fullPage: true });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${tab} tab overflows sideways`).toBeLessThanOrEqual(0);
    }
  });
});

describe('demo page, production build (npm run demo:build)', () => {
  let server: DemoServer;
  let browser: Browser;
  let page: Page;
  let media: string;
  const pageProblems: string[] = [];

  beforeAll(async () => {
    media = mkdtempSync(join(tmpdir(), 'sazanami-demo-media-'));
    server = await startBuiltDemoServer();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
    await page.addInitScript(() => {
      const violations: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = violations;
      document.addEventListener('securitypolicyviolation', (event) => violations.push(`${event.violatedDirective}: ${event.blockedURI}`));
    });
    page.on('console', (message) => { if (message.type() === 'error') pageProblems.push(`console error: ${message.text()}`); });
    page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
    await page.goto(server.url);
    await page.waitForFunction(() => (window as unknown as { sazanamiDemo?: unknown }).sazanamiDemo !== undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (media !== undefined) rmSync(media, { recursive: true, force: true });
  });

  it('(d) loads FFmpeg only when a file is opened, from the bundle (same origin, strict CSP), and processes a WAV', async () => {
    const before = server.requests.filter((path) => path.includes('ffmpeg-core'));
    expect(before).toEqual([]);
    await page.click('#tab-file');
    const wav = noisyTonesWav(1);
    writeFileSync(join(media, 'tones.wav'), wav.bytes);
    await page.setInputFiles('#file-input', join(media, 'tones.wav'));
    const done = await waitFor(page, 'file', (s) => s.processed === 1 && !s.busy, 'the WAV to be processed', 3000);
    expect(done.error).toBeNull();
    const downloaded = inspect(await download(page, '#file-download'));
    console.log('[build file]', JSON.stringify({ audio: done.audio, downloaded, ffmpeg: server.requests.filter((path) => path.includes('ffmpeg')) }));
    expect(downloaded).toMatchObject({ wavFrames: 48000, wavRate: 48000, wavChannels: 1 });
    expect(server.requests.filter((path) => /ffmpeg-core-[\w-]+\.wasm$/.test(path))).toHaveLength(1);
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
    expect(pageProblems).toEqual([]);
  });

  it('(b, c) runs the call (receive worker, playout worklet) and the camera (video worker) from the bundle', async () => {
    await page.click('#tab-call');
    await page.click('#call-start');
    const call = await waitFor(page, 'call', (s) => s.connected && (s.stats?.framesDecoded ?? 0) > 100, 'the call from the bundle');
    expect(call.stats!.error).toBeNull();
    await page.click('#tab-camera');
    await waitFor(page, 'call', (s) => !s.running && !s.connected, 'the call to end when its tab is left');
    await page.click('#camera-start');
    const camera = await waitFor(page, 'camera', (s) => (s.stats?.framesOut ?? 0) > 10 && s.levels.b !== null, 'corrected frames from the bundle');
    expect(camera.stats!.error).toBeNull();
    expect(camera.stats!.passedThroughFrames).toBe(0);
    await page.click('#tab-file');
    await waitFor(page, 'camera', (s) => !s.running, 'the camera to stop when its tab is left');
    expect(server.requests.some((path) => /receive\.worker-[\w-]+\.js$/.test(path))).toBe(true);
    expect(server.requests.some((path) => /video\.worker-[\w-]+\.js$/.test(path))).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
    expect(pageProblems).toEqual([]);
  });
});

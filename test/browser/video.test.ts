// Video correction in real Chromium: the fake camera plays a generated dark, warm-cast, noisy Y4M;
// processVideoTrack corrects it in the worker; a loopback RTCPeerConnection (VP8) carries it, and
// the receiver's frames are measured against the camera's own: brighter, less cast, frame rate held,
// timestamps preserved; stats report ms per frame and dropped frames; stop() ends the track.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeY4m, y4mHeader } from '../../src/core/video/y4m.js';
import { addNoise, generateSequence } from '../../eval/video/sequences.js';
import { launchChromium, openHarness, startServer, type StaticServer } from './harness.js';

const WIDTH = 320, HEIGHT = 240, FPS = 30;

interface Measured { frames: number; fps: number; meanLuma: number; meanU: number; meanV: number; formats: string[] }
interface VideoRun {
  camera: Measured;
  received: Measured;
  path: string;
  stats: { framesIn: number; framesOut: number; droppedFrames: number; passedThroughFrames: number; msPerFrame: number; error: string | null;
    passThroughReason: string | null; kernel: { meanLuma: number } | null };
  timestampsPreserved: boolean;
  endedAfterStop: string;
  inputStillLive: string;
}

describe('processVideoTrack with the fake camera over a loopback call', () => {
  let server: StaticServer;
  let browser: Browser;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sazanami-video-browser-'));
    const camera = join(dir, 'camera.y4m');
    const clip = addNoise(generateSequence({ width: WIDTH, height: HEIGHT, frames: 60, exposure: 0.25, cast: [1.25, 1, 0.75], panPixelsPerFrame: 1 }), 6, 11);
    await writeFile(camera, writeY4m(y4mHeader(WIDTH, HEIGHT, FPS), clip.frames));
    server = await startServer();
    browser = await launchChromium([`--use-file-for-fake-video-capture=${camera}`]);
    page = await openHarness(browser, server.origin);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('delivers brighter, less colour-cast frames at the camera frame rate, with stats and a clean stop', async () => {
    // Plain JavaScript run in the page (a string, so Vite's transform of dynamic import() stays out of it).
    const run = await page.evaluate(`(async ({ width, height }) => {
      const sazanami = await import('/dist/src/index.js');
      const Processor = globalThis.MediaStreamTrackProcessor;

      async function measure(track, seconds) {
        const reader = new Processor({ track }).readable.getReader();
        let frames = 0, luma = 0, u = 0, v = 0, first = -1, last = -1;
        const formats = new Set();
        const timestamps = [];
        const end = performance.now() + seconds * 1000;
        while (performance.now() < end) {
          const { value } = await reader.read();
          formats.add(value.format);
          timestamps.push(value.timestamp);
          if (first < 0) first = value.timestamp;
          last = value.timestamp;
          if (value.format === 'I420' || value.format === 'NV12') {
            const buffer = new Uint8Array(value.allocationSize());
            await value.copyTo(buffer);
            const w = value.codedWidth, h = value.codedHeight, ls = w * h, cs = (w >> 1) * (h >> 1);
            let sy = 0, su = 0, sv = 0;
            for (let i = 0; i < ls; i++) sy += buffer[i];
            for (let i = 0; i < cs; i++) {
              if (value.format === 'I420') { su += buffer[ls + i]; sv += buffer[ls + cs + i]; } else { su += buffer[ls + 2 * i]; sv += buffer[ls + 2 * i + 1]; }
            }
            luma += sy / ls; u += su / cs - 128; v += sv / cs - 128;
            frames++;
          }
          value.close();
        }
        reader.releaseLock();
        return { frames, fps: frames > 1 ? ((frames - 1) * 1e6) / (last - first) : 0, meanLuma: luma / frames, meanU: u / frames, meanV: v / frames, formats: [...formats], timestamps };
      }

      const stream = await navigator.mediaDevices.getUserMedia({ video: { width, height, frameRate: 30 } });
      const input = stream.getVideoTracks()[0];
      const engine = await sazanami.createEngine();
      const processed = await engine.processVideoTrack(input, { exposure: true, whiteBalance: true, denoise: 3, sharpen: 1 });

      // Timestamps: the corrected track's frames carry camera timestamps (microseconds, monotonic, same clock).
      const direct = await measure(processed.track.clone(), 0.5);
      const timestampsPreserved = direct.timestamps.every((t, i) => i === 0 || t > direct.timestamps[i - 1]) && direct.timestamps[0] > 0;

      const pc1 = new RTCPeerConnection(), pc2 = new RTCPeerConnection();
      pc1.onicecandidate = (e) => { if (e.candidate) void pc2.addIceCandidate(e.candidate); };
      pc2.onicecandidate = (e) => { if (e.candidate) void pc1.addIceCandidate(e.candidate); };
      const remote = new Promise((resolve) => { pc2.ontrack = (e) => resolve(e.track); });
      pc1.addTrack(processed.track, new MediaStream([processed.track]));
      await pc1.setLocalDescription(await pc1.createOffer());
      await pc2.setRemoteDescription(pc1.localDescription);
      await pc2.setLocalDescription(await pc2.createAnswer());
      await pc1.setRemoteDescription(pc2.localDescription);
      const received = await remote;
      await measure(received, 1.5); // warm-up: bandwidth estimation ramps up, white balance converges
      const camera = await measure(input.clone(), 2);
      const receivedMeasured = await measure(received, 2);
      const stats = processed.stats();
      await processed.stop();
      const result = {
        camera, received: receivedMeasured, path: processed.path, stats, timestampsPreserved,
        endedAfterStop: processed.track.readyState, inputStillLive: input.readyState,
      };
      pc1.close(); pc2.close(); input.stop();
      await engine.close();
      return result;
    })(${JSON.stringify({ width: WIDTH, height: HEIGHT })})`);

    const r = run as unknown as VideoRun;
    console.log(JSON.stringify({ camera: { ...r.camera, timestamps: undefined }, received: { ...r.received, timestamps: undefined }, path: r.path, stats: { ...r.stats, kernel: undefined } }));
    expect(r.path).toBe('transferred-streams'); // this Chromium has no MediaStreamTrackProcessor in workers
    expect(r.stats.error).toBeNull();
    expect(r.stats.passThroughReason).toBeNull();
    expect(r.stats.framesOut).toBeGreaterThan(30);
    expect(r.stats.msPerFrame).toBeGreaterThan(0);
    expect(r.stats.droppedFrames).toBeGreaterThanOrEqual(0);
    expect(r.timestampsPreserved).toBe(true);
    // Two stops under: the camera's mean luma is ≈ 75; exposure correction adds well over 20 levels.
    expect(r.received.meanLuma - r.camera.meanLuma).toBeGreaterThan(20);
    // The warm cast pushes V up and U down; white balance takes at least a third of it away.
    const castBefore = Math.hypot(r.camera.meanU, r.camera.meanV), castAfter = Math.hypot(r.received.meanU, r.received.meanV);
    expect(castAfter).toBeLessThan(castBefore * 0.67);
    // Frame rate held: the received rate stays within 20 % of the camera's.
    expect(r.received.fps).toBeGreaterThan(0.8 * r.camera.fps);
    expect(r.endedAfterStop).toBe('ended');
    expect(r.inputStillLive).toBe('live');
  });
});

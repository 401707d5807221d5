// Browser side of test/browser/video-receive.test.ts: a loopback video call in one page. The sender
// is a canvas that draws its frame counter as 32 black/white blocks (16 bits and their complement);
// the receiver runs engine.processVideoReceiver with seeded frame loss injected in its transform.
// Every decoded frame is read back on the window thread (MediaStreamTrackProcessor) and checked:
// a frame decoded against a missing reference shows blocks that are grey or disagree with their
// complement, and counts as corrupt.
import { createEngine, negotiateFrameDependencies } from '/dist/src/index.js';

const WIDTH = 320;
const HEIGHT = 240;
const FPS = 30;
const COLUMNS = 8;
const ROWS = 4;
const BITS = 16;
/** Luma thresholds (limited range: black ≈ 16, white ≈ 235); between them a block is grey = corrupt. */
const BLACK_BELOW = 80;
const WHITE_ABOVE = 170;
/** A gap between decoded frames longer than 3 frame intervals counts as a freeze on the page. */
const FREEZE_GAP_MS = 3000 / FPS;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function drawCounter(context, counter) {
  const w = WIDTH / COLUMNS, h = HEIGHT / ROWS;
  for (let block = 0; block < COLUMNS * ROWS; block++) {
    const bit = block < BITS ? (counter >> block) & 1 : 1 - ((counter >> (block - BITS)) & 1);
    context.fillStyle = bit ? '#fff' : '#000';
    context.fillRect((block % COLUMNS) * w, Math.floor(block / COLUMNS) * h, w, h);
  }
}

/** The counter drawn in a decoded frame, or −1 when any block is grey or disagrees with its complement. */
function readCounter(luma, stride, width, height) {
  const w = width / COLUMNS, h = height / ROWS;
  const bits = new Array(COLUMNS * ROWS);
  for (let block = 0; block < COLUMNS * ROWS; block++) {
    const x0 = Math.floor((block % COLUMNS) * w + w / 3), y0 = Math.floor(Math.floor(block / COLUMNS) * h + h / 3);
    const x1 = Math.floor((block % COLUMNS) * w + (2 * w) / 3), y1 = Math.floor(Math.floor(block / COLUMNS) * h + (2 * h) / 3);
    let sum = 0, n = 0;
    for (let y = y0; y < y1; y += 2) for (let x = x0; x < x1; x += 2) { sum += luma[y * stride + x]; n++; }
    const mean = sum / n;
    if (mean < BLACK_BELOW) bits[block] = 0;
    else if (mean > WHITE_ABOVE) bits[block] = 1;
    else return -1;
  }
  let counter = 0;
  for (let bit = 0; bit < BITS; bit++) {
    if (bits[bit] === bits[bit + BITS]) return -1;
    counter |= bits[bit] << bit;
  }
  return counter;
}

async function statsOf(pc) {
  const out = {};
  (await pc.getStats()).forEach((s) => {
    if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') out.rttMs = 1000 * (s.currentRoundTripTime ?? NaN);
    if (s.type === 'inbound-rtp' && s.kind === 'video') {
      Object.assign(out, {
        framesReceived: s.framesReceived, framesDecoded: s.framesDecoded, framesDropped: s.framesDropped, keyFramesDecoded: s.keyFramesDecoded,
        freezeCount: s.freezeCount, totalFreezesDurationMs: 1000 * (s.totalFreezesDuration ?? 0), pliCount: s.pliCount, firCount: s.firCount, nackCount: s.nackCount,
        framesPerSecond: s.framesPerSecond, packetsLost: s.packetsLost,
      });
    }
    if (s.type === 'outbound-rtp' && s.kind === 'video') {
      Object.assign(out, { framesEncoded: s.framesEncoded, keyFramesEncoded: s.keyFramesEncoded, pliReceived: s.pliCount, encoderImplementation: s.encoderImplementation, frameWidth: s.frameWidth });
    }
  });
  return out;
}

/**
 * Runs a `seconds`-long call with `injectLossRate` frame loss (seeded) in the receiver's transform,
 * then `afterStopSeconds` after rx.stop() (pass-through). `dependencyDescriptor` negotiates the RTP
 * dependency descriptor (exact frame references); otherwise the tracker follows the delta chain.
 * `bypassTracker` forwards the surviving frames untracked (the browser alone); `codec` (e.g. 'video/VP9')
 * is preferred over Chromium's default VP8. Returns the processor's statistics, what the page saw, and the browser's own statistics.
 */
export async function videoReceiveCall({ seconds, afterStopSeconds, injectLossRate, seed, dependencyDescriptor, bypassTracker, codec }) {
  const canvas = document.createElement('canvas');
  canvas.width = WIDTH;
  canvas.height = HEIGHT;
  const context2d = canvas.getContext('2d');
  let counter = 0;
  drawCounter(context2d, counter);
  const drawTimer = setInterval(() => drawCounter(context2d, ++counter), 1000 / FPS);
  const stream = canvas.captureStream(FPS);

  const sender = new RTCPeerConnection();
  const receiverPc = new RTCPeerConnection();
  sender.onicecandidate = (event) => { if (event.candidate) receiverPc.addIceCandidate(event.candidate); };
  receiverPc.onicecandidate = (event) => { if (event.candidate) sender.addIceCandidate(event.candidate); };
  const engine = await createEngine();
  const remote = new Promise((resolve, reject) => {
    receiverPc.ontrack = (event) => {
      engine.processVideoReceiver(event.receiver, { injectLossRate, seed, testBypassTracker: bypassTracker === true }).then((rx) => resolve({ event, rx }), reject);
    };
  });
  const transceiver = sender.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly', streams: [stream] });
  const negotiated = dependencyDescriptor ? negotiateFrameDependencies(transceiver) : false;
  if (codec) {
    // Prefer `codec` (e.g. 'video/VP9'); the rest stay as fallbacks.
    const codecs = RTCRtpSender.getCapabilities('video').codecs;
    transceiver.setCodecPreferences([...codecs.filter((c) => c.mimeType.toLowerCase() === codec.toLowerCase()), ...codecs.filter((c) => c.mimeType.toLowerCase() !== codec.toLowerCase())]);
  }
  await sender.setLocalDescription(await sender.createOffer());
  await receiverPc.setRemoteDescription(sender.localDescription);
  await receiverPc.setLocalDescription(await receiverPc.createAnswer());
  await sender.setRemoteDescription(receiverPc.localDescription);
  const { event, rx } = await remote;

  // Read back every decoded frame.
  const seen = { frames: 0, corrupt: 0, firstCorruptAt: null, counters: new Set(), backwards: 0, lastCounter: -1, gaps: [], lastAt: NaN, phase: 'measure' };
  const processor = new MediaStreamTrackProcessor({ track: event.track });
  const reader = processor.readable.getReader();
  let buffer = new Uint8Array(0);
  const reading = (async () => {
    for (;;) {
      const { value: frame, done } = await reader.read();
      if (done) break;
      try {
        const now = performance.now();
        const size = frame.allocationSize();
        if (buffer.length < size) buffer = new Uint8Array(size);
        const layout = await frame.copyTo(buffer);
        const value = readCounter(buffer.subarray(layout[0].offset), layout[0].stride, frame.visibleRect?.width ?? frame.codedWidth, frame.visibleRect?.height ?? frame.codedHeight);
        if (seen.phase !== 'measure') { seen.lastAt = now; continue; }
        seen.frames++;
        if (value < 0) { seen.corrupt++; seen.firstCorruptAt ??= seen.frames; }
        else {
          if (value < seen.lastCounter) seen.backwards++;
          seen.lastCounter = value;
          seen.counters.add(value);
        }
        if (!Number.isNaN(seen.lastAt) && now - seen.lastAt > FREEZE_GAP_MS) seen.gaps.push(Math.round(now - seen.lastAt));
        seen.lastAt = now;
      } finally {
        frame.close();
      }
    }
  })();

  // Loss is injected from the first frame; every decoded frame is checked from the first one on.
  seen.phase = 'measure';
  await sleep(seconds * 1000);
  seen.phase = 'done';
  const atEnd = await rx.requestStats();
  const browserAtEnd = await statsOf(receiverPc);
  const senderAtEnd = await statsOf(sender);

  await rx.stop();
  seen.phase = 'measure';
  const framesBeforeStop = seen.frames, corruptBeforeStop = seen.corrupt, gaps = seen.gaps.slice();
  await sleep(afterStopSeconds * 1000);
  const framesAfterStop = seen.frames - framesBeforeStop, corruptAfterStop = seen.corrupt - corruptBeforeStop;

  clearInterval(drawTimer);
  await reader.cancel();
  await reading.catch(() => undefined);
  stream.getTracks().forEach((t) => t.stop());
  sender.close();
  receiverPc.close();
  await engine.close();
  return {
    negotiated, countersSent: counter, atEnd, afterStop: rx.stats(), browserAtEnd, senderAtEnd, framesAfterStop, corruptAfterStop,
    page: {
      frames: framesBeforeStop, corrupt: corruptBeforeStop, firstCorruptAt: seen.firstCorruptAt, distinctCounters: seen.counters.size, backwards: seen.backwards,
      freezes: gaps.length, freezeTotalMs: gaps.reduce((a, b) => a + b, 0), longestGapMs: Math.max(0, ...gaps),
    },
  };
}

/** processVideoReceiver's argument checks, which run before anything is attached to the receiver. */
export async function videoReceiveArgumentErrors() {
  const engine = await createEngine();
  const pc = new RTCPeerConnection();
  const audio = pc.addTransceiver('audio', { direction: 'recvonly' }).receiver;
  const video = pc.addTransceiver('video', { direction: 'recvonly' }).receiver;
  const errorOf = async (call) => { try { await call(); return null; } catch (error) { return error.name; } };
  const result = {
    audioReceiver: await errorOf(() => engine.processVideoReceiver(audio)),
    notAReceiver: await errorOf(() => engine.processVideoReceiver({})),
    lossRate: await errorOf(() => engine.processVideoReceiver(video, { injectLossRate: 2 })),
    seed: await errorOf(() => engine.processVideoReceiver(video, { seed: -1 })),
    reorderWait: await errorOf(() => engine.processVideoReceiver(video, { reorderWaitMs: Number.NaN })),
    bypass: await errorOf(() => engine.processVideoReceiver(video, { testBypassTracker: 'yes' })),
    transformAfterErrors: video.transform ?? null,
  };
  pc.close();
  await engine.close();
  return result;
}

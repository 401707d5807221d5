// Browser side of test/browser/av-sync.test.ts: a synthetic A/V source made in the page (a canvas
// flash and an audio click at the same instant, once a second), sent over a loopback
// RTCPeerConnection as one stream, and the received A/V offset measured as the media leaves the page,
// all on the performance.now() clock:
//   video — requestVideoFrameCallback on a <video>: the first bright frame's expectedDisplayTime;
//   audio — sazanami's playout: an AudioWorklet onset detector on the playout node, the click's first
//           sample frame converted with getOutputTimestamp(); the browser's playout: the remote
//           track's AudioData as the browser pulls it for playout (MediaStreamTrackProcessor), plus
//           the output latency of an AudioContext on the same device. (A Web Audio tap of a remote
//           track was ~60 ms later than both: the MediaStreamAudioSourceNode's own FIFO.)
// Offsets are audio − video in ms (positive: audio late).
//
// avSyncSendSegments and avSyncReceiveSegments (used by the test) compare sazanami on and off within
// one call; avSyncCall runs one setup per call (call-to-call, the browser's own sync settles 20–30 ms
// apart, so it is kept for diagnostics); videoPathLag measures the processed video track's display
// lag behind its source on the same page.
//
// This file is also loaded as an AudioWorklet module (it registers the detector there); it has no
// static imports so that it runs in both scopes.

const DETECTOR_NAME = 'sazanami-test-onset-detector';
const SAMPLE_RATE = 48000;
/** |x| above this starts an onset; the click peaks at 0.7 and the background is digital silence. */
const ONSET_THRESHOLD = 0.1;
/** An onset needs this much quiet before it (the click lasts 10 ms; clicks are 1 s apart). */
const ONSET_QUIET_SECONDS = 0.4;

if (typeof registerProcessor === 'function' && typeof AudioWorkletProcessor === 'function') {
  class OnsetDetector extends AudioWorkletProcessor {
    constructor() {
      super();
      this.lastLoudFrame = -1e12;
    }

    process(inputs) {
      const channel = inputs[0] && inputs[0][0];
      if (channel) {
        for (let i = 0; i < channel.length; i++) {
          if (Math.abs(channel[i]) > ONSET_THRESHOLD) {
            const frame = currentFrame + i;
            if (frame - this.lastLoudFrame > ONSET_QUIET_SECONDS * sampleRate) this.port.postMessage(frame);
            this.lastLoudFrame = frame;
          }
        }
      }
      return true;
    }
  }
  registerProcessor(DETECTOR_NAME, OnsetDetector);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const WIDTH = 160, HEIGHT = 120, FRAME_MS = 33, FRAMES_PER_SECOND = 30;
const CLICK_SECONDS = 0.01, CLICK_HZ = 1000, CLICK_PERIOD_MS = 1000;
/** The click is scheduled this far ahead in the source context (the flash waits for its instant). */
const SCHEDULE_AHEAD_S = 0.15;

/** performance.now() at which `context` plays (outputs) context time `seconds`. */
function performanceTimeOf(context, seconds) {
  const stamp = context.getOutputTimestamp();
  return stamp.performanceTime + (seconds - stamp.contextTime) * 1000;
}

/**
 * Alternative source (audioSource: 'webaudio'), not used by the test: with a
 * MediaStreamAudioDestinationNode track the browser's own sync misbehaved — with only a 10 ms click a
 * second the receiver's audio delay grew past 1 s (a quiet bed tone fixes that), and even then the
 * audio's capture timestamps left the baseline wandering by tens of ms — so the test uses the fake
 * microphone (makeMicSource), whose audio carries real capture timestamps.
 *
 * The synthetic source: a 160 × 120 canvas (black, with a small moving square so that every tick is a
 * new frame) captured at ~30 fps with requestFrame(), and a 48 kHz AudioContext whose
 * MediaStreamAudioDestinationNode carries a 10 ms 1 kHz click once a second; the canvas turns white
 * for two frames at the click's instant. A click rendered at context time T leaves the context
 * (into the track) about outputLatency before getOutputTimestamp says T is heard, so the flash is
 * drawn then.
 */
async function makeSource() {
  const canvas = document.createElement('canvas');
  canvas.width = WIDTH;
  canvas.height = HEIGHT;
  const g = canvas.getContext('2d');
  const videoTrack = canvas.captureStream(0).getVideoTracks()[0];
  const context = new AudioContext({ sampleRate: SAMPLE_RATE });
  const destination = context.createMediaStreamDestination();
  destination.channelCount = 1;
  const click = context.createBuffer(1, Math.round(CLICK_SECONDS * SAMPLE_RATE), SAMPLE_RATE);
  const samples = click.getChannelData(0);
  for (let i = 0; i < samples.length; i++) {
    const ramp = Math.min(1, i / 24, (samples.length - 1 - i) / 24);
    samples[i] = 0.7 * ramp * Math.sin((2 * Math.PI * CLICK_HZ * i) / SAMPLE_RATE);
  }
  // A quiet tone (−80 dBFS) keeps the graph rendering between clicks: with only a 10 ms source a
  // second, the destination's track carried gaps and the receiver's audio delay grew past 1 s.
  const bed = context.createOscillator();
  const bedGain = context.createGain();
  bed.frequency.value = 150;
  bedGain.gain.value = 1e-4;
  bed.connect(bedGain).connect(destination);
  bed.start();
  await context.resume();
  let tick = 0, flashFrames = 0;
  const draw = () => {
    g.fillStyle = flashFrames > 0 ? '#ffffff' : '#000000';
    g.fillRect(0, 0, WIDTH, HEIGHT);
    g.fillStyle = '#404040';
    g.fillRect((tick * 4) % WIDTH, HEIGHT - 10, 8, 8);
    tick++;
    if (flashFrames > 0) flashFrames--;
    videoTrack.requestFrame();
  };
  const frameTimer = setInterval(draw, FRAME_MS);
  const events = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = context.currentTime + SCHEDULE_AHEAD_S;
      const node = context.createBufferSource();
      node.buffer = click;
      node.connect(destination);
      node.start(at);
      const due = performanceTimeOf(context, at) - 1000 * (context.outputLatency || 0);
      await sleep(Math.max(0, due - performance.now() - 4));
      while (performance.now() < due) { /* spin the last few ms for a precise flash */ }
      flashFrames = 2;
      draw();
      events.push({ audioMs: due, videoMs: performance.now() });
      await sleep(1000 - SCHEDULE_AHEAD_S * 1000);
    }
  })();
  return {
    videoTrack, audioTrack: destination.stream.getAudioTracks()[0], context, events,
    outputLatencyMs: 1000 * (context.outputLatency || 0), baseLatencyMs: 1000 * (context.baseLatency || 0),
    async stop() {
      running = false;
      clearInterval(frameTimer);
      await loop;
      videoTrack.stop();
      await context.close();
    },
  };
}

/**
 * The same source with the microphone as the audio: the fake microphone plays a WAV with one click a
 * second (--use-file-for-fake-audio-capture), so the audio carries the capture timestamps a real
 * microphone gives the sender. Each click is detected as it is delivered to the local track and the
 * canvas flashes one period later, when the next click is delivered.
 *
 * Frames come on a steady 30 fps clock, like a camera's, and the flash is one of its ticks: the
 * clock is bent (by at most a few ms per frame) so that a tick lands on the flash instant. An extra
 * frame drawn between ticks for the flash was often dropped by the sender's frame-rate control, and
 * the flash then went out with the next tick, up to 33 ms late (seen: the received flash frame's
 * captureTime 8–30 ms after the flash in 4–7 of 15 clicks, each an "early audio" click).
 */
async function makeMicSource() {
  const canvas = document.createElement('canvas');
  canvas.width = WIDTH;
  canvas.height = HEIGHT;
  const g = canvas.getContext('2d');
  const videoTrack = canvas.captureStream(0).getVideoTracks()[0];
  const mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  const audioTrack = mic.getAudioTracks()[0];
  let tick = 0, flashFrames = 0;
  const draw = () => {
    g.fillStyle = flashFrames > 0 ? '#ffffff' : '#000000';
    g.fillRect(0, 0, WIDTH, HEIGHT);
    g.fillStyle = '#404040';
    g.fillRect((tick * 4) % WIDTH, HEIGHT - 10, 8, 8);
    tick++;
    if (flashFrames > 0) flashFrames--;
    videoTrack.requestFrame();
  };
  const local = watchTrackClicks(audioTrack.clone(), { outputLatency: 0 });
  const events = [];
  /** Flash instants still to come (performance.now()), oldest first, with the click that set each. */
  const pending = [];
  let running = true;
  const clicksLoop = (async () => {
    let seen = 0;
    while (running) {
      await sleep(20);
      if (local.clicks.length === seen) continue;
      seen = local.clicks.length;
      const click = local.clicks[seen - 1];
      pending.push({ dueMs: click.audioMs + CLICK_PERIOD_MS, micLagMs: click.audioMs - click.timestampMs });
    }
  })();
  const framesLoop = (async () => {
    let frameMs = performance.now();
    while (running) {
      // The next tick: one frame interval on, or — with a flash coming — the interval that puts a
      // whole number of ticks between this tick and the flash (the flash's own tick included).
      while (pending.length > 0 && pending[0].dueMs <= frameMs + 1) pending.shift();
      let intervalMs = 1000 / FRAMES_PER_SECOND;
      if (pending.length > 0) intervalMs = (pending[0].dueMs - frameMs) / Math.max(1, Math.round((pending[0].dueMs - frameMs) * FRAMES_PER_SECOND / 1000));
      frameMs += intervalMs;
      const flash = pending.length > 0 && Math.abs(pending[0].dueMs - frameMs) < 0.5 ? pending.shift() : null;
      await sleep(Math.max(0, frameMs - performance.now() - (flash ? 4 : 0)));
      if (!running) break;
      if (flash) {
        while (performance.now() < frameMs) { /* spin the last few ms for a precise flash */ }
        flashFrames = 2;
        draw();
        events.push({ audioMs: flash.dueMs, videoMs: performance.now(), micLagMs: flash.micLagMs });
      } else {
        draw();
      }
      // A late timer does not push the clock: a late frame is followed by the next on time (unless
      // the page stalled for longer than a frame, then the clock restarts from now).
      if (performance.now() - frameMs > 1000 / FRAMES_PER_SECOND) frameMs = performance.now();
    }
  })();
  return {
    videoTrack, audioTrack, events, outputLatencyMs: 0, baseLatencyMs: 0,
    async stop() {
      running = false;
      local.stop();
      await clicksLoop;
      await framesLoop;
      videoTrack.stop();
      audioTrack.stop();
    },
  };
}

/** Flash onsets on a <video>: expectedDisplayTime of the first bright frame after a dark one. */
function watchFlashes(track) {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([track]);
  document.body.appendChild(video);
  const probe = document.createElement('canvas');
  probe.width = 16;
  probe.height = 12;
  const g = probe.getContext('2d', { willReadFrequently: true });
  const flashes = [];
  let bright = false, frames = 0, stopped = false;
  const onFrame = (now, metadata) => {
    if (stopped) return;
    frames++;
    g.drawImage(video, 0, 0, 16, 12);
    const pixels = g.getImageData(0, 0, 16, 8).data;
    let sum = 0;
    for (let i = 0; i < pixels.length; i += 4) sum += pixels[i];
    const level = sum / (pixels.length / 4);
    if (!bright && level > 128) {
      flashes.push({ displayMs: metadata.expectedDisplayTime, presentedMs: metadata.presentationTime, callbackMs: now,
        captureMs: metadata.captureTime ?? null, receiveMs: metadata.receiveTime ?? null, rtpTimestamp: metadata.rtpTimestamp ?? null });
    }
    bright = level > 128 ? true : level < 64 ? false : bright;
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
  const playing = video.play();
  return {
    flashes, playing, get frames() { return frames; },
    stop() { stopped = true; video.srcObject = null; video.remove(); },
  };
}

/** Click onsets in `context` on the output of `node`, as performance.now() of their first sample leaving the context. */
async function watchClicks(context, node) {
  await context.audioWorklet.addModule(import.meta.url);
  const detector = new AudioWorkletNode(context, DETECTOR_NAME);
  const clicks = [];
  detector.port.onmessage = (event) => clicks.push({ audioMs: performanceTimeOf(context, event.data / context.sampleRate) });
  node.connect(detector);
  const mute = context.createGain();
  mute.gain.value = 0;
  detector.connect(mute).connect(context.destination);
  return {
    clicks,
    stop() {
      try { node.disconnect(detector); } catch { /* the node was already disconnected (rx.stop()) */ }
      detector.disconnect();
    },
  };
}

/**
 * Click onsets in a remote track's AudioData as delivered on the main thread (MediaStreamTrackProcessor),
 * stamped with the arrival time of the 10 ms that holds them plus `outputContext`'s output latency.
 */
function watchTrackClicks(track, outputContext) {
  const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
  const clicks = [];
  let stopped = false, lastLoudMs = -1e9, buffer = new Float32Array(0), chunks = 0;
  (async () => {
    while (!stopped) {
      const { value, done } = await reader.read();
      if (done) break;
      const arrivedMs = performance.now();
      chunks++;
      const frames = value.numberOfFrames;
      if (buffer.length < frames) buffer = new Float32Array(frames);
      value.copyTo(buffer, { planeIndex: 0, format: 'f32-planar' });
      for (let i = 0; i < frames; i++) {
        if (Math.abs(buffer[i]) > ONSET_THRESHOLD) {
          const at = arrivedMs - ((frames - i) * 1000) / value.sampleRate + 1000 * (outputContext.outputLatency || 0);
          if (at - lastLoudMs > ONSET_QUIET_SECONDS * 1000) clicks.push({ audioMs: at, timestampMs: value.timestamp / 1000 + (i * 1000) / value.sampleRate, frames, rate: value.sampleRate });
          lastLoudMs = at;
        }
      }
      value.close();
    }
  })();
  return { clicks, get chunks() { return chunks; }, stop() { stopped = true; reader.cancel().catch(() => undefined); } };
}

/** Pairs each flash with the nearest click within ±400 ms; offset = audio − video, ms. */
function pairOffsets(flashes, clicks, fromMs, toMs = Infinity) {
  const offsets = [];
  for (const flash of flashes) {
    if (flash.displayMs < fromMs || flash.displayMs >= toMs) continue;
    let best = null;
    for (const click of clicks) {
      const offset = click.audioMs - flash.displayMs;
      if (Math.abs(offset) <= 400 && (best === null || Math.abs(offset) < Math.abs(best))) best = offset;
    }
    if (best !== null) offsets.push(best);
  }
  return offsets;
}

/** Per flash in [fromMs, toMs): the video path (display − source flash) and the audio path (click − source click), ms. */
function pathBreakdown(flashes, clicks, events, fromMs, toMs) {
  const rows = [];
  for (const flash of flashes) {
    if (flash.displayMs < fromMs || flash.displayMs >= toMs) continue;
    const event = events.filter((e) => e.videoMs < flash.displayMs && e.videoMs > flash.displayMs - 600).at(-1);
    let click = null;
    for (const c of clicks) if (Math.abs(c.audioMs - flash.displayMs) <= 400 && (click === null || Math.abs(c.audioMs - flash.displayMs) < Math.abs(click.audioMs - flash.displayMs))) click = c;
    if (!event || !click) continue;
    rows.push({ v: round1(flash.displayMs - event.videoMs), a: round1(click.audioMs - event.audioMs), cb: round1(flash.callbackMs - flash.displayMs), mic: round1(event.micLagMs),
      cap: flash.captureMs === null ? null : round1(flash.captureMs - event.videoMs), rcv: flash.receiveMs === null ? null : round1(flash.receiveMs - event.videoMs),
      pres: round1(flash.presentedMs - event.videoMs) });
  }
  return rows;
}

function summary(values) {
  if (values.length === 0) return { count: 0, mean: NaN, median: NaN, min: NaN, max: NaN };
  const sorted = [...values].sort((a, b) => a - b), middle = sorted.length >> 1;
  return {
    count: values.length, mean: values.reduce((a, b) => a + b, 0) / values.length,
    median: sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2,
    min: sorted[0], max: sorted[sorted.length - 1],
  };
}

/**
 * One loopback A/V call for `seconds` after `warmupSeconds`. mode: 'off' (no sazanami), 'send'
 * (processAudioTrack + processVideoTrack on the sender, synced with engine.syncSenders unless
 * sync is false), 'receive' (processReceiver on the audio receiver with seeded jitter, steering the
 * video receiver unless sync is false).
 */
export async function avSyncCall({ mode, seconds, warmupSeconds, sync = true, jitterMs = 0, seed = 1, audioTargetMs = null, audioSource = 'microphone' }) {
  const { createEngine } = await import('/dist/src/index.js');
  const source = audioSource === 'microphone' ? await makeMicSource() : await makeSource();
  const engine = mode === 'off' ? null : await createEngine();
  let sentAudio = source.audioTrack, sentVideo = source.videoTrack, mic = null, cam = null, senderSync = null;
  if (mode === 'send') {
    mic = await engine.processAudioTrack(source.audioTrack, { noiseSuppression: 'balanced' });
    cam = await engine.processVideoTrack(source.videoTrack, { sharpen: 1 });
    sentAudio = mic.track;
    sentVideo = cam.track;
    if (sync) senderSync = engine.syncSenders(mic, cam);
  }
  const pc1 = new RTCPeerConnection(), pc2 = new RTCPeerConnection();
  pc1.onicecandidate = (e) => { if (e.candidate) void pc2.addIceCandidate(e.candidate); };
  pc2.onicecandidate = (e) => { if (e.candidate) void pc1.addIceCandidate(e.candidate); };
  let rxPromise = null;
  const tracks = new Promise((resolve) => {
    const got = {};
    pc2.ontrack = (event) => {
      got[event.track.kind] = event;
      if (event.track.kind === 'audio' && mode === 'receive') {
        rxPromise = engine.processReceiver(event.receiver, { testImpairments: { seed, jitterMs } });
      }
      if (got.audio && got.video) resolve(got);
    };
  });
  const stream = new MediaStream([sentAudio, sentVideo]);
  pc1.addTrack(sentAudio, stream);
  pc1.addTrack(sentVideo, stream);
  await pc1.setLocalDescription(await pc1.createOffer());
  await pc2.setRemoteDescription(pc1.localDescription);
  await pc2.setLocalDescription(await pc2.createAnswer());
  await pc1.setRemoteDescription(pc2.localDescription);
  const got = await tracks;
  if (audioTargetMs !== null && mode !== 'receive') got.audio.receiver.jitterBufferTarget = audioTargetMs;
  const videoWatch = watchFlashes(got.video.track);
  await videoWatch.playing;
  let rx = null, audioWatch, measureContext = null, element = null, receiveSync = null;
  if (mode === 'receive') {
    rx = await rxPromise;
    audioWatch = await watchClicks(rx.context, rx.node);
    if (sync) receiveSync = rx.syncWith(got.video.receiver);
  } else {
    // The browser's own playout: a (muted) element plays the remote track, and the remote track's
    // sinks get each 10 ms as the browser pulls it for playout; it then leaves through the output
    // device, as late as the output latency of an AudioContext on that device.
    element = new Audio();
    element.muted = true;
    element.srcObject = got.audio.streams[0] ?? new MediaStream([got.audio.track]);
    await element.play();
    measureContext = new AudioContext({ sampleRate: SAMPLE_RATE });
    await measureContext.resume();
    audioWatch = watchTrackClicks(got.audio.track, measureContext);
  }

  await sleep(warmupSeconds * 1000);
  const fromMs = performance.now();
  const latencyOverTime = [];
  for (let t = 0; t < seconds; t += 2) {
    await sleep(2000);
    const entry = { t: t + 2 };
    if (mic) entry.audioLatencyMs = round1(mic.latencyMs);
    if (cam) entry.videoLatencyMs = round1(cam.stats().latencyMs);
    if (senderSync) { const s = senderSync.stats(); entry.audioDelayMs = round1(s.audioDelayMs); entry.videoDelayMs = round1(s.videoDelayMs); entry.senderMismatchMs = round1(s.mismatchMs); }
    if (rx) {
      const s = rx.stats();
      entry.rxLatencyMs = round1(s.latencyMs);
      entry.avOffsetMs = s.avOffsetMs === null || s.avOffsetMs === undefined ? null : round1(s.avOffsetMs);
      entry.videoTargetMs = s.videoJitterBufferTargetMs ?? null;
      entry.currentDelayMs = round1(s.currentDelayMs);
    }
    latencyOverTime.push(entry);
  }
  const offsets = pairOffsets(videoWatch.flashes, audioWatch.clicks, fromMs);
  const sourceOffsets = source.events.filter((e) => e.videoMs >= fromMs - 2000).map((e) => e.audioMs - e.videoMs);
  const videoStats = await videoStatsOf(got.video.receiver);
  const audioStats = await videoStatsOf(got.audio.receiver);
  const result = {
    mode, sync, jitterMs, offsets: offsets.map(round1), summary: summary(offsets), sourceSkew: summary(sourceOffsets),
    flashes: videoWatch.flashes.length, clicks: audioWatch.clicks.length, videoFramesSeen: videoWatch.frames,
    sourceOutputLatencyMs: source.outputLatencyMs, sourceBaseLatencyMs: source.baseLatencyMs,
    measureOutputLatencyMs: 1000 * ((rx ? rx.context : measureContext).outputLatency || 0),
    latencyOverTime, videoStats, audioRxStats: audioStats,
    lastFlash: videoWatch.flashes.at(-1) ?? null,
  };
  if (mic) result.audioStats = { latencyMs: mic.latencyMs };
  if (cam) result.camStats = cam.stats();
  if (senderSync) result.senderSync = senderSync.stats();
  if (rx) { const s = rx.stats(); result.rxStats = { ...s, worker: undefined, chain: undefined }; }
  audioWatch.stop();
  videoWatch.stop();
  senderSync?.stop();
  receiveSync?.stop();
  if (rx) await rx.stop();
  if (mic) await mic.stop();
  if (cam) await cam.stop();
  pc1.close();
  pc2.close();
  if (element) element.srcObject = null;
  if (measureContext) await measureContext.close();
  await source.stop();
  if (engine) await engine.close();
  return result;
}

async function videoStatsOf(receiver) {
  const report = await receiver.getStats();
  for (const s of report.values()) {
    if (s.type === 'inbound-rtp') {
      const perFrame = (total) => (s.jitterBufferEmittedCount ? (1000 * total) / s.jitterBufferEmittedCount : null);
      return {
        jitterBufferDelayMs: perFrame(s.jitterBufferDelay), jitterBufferTargetDelayMs: perFrame(s.jitterBufferTargetDelay),
        jitterBufferMinimumDelayMs: perFrame(s.jitterBufferMinimumDelay), decodeMs: s.framesDecoded ? (1000 * s.totalDecodeTime) / s.framesDecoded : null,
        processingMs: s.framesDecoded ? (1000 * s.totalProcessingDelay) / s.framesDecoded : null, framesDecoded: s.framesDecoded, framesDropped: s.framesDropped,
        codec: s.codecId,
      };
    }
  }
  return null;
}

function round1(x) {
  return typeof x === 'number' ? Math.round(x * 10) / 10 : x;
}

/** Diagnostic: display-time lag of the processed video track behind the source track (both local). */
export async function videoPathLag({ seconds }) {
  const { createEngine } = await import('/dist/src/index.js');
  const source = await makeSource();
  const engine = await createEngine();
  const cam = await engine.processVideoTrack(source.videoTrack, { sharpen: 1 });
  const raw = watchFlashes(source.videoTrack);
  const processed = watchFlashes(cam.track);
  await raw.playing; await processed.playing;
  await sleep(seconds * 1000);
  const lags = [];
  for (const f of processed.flashes) {
    const match = raw.flashes.find((r) => Math.abs(f.displayMs - r.displayMs) < 300);
    if (match) lags.push(round1(f.displayMs - match.displayMs));
  }
  const stats = cam.stats();
  raw.stop(); processed.stop();
  await cam.stop(); await source.stop(); await engine.close();
  return { lags, latencyMs: stats.latencyMs, processingLatencyMs: stats.processingLatencyMs };
}

/** A loopback call of `audio` + `video` as one stream; resolves with the senders and the receiver's track events. */
async function loopbackCall(audio, video, onAudioTrack = () => undefined) {
  const pc1 = new RTCPeerConnection(), pc2 = new RTCPeerConnection();
  pc1.onicecandidate = (e) => { if (e.candidate) void pc2.addIceCandidate(e.candidate); };
  pc2.onicecandidate = (e) => { if (e.candidate) void pc1.addIceCandidate(e.candidate); };
  const tracks = new Promise((resolve) => {
    const got = {};
    pc2.ontrack = (event) => {
      got[event.track.kind] = event;
      if (event.track.kind === 'audio') onAudioTrack(event);
      if (got.audio && got.video) resolve(got);
    };
  });
  const stream = new MediaStream([audio, video]);
  const audioSender = pc1.addTrack(audio, stream), videoSender = pc1.addTrack(video, stream);
  await pc1.setLocalDescription(await pc1.createOffer());
  await pc2.setRemoteDescription(pc1.localDescription);
  await pc2.setLocalDescription(await pc2.createAnswer());
  await pc1.setRemoteDescription(pc2.localDescription);
  const got = await tracks;
  return { pc1, pc2, audioSender, videoSender, got, close() { pc1.close(); pc2.close(); } };
}

/** Watches the browser's own playout of a remote audio track (see watchTrackClicks). */
async function watchBrowserPlayout(event) {
  const element = new Audio();
  element.muted = true;
  element.srcObject = event.streams[0] ?? new MediaStream([event.track]);
  await element.play();
  const context = new AudioContext({ sampleRate: SAMPLE_RATE });
  await context.resume();
  const watch = watchTrackClicks(event.track, context);
  return {
    clicks: watch.clicks,
    async stop() { watch.stop(); element.srcObject = null; await context.close(); },
  };
}

/** Offsets of the flashes displayed from now for `seconds`. */
async function segment(name, videoWatch, audioWatch, seconds, sample = () => ({}), events = null) {
  const fromMs = performance.now();
  const samples = [];
  for (let t = 0; t < seconds; t += 5) {
    await sleep(Math.min(5, seconds - t) * 1000);
    samples.push(sample());
  }
  const toMs = performance.now();
  const offsets = pairOffsets(videoWatch.flashes, audioWatch.clicks, fromMs, toMs);
  const result = { name, offsets: offsets.map(round1), summary: summary(offsets), samples,
    flashes: videoWatch.flashes.filter((f) => f.displayMs >= fromMs && f.displayMs < toMs).length,
    clicks: audioWatch.clicks.filter((c) => c.audioMs >= fromMs && c.audioMs < toMs).length };
  if (events) result.paths = pathBreakdown(videoWatch.flashes, audioWatch.clicks, events, fromMs, toMs);
  return result;
}

/**
 * Send side, one call, four segments after a warm-up: 'off' (the raw tracks), 'send' (processAudioTrack
 * + processVideoTrack tracks with engine.syncSenders on), 'off-again' (raw tracks back), then
 * 'send-unsynced' (the processed tracks without sync, for reference). The tracks are switched with
 * replaceTrack, so the browser's own sync state and the call stay the same and adjacent segments
 * compare sazanami's effect alone. The unsynced segment comes last: its mismatch (≈ 30–45 ms) is at
 * the edge of the browser's own sync's dead zone (30 ms), and whatever that sync does about it must
 * not move the baseline of the synced segment. 'off' and 'off-again' still differ (by −21…+1 ms in
 * six runs: the browser's own drift), so the test compares 'send' with their mean. Sync is started
 * before the processed tracks are sent. The receiver's audio jitter buffer is pinned at
 * `audioTargetMs` (see the test).
 */
export async function avSyncSendSegments({ warmupSeconds, segmentSeconds, settleSeconds, audioTargetMs }) {
  const { createEngine } = await import('/dist/src/index.js');
  const source = await makeMicSource();
  const engine = await createEngine();
  const mic = await engine.processAudioTrack(source.audioTrack, { noiseSuppression: 'balanced' });
  const cam = await engine.processVideoTrack(source.videoTrack, { sharpen: 1 });
  const call = await loopbackCall(source.audioTrack, source.videoTrack);
  call.got.audio.receiver.jitterBufferTarget = audioTargetMs;
  const videoWatch = watchFlashes(call.got.video.track);
  await videoWatch.playing;
  const audioWatch = await watchBrowserPlayout(call.got.audio);
  const use = async (audio, video) => { await call.audioSender.replaceTrack(audio); await call.videoSender.replaceTrack(video); };
  let senderSync = null;
  const context = mic.capture.node.context;
  const sample = () => ({
    audioLatencyMs: round1(mic.latencyMs), videoLatencyMs: round1(cam.stats().latencyMs), algorithmicMs: round1(mic.algorithmicLatencyMs),
    baseLatencyMs: round1(1000 * (context.baseLatency || 0)), outputLatencyMs: round1(1000 * (context.outputLatency || 0)), contextRate: context.sampleRate,
    ...(senderSync ? { mismatchMs: round1(senderSync.stats().mismatchMs), videoDelayMs: senderSync.stats().videoDelayMs, audioDelayMs: senderSync.stats().audioDelayMs } : {}),
  });
  await sleep(warmupSeconds * 1000);
  const segments = [await segment('off', videoWatch, audioWatch, segmentSeconds, undefined, source.events)];
  // Synced before the processed tracks go out, so that no unsynced frame reaches the receiver.
  senderSync = engine.syncSenders(mic, cam);
  await sleep(1000);
  await use(mic.track, cam.track);
  await sleep(settleSeconds * 1000);
  segments.push(await segment('send', videoWatch, audioWatch, segmentSeconds, sample, source.events));
  const syncStats = senderSync.stats();
  const camStats = cam.stats();
  const audioLatencyMs = mic.latencyMs;
  await use(source.audioTrack, source.videoTrack);
  senderSync.stop();
  senderSync = null;
  await sleep(settleSeconds * 1000);
  segments.push(await segment('off-again', videoWatch, audioWatch, segmentSeconds, undefined, source.events));
  await use(mic.track, cam.track);
  await sleep(settleSeconds * 1000);
  segments.push(await segment('send-unsynced', videoWatch, audioWatch, segmentSeconds, sample, source.events));
  videoWatch.stop();
  await audioWatch.stop();
  call.close();
  await mic.stop();
  await cam.stop();
  await source.stop();
  await engine.close();
  return { segments, senderSync: syncStats, camStats, audioLatencyMs };
}

/**
 * Receive side, one call: sazanami plays the audio (processReceiver with seeded `jitterMs`, syncWith
 * on the video receiver) for a 'receive' segment after the warm-up; then rx.stop() hands the audio
 * back to the browser (its transform passes frames through), the video's jitterBufferTarget is
 * restored, the browser's audio jitter buffer is pinned at `audioTargetMs`, and after `offSettleSeconds`
 * (the browser's sync starts over) an 'off' segment is measured in the same call.
 */
export async function avSyncReceiveSegments({ warmupSeconds, segmentSeconds, offSettleSeconds, audioTargetMs, jitterMs, seed }) {
  const { createEngine } = await import('/dist/src/index.js');
  const source = await makeMicSource();
  const engine = await createEngine();
  let rxPromise = null;
  const call = await loopbackCall(source.audioTrack, source.videoTrack, (event) => {
    rxPromise = engine.processReceiver(event.receiver, { testImpairments: { seed, jitterMs } });
  });
  const rx = await rxPromise;
  const videoWatch = watchFlashes(call.got.video.track);
  await videoWatch.playing;
  const playout = await watchClicks(rx.context, rx.node);
  const sync = rx.syncWith(call.got.video.receiver);
  const sample = () => {
    const s = rx.stats();
    return { latencyMs: round1(s.latencyMs), avOffsetMs: s.avOffsetMs === null ? null : round1(s.avOffsetMs), videoTargetMs: s.videoJitterBufferTargetMs,
      audioMinimumDelayMs: s.sync?.audioMinimumDelayMs ?? null, currentDelayMs: round1(s.currentDelayMs), underruns: s.underruns };
  };
  const startMs = performance.now();
  const timeline = [];
  for (let t = 0; t < warmupSeconds; t++) {
    await sleep(1000);
    const s = rx.stats();
    timeline.push({ t: t + 1, avOffsetMs: s.avOffsetMs === null ? null : round1(s.avOffsetMs), target: s.videoJitterBufferTargetMs, aPath: round1(s.sync?.audioPathMs ?? null),
      vPath: round1(s.sync?.videoPathMs ?? null), aMin: s.sync?.audioMinimumDelayMs ?? null, jb: round1(s.currentDelayMs), jbTarget: round1(s.targetDelayMs) });
  }
  const segments = [await segment('receive', videoWatch, playout, segmentSeconds, sample, source.events)];
  const warmupPaths = pathBreakdown(videoWatch.flashes, playout.clicks, source.events, startMs, performance.now());
  const full = rx.stats();
  const w = full.worker;
  const rxStats = { ...full, chain: undefined,
    worker: w === null ? null : { pulls: w.pulls, sequencer: w.sequencer, framesIn: w.framesIn, framesDecoded: w.framesDecoded, decodeErrors: w.decodeErrors, unmatchedOutputs: w.unmatchedOutputs, ringOverflows: w.ringOverflows } };
  sync.stop();
  await rx.stop();
  playout.stop();
  call.got.audio.receiver.jitterBufferTarget = audioTargetMs;
  const browser = await watchBrowserPlayout(call.got.audio);
  await sleep(offSettleSeconds * 1000);
  segments.push(await segment('off', videoWatch, browser, segmentSeconds, undefined, source.events));
  const videoTargetAfterStop = call.got.video.receiver.jitterBufferTarget;
  videoWatch.stop();
  await browser.stop();
  call.close();
  await source.stop();
  await engine.close();
  return { segments, rxStats, videoTargetAfterStop, timeline, warmupPaths };
}

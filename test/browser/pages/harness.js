// Browser-side test functions, called by test/browser/*.test.ts through page.evaluate.
import { createEngine, isSupported } from '/dist/src/index.js';
import { float32ToBase64, renderOffline } from './shared.js';

let enginePromise = null;
function engine() {
  enginePromise ??= createEngine();
  return enginePromise;
}

async function fetchSample() {
  const response = await fetch('/demo/samples/noisy-speech.wav');
  return response.arrayBuffer();
}

/** Decodes the noisy-speech sample at `sampleRate` (the browser resamples) and returns `frames` mono samples. */
async function decodeSample(sampleRate, frames) {
  const context = new OfflineAudioContext(1, 1, sampleRate);
  const decoded = await context.decodeAudioData(await fetchSample());
  return decoded.getChannelData(0).slice(0, frames);
}

/** (a) The capture worklet in an OfflineAudioContext at `sampleRate`; returns input and output. */
async function parity({ sampleRate, seconds, noiseSuppression, wasmBase64, flavor }) {
  // The same bytes as the Node reference (the build may change on disk while tests run).
  const bytes = Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
  const e = await createEngine({ flavor, wasm: { [flavor]: bytes } });
  const input = await decodeSample(sampleRate, Math.round(seconds * sampleRate));
  let capture;
  const output = await renderOffline(input, sampleRate, Math.round(sampleRate / 10), async (context) => {
    capture = await e.createCaptureNode(context, { noiseSuppression });
    return capture.node;
  });
  const stats = capture.stats();
  await capture.stop();
  return { input: float32ToBase64(input), output: float32ToBase64(output), latencySamples: capture.latencySamples, flavor: e.flavor, stats };
}

/** (d) Fault injection: the `fail` hook at `faultSeconds`; returns input, output and the port's error messages. */
async function fault({ sampleRate, seconds, faultSeconds }) {
  const e = await engine();
  const input = await decodeSample(sampleRate, Math.round(seconds * sampleRate));
  let capture;
  const errors = [];
  const rejected = [];
  const output = await renderOffline(input, sampleRate, 0, async (context) => {
    capture = await e.createCaptureNode(context, { noiseSuppression: 'strong' }, { enableTestHooks: true });
    capture.onError = (message) => errors.push(message);
    capture.onRejected = (message) => rejected.push(message);
    return capture.node;
  }, (context) => {
    context.suspend(faultSeconds).then(async () => {
      // Twice: the second must not produce a second error (the node already bypasses).
      capture.node.port.postMessage({ type: 'fail' });
      capture.node.port.postMessage({ type: 'fail' });
      capture.node.port.postMessage({ type: 'no-such-message' });
      await capture.requestStats(); // barrier: the worklet handled the messages above
      await context.resume();
    });
  });
  // Let messages posted during the last render quanta arrive.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const stats = capture.stats();
  await capture.stop();
  return {
    input: float32ToBase64(input), output: float32ToBase64(output), errors, rejected, stats,
    faultFrame: Math.round(faultSeconds * sampleRate),
  };
}

function frameEnergiesDb(samples, frameSize) {
  const energies = [];
  for (let start = 0; start + frameSize <= samples.length; start += frameSize) {
    let sum = 0;
    for (let i = start; i < start + frameSize; i++) sum += samples[i] * samples[i];
    energies.push(10 * Math.log10(sum / frameSize + 1e-20));
  }
  return energies;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round((p / 100) * (sorted.length - 1))))];
}

/** (b) Fake microphone → (processAudioTrack) → loopback RTCPeerConnection → recorded remote audio. */
/** The (fake) microphone without the browser's own processing, as sazanami's users request it. */
function rawMicrophone() {
  return navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  });
}

/**
 * A loopback call in this page: `sendTrack` on one RTCPeerConnection, received by another, played
 * by a muted media element (Web Audio hears a remote track only while one plays it) and recorded
 * at 48 kHz in 100 ms chunks passed to `onChunk`.
 */
async function recordLoopbackCall(sendTrack, onChunk) {
  const sender = new RTCPeerConnection();
  const receiver = new RTCPeerConnection();
  sender.onicecandidate = (event) => { if (event.candidate) receiver.addIceCandidate(event.candidate); };
  receiver.onicecandidate = (event) => { if (event.candidate) sender.addIceCandidate(event.candidate); };
  const remoteStream = new Promise((resolve) => {
    receiver.ontrack = (event) => resolve(event.streams[0] ?? new MediaStream([event.track]));
  });
  sender.addTrack(sendTrack, new MediaStream([sendTrack]));
  const offer = await sender.createOffer();
  await sender.setLocalDescription(offer);
  await receiver.setRemoteDescription(offer);
  const answer = await receiver.createAnswer();
  await receiver.setLocalDescription(answer);
  await sender.setRemoteDescription(answer);
  const remote = await remoteStream;
  const element = new Audio();
  element.muted = true;
  element.srcObject = remote;
  await element.play();
  const recordContext = new AudioContext({ sampleRate: 48000 });
  await recordContext.audioWorklet.addModule('./recorder.worklet.js');
  const recorder = new AudioWorkletNode(recordContext, 'test-recorder');
  recorder.port.onmessage = (event) => onChunk(event.data);
  recordContext.createMediaStreamSource(remote).connect(recorder).connect(recordContext.destination);
  await recordContext.resume();
  return {
    async close() {
      sender.close();
      receiver.close();
      element.srcObject = null;
      await recordContext.close();
    },
  };
}

async function loopback({ processed, seconds, warmupSeconds, noiseSuppression }) {
  const stream = await rawMicrophone();
  const micTrack = stream.getAudioTracks()[0];
  const micSettings = micTrack.getSettings();
  let processor = null;
  let sendTrack = micTrack;
  if (processed) {
    processor = await (await engine()).processAudioTrack(micTrack, { noiseSuppression });
    sendTrack = processor.track;
  }
  const chunks = [];
  const call = await recordLoopbackCall(sendTrack, (chunk) => chunks.push(chunk));
  const chunksWanted = Math.round((seconds + warmupSeconds) * 10);
  while (chunks.length < chunksWanted) await new Promise((resolve) => setTimeout(resolve, 100));

  const processorStats = processor ? await processor.requestStats() : null;
  const recorded = new Float32Array(chunks.length * chunks[0].length);
  chunks.forEach((chunk, i) => recorded.set(chunk, i * chunk.length));
  const analysed = recorded.subarray(Math.round(warmupSeconds * 48000), Math.round((warmupSeconds + seconds) * 48000));
  const energies = frameEnergiesDb(analysed, 960); // 20 ms frames
  const audible = energies.filter((db) => db > -100).sort((a, b) => a - b);

  if (processor) await processor.stop();
  micTrack.stop();
  await call.close();
  return {
    micSettings, processorStats,
    frames: energies.length, digitallySilentFrames: energies.length - audible.length,
    p10Db: percentile(audible, 10), p50Db: percentile(audible, 50), p90Db: percentile(audible, 90),
  };
}

/** (e) processAudioTrack/stop cycles on one engine. */
async function cycles({ count, sharedContext }) {
  const stream = await rawMicrophone();
  const track = stream.getAudioTracks()[0];
  const context = sharedContext ? new AudioContext() : undefined;
  const e = await createEngine({ context });
  const liveAfterStop = [];
  const scopeAtStart = [];
  const contexts = new Set();
  for (let i = 0; i < count; i++) {
    const processor = await e.processAudioTrack(track, { noiseSuppression: i % 2 ? 'light' : 'strong' });
    contexts.add(e.context);
    scopeAtStart.push(processor.stats().liveProcessorsInScope);
    if (i === 0) processor.update({ noiseSuppression: 'balanced' });
    await processor.stop();
    liveAfterStop.push(e.liveProcessorCount);
  }
  const contextStates = [...contexts].map((c) => c.state);
  const result = {
    count, sharedContext,
    maxLiveAfterStop: Math.max(...liveAfterStop), finalLive: e.liveProcessorCount,
    maxLiveProcessorsInScopeAtStart: Math.max(...scopeAtStart), lastLiveProcessorsInScopeAtStart: scopeAtStart.at(-1),
    contextsCreated: contexts.size, contextStatesAfter: [...new Set(contextStates)],
    engineContextAfter: e.context ? e.context.state : null, inputTrackState: track.readyState,
  };
  await e.close();
  track.stop();
  if (context) await context.close();
  return result;
}

/** (e) Errors at the public edge: bad track kind, ended track, bad options. */
async function edgeErrors() {
  const e = await engine();
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  const [audio] = stream.getAudioTracks();
  const [video] = stream.getVideoTracks();
  const attempt = async (run) => {
    try { await run(); return 'no error'; } catch (error) { return `${error.name}: ${error.message}`; }
  };
  const ended = audio.clone();
  ended.stop();
  const result = {
    supported: isSupported(),
    videoTrack: await attempt(() => e.processAudioTrack(video)),
    notATrack: await attempt(() => e.processAudioTrack({ kind: 'audio' })),
    endedTrack: await attempt(() => e.processAudioTrack(ended)),
    badLevel: await attempt(() => e.processAudioTrack(audio, { noiseSuppression: 'max' })),
    unknownOption: await attempt(() => e.processAudioTrack(audio, { echo: true })),
    badChannels: await attempt(() => e.processAudioTrack(audio, { channelCount: 3 })),
    live: e.liveProcessorCount,
  };
  const processor = await e.processAudioTrack(audio);
  result.badUpdate = await attempt(async () => processor.update({ noiseSuppression: 'loud' }));
  processor.update({ noiseSuppression: 'light' });
  result.levelAfterUpdate = (await processor.requestStats()).options.noiseSuppression;
  // A malformed message that bypasses the edge is rejected by the worklet and changes nothing.
  const rejected = new Promise((resolve) => {
    processor.capture.onRejected = resolve;
  });
  processor.capture.node.port.postMessage({ type: 'update', options: { noiseSuppression: 'x' } });
  result.rawBadUpdate = await rejected;
  result.levelAfterRawBadUpdate = (await processor.requestStats()).options.noiseSuppression;
  await processor.stop();
  const stereo = await e.processAudioTrack(audio, { channelCount: 2 });
  result.stereoChannels = (await stereo.requestStats()).channelCount;
  result.stereoTrackChannels = stereo.track.getSettings().channelCount ?? null;
  await stereo.stop();
  result.updateAfterStop = await attempt(async () => processor.update({ noiseSuppression: 'light' }));
  for (const track of stream.getTracks()) track.stop();
  return result;
}

/**
 * A processed loopback call held for `seconds`: the capture context's playback statistics (render
 * underruns), the worklet's stats, and gaps in the received audio (runs of digitally silent 20 ms
 * frames after the first second).
 */
async function longCall({ seconds, noiseSuppression }) {
  const stream = await rawMicrophone();
  const micTrack = stream.getAudioTracks()[0];
  const e = await createEngine();
  const processor = await e.processAudioTrack(micTrack, { noiseSuppression });
  // Keep only per-20 ms energies, not the audio: a minute of samples is not needed in Node.
  const energies = [];
  const call = await recordLoopbackCall(processor.track, (chunk) => {
    for (const db of frameEnergiesDb(chunk, 960)) energies.push(db);
  });
  const statsOverTime = [];
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const s = await processor.requestStats();
    statsOverTime.push({ t: Math.round((performance.now() - started) / 1000), underruns: s.underruns, bypassed: s.bypassed, cpuUsPerFrame: s.cpuUsPerFrame });
  }
  const captureContext = e.context;
  const playback = captureContext?.playbackStats;
  const playbackStats = playback ? {
    underrunEvents: playback.underrunEvents, underrunDurationS: playback.underrunDuration, totalDurationS: playback.totalDuration,
  } : null;
  const finalStats = await processor.requestStats();
  // Gaps: digitally silent 20 ms frames after the first second (the call's start-up).
  const afterStart = energies.slice(50);
  const silentFrames = afterStart.filter((db) => db <= -100).length;
  await processor.stop();
  micTrack.stop();
  await call.close();
  await e.close();
  return {
    seconds, receivedFrames: energies.length, silentFramesAfterStart: silentFrames, playbackStats, statsOverTime,
    final: { underruns: finalStats.underruns, bypassed: finalStats.bypassed, error: finalStats.error, latencyMs: finalStats.latencyMs, cpuUsPerFrame: finalStats.cpuUsPerFrame },
  };
}

/**
 * Offline speed of the capture worklet: `seconds` of the sample rendered through an
 * OfflineAudioContext with the worklet, and the same graph without it (the baseline cost of
 * rendering), so the worklet's own share can be read off.
 */
async function offlineSpeed({ sampleRate, seconds, noiseSuppression }) {
  const e = await engine();
  const sample = await decodeSample(sampleRate, sampleRate * 11);
  const input = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < input.length; i += sample.length) input.set(sample.subarray(0, Math.min(sample.length, input.length - i)), i);
  const timeRender = async (withWorklet) => {
    const started = performance.now();
    let capture = null;
    await renderOffline(input, sampleRate, 0, async (context) => {
      if (!withWorklet) return new GainNode(context);
      capture = await e.createCaptureNode(context, { noiseSuppression });
      return capture.node;
    });
    const ms = performance.now() - started;
    if (capture) await capture.stop();
    return ms;
  };
  await timeRender(true); // warm-up: worklet module load and Wasm instantiation
  const withWorkletMs = [await timeRender(true), await timeRender(true)].sort((a, b) => a - b)[0];
  const baselineMs = [await timeRender(false), await timeRender(false)].sort((a, b) => a - b)[0];
  return { sampleRate, seconds, flavor: e.flavor, withWorkletMs, baselineMs };
}

/** Live stats through shared memory on this cross-origin isolated page: read twice, 300 ms apart. */
async function sharedStats() {
  const stream = await rawMicrophone();
  const track = stream.getAudioTracks()[0];
  const e = await createEngine();
  const processor = await e.processAudioTrack(track, { noiseSuppression: 'balanced' });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const first = { frames: processor.capture.framesProcessed, stats: processor.stats() };
  await new Promise((resolve) => setTimeout(resolve, 300));
  const second = { frames: processor.capture.framesProcessed, stats: processor.stats() };
  const result = {
    crossOriginIsolated, shared: processor.capture.sharedStats, sampleRate: e.context.sampleRate,
    first: { frames: first.frames, speechProbability: first.stats.speechProbability, noiseLevelDbfs: first.stats.noiseLevelDbfs },
    second: { frames: second.frames, speechProbability: second.stats.speechProbability, noiseLevelDbfs: second.stats.noiseLevelDbfs,
      underruns: second.stats.underruns, bypassed: second.stats.bypassed },
  };
  await processor.stop();
  await e.close();
  track.stop();
  return result;
}


/** A seeded room impulse response: `delayMs` of silence, then exponentially decaying noise (RT60), scaled to `erlDb`. */
function roomResponse(sampleRate, delayMs, rt60Sec, lengthSec, erlDb) {
  const h = new Float32Array(Math.round((delayMs / 1000 + lengthSec) * sampleRate));
  const start = Math.round((delayMs / 1000) * sampleRate);
  let state = 12345;
  const random = () => { state = (Math.imul(state, 1664525) + 1013904223) >>> 0; return state / 4294967296 - 0.5; };
  let energy = 0;
  for (let n = start; n < h.length; n++) {
    const t = (n - start) / sampleRate;
    h[n] = random() * Math.exp((-6.91 * t) / rt60Sec) * (n === start ? 8 : 1);
    energy += h[n] * h[n];
  }
  const scale = Math.sqrt(10 ** (-erlDb / 10) / energy);
  for (let n = 0; n < h.length; n++) h[n] *= scale;
  return h;
}

/** Mean power in dB of `chunks` (100 ms each) from `fromSec` to `toSec`. */
function chunkPowerDb(chunks, rate, fromSec, toSec) {
  const all = new Float32Array(chunks.length * chunks[0].length);
  chunks.forEach((chunk, i) => all.set(chunk, i * chunk.length));
  const part = all.subarray(Math.round(fromSec * rate), Math.round(toSec * rate));
  let sum = 0;
  for (const v of part) sum += v * v;
  return 10 * Math.log10(sum / Math.max(1, part.length) + 1e-20);
}

/**
 * (h) Echo call: far-end speech arrives over a loopback RTCPeerConnection and is played through Web
 * Audio (a gain node to the speakers); the "microphone" is that playback convolved with a room
 * response plus, from `doubleTalkAtSec`, near-end speech. processAudioTrack cancels the echo with the
 * gain node as the exact far end; the sent track goes over a second loopback call and is recorded.
 * Returns the microphone and sent levels (far-end single talk and double talk) and the stats.
 */
async function echoCall({ seconds, doubleTalkAtSec, measureFromSec, echoCancellation }) {
  const rate = 48000;
  const context = new AudioContext({ sampleRate: rate });
  await context.audioWorklet.addModule('./recorder.worklet.js');
  const sample = await context.decodeAudioData(await fetchSample());
  const e = await createEngine({ context });

  // Far end: the sample (looped) sent over a loopback call; the received track is played via Web Audio.
  const farSource = new AudioBufferSourceNode(context, { buffer: sample, loop: true });
  const farSend = context.createMediaStreamDestination();
  farSource.connect(farSend);
  const a = new RTCPeerConnection(), b = new RTCPeerConnection();
  a.onicecandidate = (event) => { if (event.candidate) b.addIceCandidate(event.candidate); };
  b.onicecandidate = (event) => { if (event.candidate) a.addIceCandidate(event.candidate); };
  const remoteStream = new Promise((resolve) => { b.ontrack = (event) => resolve(event.streams[0] ?? new MediaStream([event.track])); });
  a.addTrack(farSend.stream.getAudioTracks()[0], farSend.stream);
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
  const remote = await remoteStream;
  const element = new Audio();
  element.muted = true;
  element.srcObject = remote;
  await element.play();
  const playback = context.createGain();
  context.createMediaStreamSource(remote).connect(playback);
  playback.connect(context.destination);

  // The "microphone": playback through a room (convolution) + near-end speech from a later part of the sample.
  const h = roomResponse(rate, 40, 0.25, 0.3, 6);
  const roomBuffer = context.createBuffer(1, h.length, rate);
  roomBuffer.copyToChannel(h, 0);
  const convolver = new ConvolverNode(context, { buffer: roomBuffer, disableNormalization: true });
  const micMix = context.createGain();
  playback.connect(convolver).connect(micMix);
  const nearGain = new GainNode(context, { gain: 0 });
  const nearSource = new AudioBufferSourceNode(context, { buffer: sample, loop: true });
  nearSource.connect(nearGain).connect(micMix);
  const micDestination = context.createMediaStreamDestination();
  micMix.connect(micDestination);
  const micChunks = [];
  const micRecorder = new AudioWorkletNode(context, 'test-recorder');
  micRecorder.port.onmessage = (event) => micChunks.push(event.data);
  const mute = new GainNode(context, { gain: 0 });
  micMix.connect(micRecorder).connect(mute).connect(context.destination);

  const micTrack = micDestination.stream.getAudioTracks()[0];
  const processor = await e.processAudioTrack(micTrack, { noiseSuppression: 'off', echoCancellation, farEnd: playback });
  const sentChunks = [];
  const call = await recordLoopbackCall(processor.track, (chunk) => sentChunks.push(chunk));
  await context.resume();
  const startedAt = context.currentTime;
  farSource.start();
  nearSource.start(0, sample.duration / 2);
  nearGain.gain.setValueAtTime(0.5, startedAt + doubleTalkAtSec);
  while (micChunks.length < doubleTalkAtSec * 10) await new Promise((resolve) => setTimeout(resolve, 100));
  const singleTalkStats = await processor.requestStats();
  while (sentChunks.length < seconds * 10 || micChunks.length < seconds * 10) await new Promise((resolve) => setTimeout(resolve, 100));
  const stats = await processor.requestStats();

  // The sent track reaches the recorder later than the microphone recorder starts: align by the
  // recorded chunks' own clocks (both start near the far end's start); 4 s windows make the small
  // offset irrelevant for levels.
  const result = {
    micSingleTalkDb: chunkPowerDb(micChunks, rate, measureFromSec, doubleTalkAtSec),
    sentSingleTalkDb: chunkPowerDb(sentChunks, 48000, measureFromSec, doubleTalkAtSec),
    micDoubleTalkDb: chunkPowerDb(micChunks, rate, doubleTalkAtSec + 0.5, seconds),
    sentDoubleTalkDb: chunkPowerDb(sentChunks, 48000, doubleTalkAtSec + 0.5, seconds),
    linearErleSingleTalkDb: singleTalkStats.echoReturnLossEnhancementDb,
    stats: {
      echoReturnLossEnhancementDb: stats.echoReturnLossEnhancementDb, echoDelayMs: stats.echoDelayMs,
      echoSuppressionGainDb: stats.echoSuppressionGainDb, bypassed: stats.bypassed, errorCount: stats.errorCount,
      options: stats.options, cpuUsPerFrame: stats.cpuUsPerFrame,
    },
    hasFarEndInput: processor.capture.hasFarEndInput,
    numberOfInputs: processor.capture.node.numberOfInputs,
  };
  await processor.stop();
  await call.close();
  micTrack.stop();
  a.close();
  b.close();
  element.srcObject = null;
  await e.close();
  await context.close();
  return result;
}

window.sazanamiTest = { parity, fault, loopback, cycles, edgeErrors, longCall, offlineSpeed, sharedStats, echoCall };

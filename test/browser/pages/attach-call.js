// Browser side of test/browser/attach-call.test.ts: an "app" page with a working two-way call
// (fake microphone + fake camera on one side, a speaking peer with a canvas camera on the other)
// that adds sazanami with one engine.attachCall(pc) line, adds tracks later (renegotiation), and
// detaches. Everything the test asserts on is measured here and returned.
import { createEngine } from '/dist/src/index.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Offer/answer between two connections in this page, as an app's signalling would. */
async function negotiate(offerer, answerer) {
  const offer = await offerer.createOffer();
  await offerer.setLocalDescription(offer);
  await answerer.setRemoteDescription(offer);
  const answer = await answerer.createAnswer();
  await answerer.setLocalDescription(answer);
  await offerer.setRemoteDescription(answer);
}

/** Sums of inbound-rtp counters per kind on `pc`. */
async function inbound(pc) {
  const out = { audioPackets: 0, audioEnergy: 0, videoFrames: 0 };
  (await pc.getStats()).forEach((report) => {
    if (report.type !== 'inbound-rtp') return;
    if (report.kind === 'audio') { out.audioPackets += report.packetsReceived ?? 0; out.audioEnergy += report.totalAudioEnergy ?? 0; }
    if (report.kind === 'video') out.videoFrames += report.framesDecoded ?? 0;
  });
  return out;
}

function delta(after, before) {
  return Object.fromEntries(Object.keys(after).map((key) => [key, after[key] - before[key]]));
}

/** The far peer's voice: the demo sample, looped, as a MediaStreamTrack; and a canvas camera. */
async function farPeerMedia() {
  const context = new AudioContext({ sampleRate: 48000 });
  const bytes = await (await fetch('/demo/samples/noisy-speech.wav')).arrayBuffer();
  const buffer = await context.decodeAudioData(bytes);
  const source = new AudioBufferSourceNode(context, { buffer, loop: true, loopStart: 0, loopEnd: buffer.duration });
  const destination = context.createMediaStreamDestination();
  source.connect(destination);
  source.start(0, buffer.duration / 2);
  const canvas = document.createElement('canvas');
  canvas.width = 320; canvas.height = 240;
  const g = canvas.getContext('2d');
  let frame = 0;
  const timer = setInterval(() => { g.fillStyle = `hsl(${(frame++ * 7) % 360} 60% 50%)`; g.fillRect(0, 0, 320, 240); }, 33);
  const video = canvas.captureStream(30).getVideoTracks()[0];
  return { audio: destination.stream.getAudioTracks()[0], video, close: async () => { clearInterval(timer); await context.close(); } };
}

function canvasTrack(hue) {
  const canvas = document.createElement('canvas');
  canvas.width = 160; canvas.height = 120;
  const g = canvas.getContext('2d');
  const timer = setInterval(() => { g.fillStyle = `hsl(${hue} 50% ${40 + 10 * Math.random()}%)`; g.fillRect(0, 0, 160, 120); }, 33);
  const track = canvas.captureStream(30).getVideoTracks()[0];
  return { track, stop: () => { clearInterval(timer); track.stop(); } };
}

const ids = (pc) => pc.getSenders().map((s) => s.track?.id ?? null);
/** A stats snapshot reduced to what the test checks (the full objects are large). */
function summary(call) {
  const s = call.stats();
  return {
    senders: s.senders.map((x) => ({
      kind: x.kind, trackId: x.trackId, latencyMs: x.latencyMs,
      framesOut: x.kind === 'video' ? (x.stats?.framesOut ?? null) : null,
      bypassed: x.kind === 'audio' ? (x.stats?.bypassed ?? null) : null,
      echoCancellation: x.kind === 'audio' ? (x.stats?.options?.echoCancellation ?? null) : null,
      noiseSuppression: x.kind === 'audio' ? (x.stats?.options?.noiseSuppression ?? null) : null,
      gainControl: x.kind === 'audio' ? (x.stats?.options?.gainControl ?? null) : null,
      echoDelayMs: x.kind === 'audio' ? (x.stats?.echoDelayMs ?? null) : null,
      erleDb: x.kind === 'audio' ? (x.stats?.echoReturnLossEnhancementDb ?? null) : null,
      voiceProbability: x.kind === 'audio' ? (x.stats?.voiceProbability ?? null) : null,
      exposure: x.kind === 'video' ? (x.stats?.settings?.exposureStrength ?? null) : null,
    })),
    receivers: s.receivers.map((x) => ({
      kind: x.kind, latencyMs: x.latencyMs, receivePath: x.receivePath, note: x.note,
      concealedMs: x.kind === 'audio' ? (x.stats?.concealedMs ?? null) : null,
      underruns: x.kind === 'audio' ? (x.stats?.underruns ?? null) : null,
      quantaPlayed: x.kind === 'audio' ? (x.stats?.quantaPlayed ?? null) : null,
      framesIn: x.stats?.worker?.framesIn ?? x.stats?.framesIn ?? null,
      framesForwarded: x.kind === 'video' ? (x.stats?.framesForwarded ?? null) : null,
    })),
    farEndSources: s.farEndSources, load: s.load, errors: s.errors, detached: s.detached,
    senderSync: s.senderSync, receiverSync: s.receiverSync,
  };
}

export async function attachCallScenario({ receive, attachBeforeConnect, settleSeconds }) {
  const engine = await createEngine();
  const local = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false }, video: { width: 320, height: 240 },
  });
  const far = await farPeerMedia();
  const app = new RTCPeerConnection();
  const peer = new RTCPeerConnection();
  app.onicecandidate = (e) => { if (e.candidate) peer.addIceCandidate(e.candidate); };
  peer.onicecandidate = (e) => { if (e.candidate) app.addIceCandidate(e.candidate); };
  // The app plays what it receives, as apps do.
  const played = new Audio();
  app.ontrack = (e) => { if (e.track.kind === 'audio') { played.srcObject = e.streams[0] ?? new MediaStream([e.track]); played.play().catch(() => undefined); } };
  for (const track of local.getTracks()) app.addTrack(track, local);
  const farStream = new MediaStream([far.audio, far.video]);
  for (const track of farStream.getTracks()) peer.addTrack(track, farStream);
  const originals = ids(app);

  let call = null;
  const attach = async () => { call = await engine.attachCall(app, { receive }); };
  if (attachBeforeConnect) await attach();
  await negotiate(app, peer);
  await sleep(1500);
  const beforeAttach = await inbound(peer);
  if (!attachBeforeConnect) await attach();
  const atAttach = { peer: await inbound(peer), app: await inbound(app) };
  await sleep(settleSeconds * 1000);
  const attached = {
    senderTrackIds: ids(app), originals, stats: summary(call),
    peerInbound: delta(await inbound(peer), atAttach.peer), appInbound: delta(await inbound(app), atAttach.app),
  };

  // Renegotiation: the app adds a screen-share-like video track, the far peer a second voice.
  app.onnegotiationneeded = null;
  const extra = canvasTrack(200);
  app.addTrack(extra.track, new MediaStream([extra.track]));
  await negotiate(app, peer);
  const secondVoice = far.audio.clone();
  peer.addTrack(secondVoice, new MediaStream([secondVoice]));
  await negotiate(peer, app);
  await sleep(settleSeconds * 1000);
  const afterRenegotiation = { senderTrackIds: ids(app), extraTrackId: extra.track.id, stats: summary(call) };

  const beforeDetach = await inbound(peer);
  await call.detach();
  const atDetach = { senderTrackIds: ids(app), stats: summary(call) };
  await sleep(1500);
  const afterDetach = { ...atDetach, peerInbound: delta(await inbound(peer), beforeDetach) };

  extra.stop();
  for (const track of local.getTracks()) track.stop();
  app.close(); peer.close();
  await far.close();
  await engine.close();
  return { beforeAttach, attached, afterRenegotiation, afterDetach };
}

/**
 * Busy-loop iterations (the capture worklet's `load` hook loop) that take about `ms` here: the
 * fastest of several timed runs, so JIT warm-up does not inflate the estimate.
 */
function iterationsFor(ms) {
  const n = 2_000_000;
  let x = 0, best = Infinity;
  for (let run = 0; run < 6; run++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) x = (x * 1.000001 + 1e-7) % 1024;
    best = Math.min(best, performance.now() - start);
  }
  return Math.round((n * ms) / Math.max(best, 1e-3)) + (x > 2048 ? 1 : 0);
}

/** Peer-side inbound audio counters (NetEq concealment and level of what the peer hears). */
async function peerAudio(pc) {
  let out = { samples: 0, concealed: 0, energy: 0, duration: 0 };
  (await pc.getStats()).forEach((r) => {
    if (r.type === 'inbound-rtp' && r.kind === 'audio') {
      out = { samples: r.totalSamplesReceived ?? 0, concealed: r.concealedSamples ?? 0, energy: r.totalAudioEnergy ?? 0, duration: r.totalSamplesDuration ?? 0 };
    }
  });
  return out;
}

/**
 * The overload case: a call with sazanami attached whose capture node is made as slow as a weak
 * device (the `load` hook: a busy loop per enabled stage per render quantum, 1.5 ms per stage, so the
 * full chain takes longer than a 2.7 ms quantum). Samples the call's load stats and what the peer
 * hears every `sampleMs`: while loaded, then after the load is lifted (recovery).
 */
export async function overloadScenario({ loadedSeconds, recoverySeconds, sampleMs, msPerStage }) {
  const engine = await createEngine();
  const local = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  const app = new RTCPeerConnection();
  const peer = new RTCPeerConnection();
  app.onicecandidate = (e) => { if (e.candidate) peer.addIceCandidate(e.candidate); };
  peer.onicecandidate = (e) => { if (e.candidate) app.addIceCandidate(e.candidate); };
  // What the peer hears: its remote track through an analyser (Chromium feeds Web Audio only while
  // an element plays the track, hence the muted element).
  const heard = new Audio();
  heard.muted = true;
  const listen = new AudioContext({ sampleRate: 48000 });
  const analyser = new AnalyserNode(listen, { fftSize: 2048 });
  const block = new Float32Array(analyser.fftSize);
  peer.ontrack = (e) => {
    heard.srcObject = new MediaStream([e.track]); heard.play().catch(() => undefined);
    listen.createMediaStreamSource(new MediaStream([e.track])).connect(analyser);
  };
  const heardDb = () => {
    analyser.getFloatTimeDomainData(block);
    let sum = 0;
    for (const x of block) sum += x * x;
    return 10 * Math.log10(sum / block.length + 1e-12);
  };
  app.addTrack(local.getAudioTracks()[0], local);
  await negotiate(app, peer);
  const call = await engine.attachCall(app, { video: false, testHooks: true, loadControl: { recoverAfterMs: 3000 } });
  await sleep(2000);
  const iterationsPerStage = iterationsFor(msPerStage);
  const samples = [];
  let last = await peerAudio(peer);
  const sample = async (phase) => {
    await sleep(sampleMs);
    const now = await peerAudio(peer);
    const s = call.stats();
    const sender = s.senders.find((x) => x.kind === 'audio');
    samples.push({
      phase, level: s.load.level, renderRatio: s.load.renderRatio, bypassed: s.load.bypassed, stepsUp: s.load.stepsUp, stepsDown: s.load.stepsDown,
      senderBypassed: sender?.stats?.bypassed ?? null, noiseSuppression: sender?.stats?.options?.noiseSuppression ?? null,
      echoCancellation: sender?.stats?.options?.echoCancellation ?? null,
      peerConcealedFraction: now.samples > last.samples ? (now.concealed - last.concealed) / (now.samples - last.samples) : null,
      peerLevelDb: heardDb(),
    });
    last = now;
  };
  for (let t = 0; t < 2000; t += sampleMs) await sample('before');
  call.testSetLoad(iterationsPerStage);
  for (let t = 0; t < loadedSeconds * 1000; t += sampleMs) await sample('loaded');
  call.testSetLoad(0);
  for (let t = 0; t < recoverySeconds * 1000; t += sampleMs) await sample('lifted');
  const final = call.stats().load;
  await call.detach();
  for (const track of local.getTracks()) track.stop();
  app.close(); peer.close();
  await listen.close();
  await engine.close();
  return { iterationsPerStage, samples, final };
}

/**
 * A worker killed mid-call: the video worker behind the app's camera sender is terminated (as a crash
 * would); the call must notice and send the camera unprocessed. Per 250 ms: frames the peer decoded.
 */
export async function workerKilledScenario({ secondsAfterKill }) {
  const engine = await createEngine();
  const local = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 } });
  const original = local.getVideoTracks()[0];
  const app = new RTCPeerConnection();
  const peer = new RTCPeerConnection();
  app.onicecandidate = (e) => { if (e.candidate) peer.addIceCandidate(e.candidate); };
  peer.onicecandidate = (e) => { if (e.candidate) app.addIceCandidate(e.candidate); };
  const sender = app.addTrack(original, local);
  const call = await engine.attachCall(app);
  await negotiate(app, peer);
  await sleep(2000);
  const processedId = sender.track.id;
  // Test-only reach into the call's private state (plain JS properties): the processor's worker.
  const entry = [...call.senders.values()].find((e) => e.video !== null);
  entry.video.worker.terminate();
  const killedAt = performance.now();
  const timeline = [];
  let last = (await inbound(peer)).videoFrames;
  for (let t = 0; t < secondsAfterKill * 1000; t += 250) {
    await sleep(250);
    const frames = (await inbound(peer)).videoFrames;
    timeline.push({ ms: Math.round(performance.now() - killedAt), frames: frames - last, sendingOriginal: sender.track === original });
    last = frames;
  }
  const stats = call.stats();
  await call.detach();
  const afterDetach = sender.track === original;
  original.stop();
  app.close(); peer.close();
  await engine.close();
  return { processedId, originalId: original.id, timeline, senders: stats.senders.map((s) => ({ kind: s.kind, failed: s.failed })), errors: stats.errors, afterDetach };
}

// Browser side of test/browser/receive.test.ts: a loopback call in one page whose receiver plays
// through engine.processReceiver (with seeded loss injected in its transform); the playout node's
// output and the browser's own playout of the remote track are recorded, before and after stop().
import { createEngine, isReceiverProcessingSupported } from '/dist/src/index.js';

const RECORDER_URL = '/test/browser/pages/recorder.worklet.js';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fraction of 20 ms frames above −60 dBFS and the 90th-percentile frame level, dBFS. */
function activity(samples, sampleRate) {
  const frame = Math.round(sampleRate / 50);
  const levels = [];
  for (let start = 0; start + frame <= samples.length; start += frame) {
    let sum = 0;
    for (let i = start; i < start + frame; i++) sum += samples[i] * samples[i];
    levels.push(10 * Math.log10(sum / frame + 1e-20));
  }
  const sorted = [...levels].sort((a, b) => a - b);
  return {
    frames: levels.length,
    activeFraction: levels.length ? levels.filter((db) => db > -60).length / levels.length : 0,
    p90Db: sorted.length ? sorted[Math.floor(0.9 * (sorted.length - 1))] : -200,
  };
}

function concat(chunks) {
  const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

async function recorderOn(context, source) {
  await context.audioWorklet.addModule(RECORDER_URL);
  const recorder = new AudioWorkletNode(context, 'test-recorder');
  const chunks = [];
  recorder.port.onmessage = (event) => chunks.push(event.data);
  source.connect(recorder);
  // A worklet only runs while something pulls it: a muted gain to the destination.
  const mute = context.createGain();
  mute.gain.value = 0;
  recorder.connect(mute).connect(context.destination);
  return chunks;
}

/**
 * A loopback call in this page whose receiver runs engine.processReceiver with `options`: the fake
 * microphone is sent, and processReceiver is called in the track event, before media flows
 * (Chromium delivers no frames to a transform attached later). `remote` resolves with the track
 * event and the receive processor.
 */
async function startReceiveCall(options) {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  const micTrack = stream.getAudioTracks()[0];
  const sender = new RTCPeerConnection();
  const receiverPc = new RTCPeerConnection();
  sender.onicecandidate = (event) => { if (event.candidate) receiverPc.addIceCandidate(event.candidate); };
  receiverPc.onicecandidate = (event) => { if (event.candidate) sender.addIceCandidate(event.candidate); };
  const engine = await createEngine();
  const remote = new Promise((resolve, reject) => {
    receiverPc.ontrack = (event) => {
      engine.processReceiver(event.receiver, options).then((rx) => resolve({ event, rx }), reject);
    };
  });
  sender.addTrack(micTrack, stream);
  const offer = await sender.createOffer();
  await sender.setLocalDescription(offer);
  await receiverPc.setRemoteDescription(offer);
  const answer = await receiverPc.createAnswer();
  await receiverPc.setLocalDescription(answer);
  await sender.setRemoteDescription(answer);
  return { micTrack, sender, receiverPc, engine, remote };
}

export async function receiveCall({ seconds, warmupSeconds, afterStopSeconds, lossRate, seed }) {
  const support = isReceiverProcessingSupported();
  if (!support.supported) return { support };
  const { micTrack, sender, receiverPc, engine, remote } = await startReceiveCall({ testImpairments: { lossRate, seed } });
  const { event: trackEvent, rx } = await remote;
  const remoteStream = trackEvent.streams[0] ?? new MediaStream([trackEvent.track]);
  // The browser's own playout of the remote track (Web Audio hears it only while an element plays it).
  const element = new Audio();
  element.muted = true;
  element.srcObject = remoteStream;
  await element.play();

  const playoutChunks = await recorderOn(rx.context, rx.node);
  const nativeContext = new AudioContext({ sampleRate: 48000 });
  const nativeChunks = await recorderOn(nativeContext, nativeContext.createMediaStreamSource(remoteStream));
  await nativeContext.resume();

  await sleep(warmupSeconds * 1000);
  const atWarmup = await rx.requestStats();
  const playoutWarmupChunks = playoutChunks.length;
  const nativeWarmupChunks = nativeChunks.length;
  await sleep(seconds * 1000);
  const atEnd = await rx.requestStats();
  const playout = concat(playoutChunks.slice(playoutWarmupChunks));
  const nativeDuring = concat(nativeChunks.slice(nativeWarmupChunks));

  await rx.stop();
  const afterStop = rx.stats();
  const nativeStopChunks = nativeChunks.length;
  // Let the browser's jitter buffer refill before measuring its playout.
  await sleep(afterStopSeconds * 1000);
  const nativeAfter = concat(nativeChunks.slice(nativeStopChunks + 5));

  micTrack.stop();
  sender.close();
  receiverPc.close();
  element.srcObject = null;
  await nativeContext.close();
  await engine.close();
  return {
    support, atWarmup, atEnd, afterStop, contextStateAfterStop: rx.context.state,
    playout: activity(playout, 48000), nativeDuring: activity(nativeDuring, 48000), nativeAfter: activity(nativeAfter, 48000),
  };
}

/**
 * Browser side of test/browser/receive-long-call.test.ts: a `seconds`-long loopback call through
 * engine.processReceiver with seeded impairments (Gilbert–Elliott loss, extra delay and jitter).
 * Only per-20 ms playout energies are kept (a minute of samples is not needed), with the receiver's
 * statistics at the end of the warm-up, every `statsEverySeconds`, and at the end.
 */
export async function receiveLongCall({ seconds, warmupSeconds, statsEverySeconds, testImpairments }) {
  const support = isReceiverProcessingSupported();
  if (!support.supported) return { support };
  const { micTrack, sender, receiverPc, engine, remote } = await startReceiveCall({ testImpairments });
  const { rx } = await remote;

  // Per-20 ms energies of the playout node's output, dBFS (960 samples at 48 kHz); the 100 ms
  // chunks are 5 whole frames, so no frame straddles two chunks.
  const energiesDb = [];
  const playoutChunks = await recorderOn(rx.context, rx.node);
  const frame = 960;
  const drain = () => {
    for (const chunk of playoutChunks.splice(0)) {
      for (let start = 0; start + frame <= chunk.length; start += frame) {
        let sum = 0;
        for (let i = start; i < start + frame; i++) sum += chunk[i] * chunk[i];
        energiesDb.push(10 * Math.log10(sum / frame + 1e-20));
      }
    }
  };
  const drainTimer = setInterval(drain, 500);

  await sleep(warmupSeconds * 1000);
  drain();
  const atWarmup = await rx.requestStats();
  const warmupFrames = energiesDb.length;
  const started = performance.now();
  const statsOverTime = [];
  for (let due = Math.min(statsEverySeconds, seconds); ; due = Math.min(due + statsEverySeconds, seconds)) {
    await sleep(Math.max(0, started + due * 1000 - performance.now()));
    const s = await rx.requestStats();
    statsOverTime.push({
      t: Math.round((performance.now() - started) / 1000), underruns: s.underruns, concealedMs: Math.round(s.concealedMs),
      lateLossRate: s.lateLossRate, currentDelayMs: Math.round(s.currentDelayMs), targetDelayMs: Math.round(s.targetDelayMs), queuedMs: Math.round(s.queuedMs),
    });
    if (due >= seconds) break;
  }
  drain();
  clearInterval(drainTimer);
  const atEnd = await rx.requestStats();
  const during = energiesDb.slice(warmupFrames);
  const sorted = [...during].sort((a, b) => a - b);
  const playout = {
    frames: during.length,
    activeFraction: during.length ? during.filter((db) => db > -60).length / during.length : 0,
    silentFrames: during.filter((db) => db <= -100).length,
    p10Db: sorted.length ? sorted[Math.floor(0.1 * (sorted.length - 1))] : -200,
    p90Db: sorted.length ? sorted[Math.floor(0.9 * (sorted.length - 1))] : -200,
  };

  await rx.stop();
  micTrack.stop();
  sender.close();
  receiverPc.close();
  await engine.close();
  // The chain's settings object and full stats are left out of the figures (worker stats stay).
  const strip = ({ chain, ...rest }) => ({ ...rest, chain: chain && { ...chain, settings: undefined } });
  return { support, atWarmup: strip(atWarmup), atEnd: strip(atEnd), statsOverTime, playout };
}

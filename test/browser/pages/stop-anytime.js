// Browser side of test/browser/stop-anytime.test.ts: every processor (and a whole attached call) is
// stopped at many moments — before its start resolved, right after, mid-stream, twice at once — and
// the engine closed under pending starts. Counts what went wrong instead of throwing.
import { createEngine } from '/dist/src/index.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const unhandled = [];
window.addEventListener('unhandledrejection', (event) => unhandled.push(String(event.reason?.message ?? event.reason)));
window.addEventListener('error', (event) => unhandled.push(String(event.message)));

async function connectedPair(stream) {
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  a.onicecandidate = (e) => { if (e.candidate) b.addIceCandidate(e.candidate); };
  b.onicecandidate = (e) => { if (e.candidate) a.addIceCandidate(e.candidate); };
  for (const track of stream.getTracks()) a.addTrack(track, stream);
  const offer = await a.createOffer();
  await a.setLocalDescription(offer);
  await b.setRemoteDescription(offer);
  const answer = await b.createAnswer();
  await b.setLocalDescription(answer);
  await a.setRemoteDescription(answer);
  return { a, b, close: () => { a.close(); b.close(); } };
}

export async function stopAtAnyMoment({ delaysMs }) {
  const engine = await createEngine();
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 160, height: 120 } });
  const [mic] = stream.getAudioTracks();
  const [cam] = stream.getVideoTracks();
  const outcomes = { audio: 0, video: 0, call: 0, doubleStop: 0, errors: [] };
  const note = (what, error) => outcomes.errors.push(`${what}: ${error?.message ?? error}`);

  for (const delay of delaysMs) {
    // Audio: stop() `delay` ms after the start resolved, and a second stop() racing the first.
    try {
      const p = await engine.processAudioTrack(mic, { echoCancellation: 'balanced', gainControl: true });
      if (delay > 0) await sleep(delay);
      await Promise.all([p.stop(), p.stop()]);
      if (p.track.readyState !== 'ended') note('audio', new Error('processed track still live after stop'));
      outcomes.audio++;
      outcomes.doubleStop++;
    } catch (error) { note(`audio @${delay}`, error); }
    // Video.
    try {
      const v = await engine.processVideoTrack(cam, { exposure: true, denoise: 3 });
      if (delay > 0) await sleep(delay);
      await v.stop();
      await v.stop();
      if (v.track.readyState !== 'ended') note('video', new Error('processed track still live after stop'));
      outcomes.video++;
    } catch (error) { note(`video @${delay}`, error); }
    // A whole call: attach, detach after `delay` (also while renegotiating).
    try {
      const call = await connectedPair(stream);
      const attached = await engine.attachCall(call.a, { receive: true });
      if (delay > 0) await sleep(delay);
      const renegotiating = delay % 2 === 1 ? call.a.createOffer().then((o) => call.a.setLocalDescription(o)).catch(() => undefined) : null;
      await Promise.all([attached.detach(), attached.detach()]);
      await renegotiating;
      const senders = call.a.getSenders().map((s) => s.track);
      if (!senders.includes(mic) || !senders.includes(cam)) note('call', new Error('original tracks not restored'));
      call.close();
      outcomes.call++;
    } catch (error) { note(`call @${delay}`, error); }
  }

  // engine.close() while starts are still pending: each start settles (resolves or rejects cleanly).
  const pending = [engine.processAudioTrack(mic), engine.processVideoTrack(cam), engine.processAudioTrack(mic, { gainControl: true })];
  await engine.close();
  const settled = await Promise.allSettled(pending);
  for (const s of settled) if (s.status === 'fulfilled') await s.value.stop();
  const closeOutcomes = settled.map((s) => (s.status === 'fulfilled' ? 'resolved' : `rejected: ${s.reason?.name}`));
  let afterClose = null;
  try { await engine.processAudioTrack(mic); afterClose = 'resolved'; } catch (error) { afterClose = `${error.name}: ${error.message}`; }

  await sleep(300);
  const live = { mic: mic.readyState, cam: cam.readyState, liveProcessors: engine.liveProcessorCount };
  for (const track of stream.getTracks()) track.stop();
  return { outcomes, closeOutcomes, afterClose, live, unhandled: [...unhandled] };
}

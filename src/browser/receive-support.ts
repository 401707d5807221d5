// Feature detection for the browser receive path (engine.processReceiver): it needs encoded
// transforms in a worker, WebCodecs to decode Opus, shared memory between the worker and the playout
// worklet (so the page must be cross-origin isolated), AudioWorklet and WebAssembly.

export interface ReceiverProcessingSupport {
  supported: boolean;
  /** What is missing, one entry per feature, e.g. 'RTCRtpScriptTransform (WebRTC encoded transform)'. Empty when supported. */
  missing: string[];
}

export function isReceiverProcessingSupported(): ReceiverProcessingSupport {
  const g = globalThis as Record<string, unknown>;
  const missing: string[] = [];
  if (typeof g.RTCRtpScriptTransform !== 'function') missing.push('RTCRtpScriptTransform (WebRTC encoded transform)');
  if (typeof g.AudioDecoder !== 'function') missing.push('AudioDecoder (WebCodecs)');
  if (typeof g.SharedArrayBuffer !== 'function') missing.push('SharedArrayBuffer');
  if (g.crossOriginIsolated !== true) missing.push('crossOriginIsolated (serve the page with COOP: same-origin and COEP: require-corp)');
  if (typeof g.AudioWorkletNode !== 'function') missing.push('AudioWorkletNode (Web Audio)');
  if (typeof g.Worker !== 'function') missing.push('Worker');
  if (typeof g.WebAssembly !== 'object') missing.push('WebAssembly');
  return { supported: missing.length === 0, missing };
}

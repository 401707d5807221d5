// Where the published files sit relative to this module (dist/src/browser/): the Wasm builds in
// dist/build/ (copied by scripts/copy-assets.mjs) and the worklet in dist/worklets/. Each URL is a
// literal `new URL('…', import.meta.url)` so bundlers can find and emit the asset.

export function defaultSimdWasmUrl(): URL {
  return new URL('../../build/sazanami-simd.wasm', import.meta.url);
}

export function defaultScalarWasmUrl(): URL {
  return new URL('../../build/sazanami-scalar.wasm', import.meta.url);
}

export function defaultCaptureWorkletUrl(): URL {
  return new URL('../../worklets/capture.worklet.js', import.meta.url);
}

export function defaultVideoReceiveWorkerUrl(): URL {
  return new URL('../../workers/video-receive.worker.js', import.meta.url);
}

// Runs under `Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'`: loads the library,
// creates the engine and renders noisy tones through the capture worklet offline.
import { createEngine } from '/dist/src/index.js';
import { renderOffline } from './shared.js';

const violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  violations.push(`${event.violatedDirective} blocked ${event.blockedURI || '(inline/eval)'}`);
});

function rms(samples, from, to) {
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / (to - from));
}

async function run() {
  const sampleRate = 48000;
  const engine = await createEngine();
  // 2 s: 0.5 s of noise, then a 440 Hz tone in the same noise (seeded LCG, no Math.random).
  const input = new Float32Array(2 * sampleRate);
  let seed = 12345;
  for (let i = 0; i < input.length; i++) {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    const noise = 0.02 * ((seed / 2 ** 32) * 2 - 1);
    input[i] = noise + (i >= sampleRate / 2 ? 0.3 * Math.sin((2 * Math.PI * 440 * i) / sampleRate) : 0);
  }
  let capture;
  const output = await renderOffline(input, sampleRate, 4800, async (context) => {
    capture = await engine.createCaptureNode(context, { noiseSuppression: 'strong' });
    return capture.node;
  });
  await capture.stop();
  // Violation events are dispatched asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const result = {
    ok: true, flavor: engine.flavor, latencySamples: capture.latencySamples,
    noiseRmsIn: rms(input, 12000, 24000), noiseRmsOut: rms(output, 12000 + capture.latencySamples, 24000 + capture.latencySamples),
    violations: [...violations],
  };
  // Control: the policy is really enforced here (this must be blocked and reported).
  try {
    // eslint-disable-next-line no-new-func
    new Function('return 1')();
    result.evalBlocked = false;
  } catch {
    result.evalBlocked = true;
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  result.violationsAfterProbe = [...violations];
  return result;
}

run().then((result) => { window.cspResult = result; }, (error) => {
  window.cspResult = { ok: false, error: `${error.name}: ${error.message}`, violations: [...violations] };
});

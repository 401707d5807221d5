// One engine (one Wasm compile) for the call, camera and file tabs, created on first use. The A/B
// player has its own, bound to its AudioContext (engine.processAudioTrack builds on that context).
import { createEngine, type Engine } from '../dist/src/index.js';

let engine: Promise<Engine> | null = null;

export function sharedEngine(): Promise<Engine> {
  engine ??= createEngine();
  engine.catch(() => { engine = null; });
  return engine;
}

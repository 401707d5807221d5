// The demo page: wires the controls to the A/B graph, the spectrograms and the stats. It uses
// only sazanami's public browser API (createEngine, processAudioTrack, update, stats, stop).
import { createEngine, type Engine, isSupported, type NoiseSuppressionLevel } from '../dist/src/index.js';
import { AbGraph, type Side } from './ab-graph.js';
import { measureCpuUsPerFrame } from './offline-benchmark.js';
import { decodeFile, type InputSource, MicrophoneInput, prefetchScene, SCENES, ScenePlayer } from './sources.js';
import { Spectrogram } from './spectrogram.js';
import { StatsView } from './stats-view.js';

const STATS_INTERVAL_MS = 250;
/** Lag measurements: one per second while a recording plays, until a few agree within 1 ms. */
const LAG_MEASURE_INTERVAL_MS = 1000;
const LAG_AGREEING_ESTIMATES = 3;
const LAG_MAX_ATTEMPTS = 15;
const LAG_MIN_CORRELATION = 0.3;

const PRESET_HELP: Record<NoiseSuppressionLevel, string> = {
  off: 'No suppression: B is the input through the engine, delayed like the other presets.',
  light: 'Takes noise down by up to 12 dB; the voice stays untouched.',
  balanced: 'Up to 20 dB less noise: the default for calls.',
  strong: 'Up to 28 dB less noise, for loud rooms.',
};

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`missing #${id}`);
  return element as T;
}

const ui = {
  play: byId<HTMLButtonElement>('play'),
  playLabel: byId('play-label'),
  scene: byId<HTMLSelectElement>('scene'),
  mic: byId<HTMLButtonElement>('mic'),
  micLabel: byId('mic-label'),
  micHint: byId('mic-hint'),
  abSwitch: byId<HTMLButtonElement>('ab-switch'),
  presets: byId('presets'),
  presetHelp: byId('preset-help'),
  status: byId('status'),
  error: byId('error'),
  unsupported: byId('unsupported'),
  badges: byId('badges'),
  badgeFlavor: byId('badge-flavor'),
  badgeRate: byId('badge-rate'),
  spectrumA: byId('spectrum-a'),
  spectrumB: byId('spectrum-b'),
};

const spectrogramA = new Spectrogram(byId<HTMLCanvasElement>('canvas-a'), ui.spectrumA.querySelector<HTMLElement>('.axis'));
const spectrogramB = new Spectrogram(byId<HTMLCanvasElement>('canvas-b'), ui.spectrumB.querySelector<HTMLElement>('.axis'));
const statsView = new StatsView();

interface Session {
  context: AudioContext;
  engine: Engine;
  graph: AbGraph;
}

let session: Session | null = null;
let starting: Promise<Session> | null = null;
let source: InputSource | null = null;
let sourceChange: Promise<void> = Promise.resolve();
let side: Side = 'a';
let preset: NoiseSuppressionLevel = 'balanced';
let busy = false;
/** CPU cost per preset, benchmarked offline on this device (see offline-benchmark.ts). */
const offlineCpuUs = new Map<NoiseSuppressionLevel, number>();
let measuring: Promise<void> | null = null;

function showError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  ui.error.textContent = `Something went wrong: ${message}`;
  ui.error.hidden = false;
  console.error(error);
}

function selectedScene() {
  return SCENES.find((scene) => scene.id === ui.scene.value) ?? SCENES[0];
}

/** Creates the AudioContext (inside a click: it may start), the engine and the A/B graph once. */
function ensureSession(): Promise<Session> {
  if (starting !== null) return starting;
  starting = (async () => {
    const context = new AudioContext({ latencyHint: 'interactive' });
    ui.status.textContent = 'Loading the engine…';
    // The library finds its self-contained worklet and Wasm itself, in dev and in a Vite build.
    const engine = await createEngine({ context });
    const graph = await AbGraph.create(engine, context, preset);
    graph.listen(side);
    ui.badgeFlavor.textContent = engine.flavor === 'simd' ? 'Wasm SIMD' : 'Wasm (scalar)';
    ui.badgeRate.textContent = `${(context.sampleRate / 1000).toFixed(context.sampleRate % 1000 === 0 ? 0 : 1)} kHz`;
    ui.badges.hidden = false;
    document.body.dataset.started = 'true';
    context.addEventListener('statechange', renderTransport);
    session = { context, engine, graph };
    return session;
  })();
  starting.catch(() => { starting = null; });
  return starting;
}

/** Replaces whatever feeds the graph (one change at a time). */
function switchSource(next: (current: Session) => Promise<InputSource>): Promise<void> {
  sourceChange = sourceChange.then(async () => {
    const current = await ensureSession();
    source?.stop();
    source = null;
    source = await next(current);
    if (current.context.state !== 'running') await current.context.resume();
  }).catch(showError).finally(renderTransport);
  return sourceChange;
}

function playScene(): Promise<void> {
  return switchSource((current) => ScenePlayer.start(current.context, current.graph.input, selectedScene()));
}

async function onPlay(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    if (source === null) {
      await playScene();
    } else if (session !== null) {
      if (session.context.state === 'running') await session.context.suspend();
      else await session.context.resume();
    }
  } catch (error) {
    showError(error);
  } finally {
    busy = false;
    renderTransport();
  }
}

async function onMic(): Promise<void> {
  if (source?.kind === 'microphone') {
    await playScene();
    return;
  }
  ui.micLabel.textContent = 'Asking for the microphone…';
  await switchSource((current) => MicrophoneInput.start(current.context, current.graph.input));
}

function renderTransport(): void {
  const running = session?.context.state === 'running' && source !== null;
  const mic = source?.kind === 'microphone';
  ui.play.dataset.state = running ? 'playing' : 'paused';
  ui.playLabel.textContent = running ? 'Pause' : source === null ? (starting === null ? 'Play sample' : 'Starting…') : 'Resume';
  ui.mic.dataset.state = mic ? 'on' : 'off';
  ui.micLabel.textContent = mic ? 'Back to the sample' : 'Use my microphone';
  ui.micHint.hidden = !mic;
  document.body.dataset.running = String(running);
}

function listen(next: Side): void {
  side = next;
  session?.graph.listen(side);
  ui.abSwitch.setAttribute('aria-checked', String(side === 'b'));
  ui.abSwitch.dataset.listening = side;
  ui.spectrumA.classList.toggle('listening', side === 'a');
  ui.spectrumB.classList.toggle('listening', side === 'b');
}

function setPreset(next: NoiseSuppressionLevel): void {
  preset = next;
  statsView.resetCpu();
  ui.presetHelp.textContent = PRESET_HELP[next];
  const processor = session?.graph.processor;
  if (processor !== undefined && !processor.stopped) {
    try {
      processor.update({ noiseSuppression: next });
    } catch (error) {
      showError(error);
    }
  }
}

/** Benchmarks the current preset's CPU cost offline once (a fraction of a second, off the main thread). */
function measureOfflineIfNeeded(): void {
  const current = session;
  if (current === null || measuring !== null || offlineCpuUs.has(preset)) return;
  const level = preset;
  measuring = (async () => {
    const input = await decodeFile(current.context, SCENES[0].recording!);
    offlineCpuUs.set(level, await measureCpuUsPerFrame(current.engine, input, level));
  })().catch((error: unknown) => console.warn('offline CPU measurement failed', error)).finally(() => { measuring = null; });
}

const lagEstimatesMs: number[] = [];
let lagAttempts = 0;

/**
 * Measures B's real lag behind A (recordings only: the microphone may be silent or periodic)
 * and locks A's delay to it once a few measurements agree.
 */
function measureLag(): void {
  const graph = session?.graph;
  if (graph === undefined || graph.measuredLagMs !== null || lagAttempts >= LAG_MAX_ATTEMPTS) return;
  if (source?.kind !== 'scene' || session?.context.state !== 'running') return;
  lagAttempts++;
  const estimate = graph.measureLagMs();
  if (estimate === null || estimate.correlation < LAG_MIN_CORRELATION) return;
  lagEstimatesMs.push(estimate.lagMs);
  const recent = lagEstimatesMs.slice(-LAG_AGREEING_ESTIMATES);
  if (recent.length === LAG_AGREEING_ESTIMATES && Math.max(...recent) - Math.min(...recent) < 1) {
    graph.lockMeasuredLag([...recent].sort((x, y) => x - y)[1]);
  }
}

function isTextEntry(target: EventTarget | null): boolean {
  return target instanceof HTMLSelectElement || (target instanceof HTMLInputElement && target.type !== 'radio')
    || target instanceof HTMLTextAreaElement || (target instanceof HTMLElement && target.isContentEditable);
}

function onKey(event: KeyboardEvent): void {
  if (event.ctrlKey || event.metaKey || event.altKey || isTextEntry(event.target)) return;
  const key = event.key.toLowerCase();
  if (key === ' ' || key === 'a' || key === 'b') {
    // Space on a focused button would also click it; the A/B toggle owns the space bar here.
    event.preventDefault();
    if (event.type !== 'keydown' || event.repeat) return;
    listen(key === ' ' ? (side === 'a' ? 'b' : 'a') : key);
  }
}

function renderStats(): void {
  const processor = session?.graph.processor;
  const stats = processor?.stats() ?? null;
  if (session === null || stats === null) return;
  measureOfflineIfNeeded();
  statsView.show(stats, offlineCpuUs.get(preset) ?? null);
  session.graph.setReportedLatency(stats.latencyMs);
  if (stats.bypassed || stats.error !== null) {
    ui.status.textContent = `The engine stopped processing (${stats.error ?? 'bypassed'}); B now carries the original.`;
  } else if (session.context.state === 'running') {
    const what = source?.kind === 'microphone' ? 'your microphone' : 'the sample';
    const graph = session.graph;
    const buffering = graph.measuredLagMs === null ? 'measuring the browser’s MediaStream buffering…'
      : `${graph.reportedLatencyMs.toFixed(1)} ms processing + ${(graph.measuredLagMs - graph.reportedLatencyMs).toFixed(1)} ms MediaStream buffering`;
    ui.status.textContent = `Processing ${what} live · A is delayed ${graph.alignmentMs.toFixed(1)} ms to stay in step with B (${buffering}).`;
  } else {
    ui.status.textContent = 'Paused.';
  }
}

let lastFrameMs = 0;
function animate(nowMs: number): void {
  const elapsed = lastFrameMs === 0 ? 0 : Math.min(0.25, (nowMs - lastFrameMs) / 1000);
  lastFrameMs = nowMs;
  if (session !== null && session.context.state === 'running') {
    spectrogramA.draw(session.graph.analyserA, elapsed);
    spectrogramB.draw(session.graph.analyserB, elapsed);
  }
  requestAnimationFrame(animate);
}

/** Read-only view of the demo for the browser test (and the curious, in the console). */
function snapshot() {
  const graph = session?.graph;
  return {
    listening: side,
    preset,
    source: source?.kind ?? null,
    contextState: session?.context.state ?? null,
    gainA: graph?.gainA.gain.value ?? null,
    gainB: graph?.gainB.gain.value ?? null,
    alignmentMs: graph?.alignmentMs ?? null,
    measuredLagMs: graph?.measuredLagMs ?? null,
    flavor: session?.engine.flavor ?? null,
    stats: graph?.processor.stats() ?? null,
    offlineCpuUsPerFrame: offlineCpuUs.get(preset) ?? null,
    liveCpuUsPerFrame: statsView.liveCpuUsPerFrame,
    /** The CPU figure on screen: the offline benchmark, else the mean of recent live readings. */
    shownCpuUsPerFrame: offlineCpuUs.get(preset) ?? statsView.liveCpuUsPerFrame,
  };
}

function init(): void {
  for (const scene of SCENES) ui.scene.append(new Option(scene.label, scene.id));
  ui.presetHelp.textContent = PRESET_HELP[preset];
  listen('a');
  renderTransport();
  (globalThis as unknown as { sazanamiDemo: unknown }).sazanamiDemo = { snapshot };

  if (!isSupported()) {
    ui.unsupported.hidden = false;
    for (const control of [ui.play, ui.mic, ui.scene, ui.abSwitch]) control.disabled = true;
    return;
  }
  prefetchScene(selectedScene());

  ui.play.addEventListener('click', () => { void onPlay(); });
  ui.mic.addEventListener('click', () => { void onMic(); });
  ui.scene.addEventListener('change', () => {
    prefetchScene(selectedScene());
    if (source !== null) void playScene();
  });
  ui.abSwitch.addEventListener('click', () => listen(side === 'a' ? 'b' : 'a'));
  ui.presets.addEventListener('change', (event) => {
    const input = event.target as HTMLInputElement;
    if (input.name === 'preset') setPreset(input.value as NoiseSuppressionLevel);
  });
  document.addEventListener('keydown', onKey);
  document.addEventListener('keyup', onKey);
  const resizer = new ResizeObserver(() => { spectrogramA.resize(); spectrogramB.resize(); });
  resizer.observe(ui.spectrumA);
  resizer.observe(ui.spectrumB);
  setInterval(renderStats, STATS_INTERVAL_MS);
  setInterval(measureLag, LAG_MEASURE_INTERVAL_MS);
  requestAnimationFrame(animate);
  addEventListener('pagehide', () => {
    source?.stop();
    void session?.graph.stop().then(() => session?.context.close());
  });
}

init();

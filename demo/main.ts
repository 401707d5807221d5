// The demo page. Tab (a), here: the A/B audio player (noise and echo scenes, or the microphone),
// wired to the A/B graph, the spectrograms and the stats; the other tabs live in their own modules
// (call-section.ts, camera-section.ts, file-section.ts). It uses only sazanami's public browser API.
import { createEngine, type Engine, isSupported, type NoiseSuppressionLevel } from '../dist/src/index.js';
import { AbGraph, type Side } from './ab-graph.js';
import { CallSection } from './call-section.js';
import { CameraSection } from './camera-section.js';
import { EchoMeter } from './echo-meter.js';
import { FileSection } from './file-section.js';
import { measureCpuUsPerFrame } from './offline-benchmark.js';
import { decodeFile, hasEcho, type InputSource, MicrophoneInput, prefetchScene, SCENES, ScenePlayer } from './sources.js';
import { SpeakerEchoTest } from './speaker-echo-test.js';
import { Spectrogram } from './spectrogram.js';
import { StatsView } from './stats-view.js';
import { Tabs } from './tabs.js';

const STATS_INTERVAL_MS = 250;
/** Lag measurements: one per second while a recording plays, until a few agree within 1 ms. */
const LAG_MEASURE_INTERVAL_MS = 1000;
const LAG_AGREEING_ESTIMATES = 3;
const LAG_MAX_ATTEMPTS = 15;
const LAG_MIN_CORRELATION = 0.3;
/** Echo meter readings keep this far from the edges of the far end's turn, s. */
const ECHO_TURN_MARGIN_SECONDS = 0.5;

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
  echoMeter: EchoMeter;
}

let session: Session | null = null;
let starting: Promise<Session> | null = null;
let source: InputSource | null = null;
let sourceChange: Promise<void> = Promise.resolve();
let side: Side = 'a';
let preset: NoiseSuppressionLevel = 'balanced';
let busy = false;
/** CPU cost per preset, benchmarked offline on this device (see offline-benchmark.ts). */
const offlineCpuUs = new Map<string, number>();
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
    const graph = await AbGraph.create(engine, context, preset, hasEcho(selectedScene()) ? 'balanced' : 'off');
    graph.listen(side);
    ui.badgeFlavor.textContent = engine.flavor === 'simd' ? 'Wasm SIMD' : 'Wasm (scalar)';
    ui.badgeRate.textContent = `${(context.sampleRate / 1000).toFixed(context.sampleRate % 1000 === 0 ? 0 : 1)} kHz`;
    ui.badges.hidden = false;
    document.body.dataset.started = 'true';
    context.addEventListener('statechange', renderTransport);
    session = { context, engine, graph, echoMeter: new EchoMeter(graph.analyserA, graph.analyserB) };
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

/** Echo cancellation on for echo scenes only (switching it on later rebuilds the chain, same delay). */
function setEchoCancellation(current: Session, on: boolean): void {
  const processor = current.graph.processor;
  if (processor.stopped) return;
  processor.update({ echoCancellation: on ? 'balanced' : 'off' });
  current.echoMeter.reset();
  statsView.resetCpu();
}

function playScene(): Promise<void> {
  return switchSource(async (current) => {
    const scene = selectedScene();
    setEchoCancellation(current, hasEcho(scene));
    return ScenePlayer.start(current.context, current.graph.input, scene, current.graph.farEnd);
  });
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
  await switchSource((current) => {
    setEchoCancellation(current, false);
    return MicrophoneInput.start(current.context, current.graph.input);
  });
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

/** True while the processor runs its echo canceller (echo scenes). */
function echoOn(): boolean {
  const options = session?.graph.processor.stats()?.options;
  return options !== undefined && options.echoCancellation !== 'off' && options.echoCancellation !== false;
}

/** The offline CPU figure depends on the preset and on whether the echo canceller runs. */
function cpuKey(): string {
  return `${preset}${echoOn() ? '+echo' : ''}`;
}

/** Benchmarks the current preset's CPU cost offline once (a fraction of a second, off the main thread). */
function measureOfflineIfNeeded(): void {
  const current = session;
  if (current === null || measuring !== null || offlineCpuUs.has(cpuKey())) return;
  const level = preset, echo = echoOn(), key = cpuKey();
  measuring = (async () => {
    const input = await decodeFile(current.context, SCENES[0].recording!);
    offlineCpuUs.set(key, await measureCpuUsPerFrame(current.engine, input, level, echo));
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
  if (tabs?.selected === 'file') { fileSection?.onKey(event); return; }
  if (tabs !== null && tabs.selected !== 'audio') return;
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
  if (source instanceof ScenePlayer && session.context.state === 'running') {
    const lagSeconds = (session.graph.measuredLagMs ?? session.graph.alignmentMs) / 1000;
    if (source.farEndAlone(ECHO_TURN_MARGIN_SECONDS, lagSeconds)) session.echoMeter.sample();
  }
  statsView.show(stats, offlineCpuUs.get(cpuKey()) ?? null, session.echoMeter.levels?.reductionDb ?? null);
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
    offlineCpuUsPerFrame: offlineCpuUs.get(cpuKey()) ?? null,
    liveCpuUsPerFrame: statsView.liveCpuUsPerFrame,
    /** The CPU figure on screen: the offline benchmark, else the mean of recent live readings. */
    shownCpuUsPerFrame: offlineCpuUs.get(cpuKey()) ?? statsView.liveCpuUsPerFrame,
    scene: ui.scene.value,
    /** Echo scenes: A and B levels while the far end talks alone (what the listener hears removed). */
    echoLevels: session?.echoMeter.levels ?? null,
    echoReadings: session?.echoMeter.readings ?? 0,
    shownEchoDb: document.getElementById('stat-erle')?.textContent ?? null,
  };
}

/** Pauses the player when its tab is left (other tabs play audio of their own). */
function pauseAudio(): void {
  if (session !== null && session.context.state === 'running') void session.context.suspend().then(renderTransport);
}

let tabs: Tabs | null = null;
let fileSection: FileSection | null = null;

function init(): void {
  for (const scene of SCENES) ui.scene.append(new Option(scene.label, scene.id));
  ui.presetHelp.textContent = PRESET_HELP[preset];
  listen('a');
  renderTransport();

  if (!isSupported()) {
    (globalThis as unknown as { sazanamiDemo: unknown }).sazanamiDemo = { snapshot };
    ui.unsupported.hidden = false;
    for (const control of [ui.play, ui.mic, ui.scene, ui.abSwitch]) control.disabled = true;
    return;
  }
  const echoTest = new SpeakerEchoTest(showError, () => {
    // Nothing else may play during the test: it would be heard by the microphone too.
    source?.stop();
    source = null;
    pauseAudio();
  }, () => preset);
  const callSection = new CallSection(showError);
  const cameraSection = new CameraSection(showError);
  fileSection = new FileSection(showError);
  const file = fileSection;
  tabs = new Tabs(byId('tabs'), {
    audio: { hide: () => { pauseAudio(); echoTest.pause(); } },
    call: { hide: () => { void callSection.stop(); } },
    camera: { hide: () => { void cameraSection.stop(); } },
    file: { hide: () => file.pause() },
  });
  (globalThis as unknown as { sazanamiDemo: unknown }).sazanamiDemo = {
    snapshot, echoTest: () => echoTest.snapshot(), call: () => callSection.snapshot(), camera: () => cameraSection.snapshot(), file: () => file.snapshot(),
  };
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
    void callSection.stop();
    void cameraSection.stop();
    source?.stop();
    void session?.graph.stop().then(() => session?.context.close());
  });
}

init();

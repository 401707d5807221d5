// Benchmark harness: runs benchmark.js cases synchronously, turns ops/s into time per reported unit
// (a 10 ms frame, or one call), and prints aligned tables with the real-time factor and the speed
// against a named baseline. Results also go to bench/results/<bench>.json and a merged latest.json.
// Nothing here fails a build: a case that throws becomes a row with an error, never an exit code.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type BenchmarkJs from 'benchmark';
import type { Target } from 'benchmark';
import { nativeRequire } from './native-require.js';

// Not `import Benchmark from 'benchmark'`: see bench/native-require.ts for why.
const Benchmark = nativeRequire('benchmark', import.meta.url) as typeof BenchmarkJs;

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

/** Sampling budget per case. BENCH_MAX_TIME (seconds) trades run time for tighter error bars. */
export interface SamplingOptions {
  /** Seconds each sample runs at least; longer samples smooth timer and GC noise. */
  minTimeSec: number;
  /** Seconds a case keeps sampling once `minSamples` are taken. */
  maxTimeSec: number;
  minSamples: number;
}

export function samplingOptions(): SamplingOptions {
  const fromEnv = Number(process.env.BENCH_MAX_TIME);
  const maxTimeSec = Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 2;
  return { minTimeSec: Math.min(0.1, maxTimeSec / 5), maxTimeSec, minSamples: 8 };
}

/** One benchmark.js case. `fn` runs one call; `unitsPerCall` says how many reported units a call covers. */
export interface BenchCase {
  name: string;
  fn: () => void;
  /** Reported units (e.g. 10 ms frames) one call processes; default 1. */
  unitsPerCall?: number;
  note?: string;
}

export interface TableSpec {
  /** Table id, used in JSON (e.g. `ns`, `fft-512`). */
  name: string;
  title: string;
  /** What one reported unit is, for the time column header (e.g. `10 ms frame`, `call`). */
  unit: string;
  /** Seconds of audio one unit stands for; null when a unit has no duration (the RTF column is then empty). */
  audioSecondsPerUnit: number | null;
  /** Name of the case the speed column compares against. */
  baseline: string;
  /** Short name of the baseline for the column header; default `baseline`. */
  baselineLabel?: string;
  cases: BenchCase[];
  notes?: string[];
}

export interface ResultRow {
  case: string;
  /** Mean µs per reported unit. */
  microsecondsPerUnit: number | null;
  /** Relative margin of error at 95 % confidence (benchmark.js `rme`), or the run spread for timed runs. */
  rmePercent: number | null;
  samples: number;
  /** Audio seconds processed per second of processing (higher is faster); null without audio. */
  realTimeFactor: number | null;
  /** Baseline time / this time: above 1 means faster than the baseline. */
  speedVsBaseline: number | null;
  note?: string;
  error?: string;
}

export interface TableResult {
  name: string;
  title: string;
  unit: string;
  /** How the time column is shown; JSON always holds µs. */
  display: 'us' | 's';
  baseline: string;
  baselineLabel: string;
  rows: ResultRow[];
  notes: string[];
}

export interface BenchDefinition {
  /** File stem and filter key: `ns` for bench/ns.bench.ts. */
  name: string;
  description: string;
  run(): Promise<TableResult[]>;
}

/** Runs every case of a table through benchmark.js and returns the table (printing progress to stderr). */
export function runTable(spec: TableSpec, sampling: SamplingOptions = samplingOptions()): TableResult {
  const rows = new Map<string, ResultRow>();
  const suite = new Benchmark.Suite(spec.name);
  for (const c of spec.cases) {
    // A case that throws on its first call is reported, not sampled (benchmark.js would retry it).
    try {
      c.fn();
    } catch (error) {
      rows.set(c.name, errorRow(c.name, error, c.note));
      continue;
    }
    suite.add(c.name, c.fn, { minTime: sampling.minTimeSec, maxTime: sampling.maxTimeSec, minSamples: sampling.minSamples });
  }
  suite.on('cycle', (event) => {
    const t = event.target;
    const c = spec.cases.find((x) => x.name === t.name);
    const row = targetRow(t, c?.unitsPerCall ?? 1, spec.audioSecondsPerUnit, c?.note);
    rows.set(t.name, row);
    const shown = row.error ?? `${formatNumber(row.microsecondsPerUnit)} µs/${spec.unit} ±${formatNumber(row.rmePercent)} %`;
    process.stderr.write(`  [${spec.name}] ${t.name}: ${shown}\n`);
  });
  suite.run({ async: false });
  const ordered = spec.cases.map((c) => rows.get(c.name) ?? errorRow(c.name, 'not run', c.note));
  return finishTable({ ...spec, display: 'us' }, ordered);
}

function targetRow(t: Target, unitsPerCall: number, audioSecondsPerUnit: number | null, note?: string): ResultRow {
  if (t.error !== undefined || t.aborted || !(t.stats.mean > 0)) {
    return errorRow(t.name, t.error ?? 'aborted', note);
  }
  const microsecondsPerUnit = (t.stats.mean * 1e6) / unitsPerCall;
  return {
    case: t.name,
    microsecondsPerUnit,
    rmePercent: t.stats.rme,
    samples: t.stats.sample.length,
    realTimeFactor: audioSecondsPerUnit === null ? null : (audioSecondsPerUnit * 1e6) / microsecondsPerUnit,
    speedVsBaseline: null,
    note,
  };
}

export function errorRow(name: string, error: unknown, note?: string): ResultRow {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { case: name, microsecondsPerUnit: null, rmePercent: null, samples: 0, realTimeFactor: null, speedVsBaseline: null, note, error: message };
}

/** Fills in the speed-vs-baseline column and normalises a table built from rows (also used for timed runs). */
export function finishTable(spec: Omit<TableSpec, 'cases'> & { display?: 'us' | 's' }, rows: ResultRow[]): TableResult {
  const baselineRow = rows.find((r) => r.case === spec.baseline);
  const baselineUs = baselineRow?.microsecondsPerUnit ?? null;
  const notes = [...(spec.notes ?? [])];
  if (baselineUs === null) notes.push(`baseline '${spec.baseline}' has no result, so there is no speed column`);
  return {
    name: spec.name,
    title: spec.title,
    unit: spec.unit,
    display: spec.display ?? 'us',
    baseline: spec.baseline,
    baselineLabel: spec.baselineLabel ?? spec.baseline,
    rows: rows.map((r) => ({
      ...r,
      speedVsBaseline: baselineUs !== null && r.microsecondsPerUnit !== null ? baselineUs / r.microsecondsPerUnit : null,
    })),
    notes,
  };
}

function formatNumber(value: number | null, digits?: number): string {
  if (value === null || !Number.isFinite(value)) return '—';
  const d = digits ?? (Math.abs(value) >= 1000 ? 0 : Math.abs(value) >= 100 ? 1 : Math.abs(value) >= 10 ? 2 : 3);
  return value.toFixed(d);
}

/** The table as aligned text: case, time per unit, ±RME, real-time factor, speed vs the baseline. */
export function formatTable(table: TableResult): string {
  const inSeconds = table.display === 's';
  const header = [
    'case',
    inSeconds ? `s/${table.unit}` : `µs/${table.unit}`,
    '±RME %',
    'real-time ×',
    `speed vs ${table.baselineLabel}`,
  ];
  const body = table.rows.map((r) => {
    if (r.error !== undefined) return [r.case, `error: ${r.error}`, '', '', ''];
    const time = r.microsecondsPerUnit === null ? null : inSeconds ? r.microsecondsPerUnit / 1e6 : r.microsecondsPerUnit;
    const speed = r.case === table.baseline ? '1.00× (baseline)' : r.speedVsBaseline === null ? '—' : `${r.speedVsBaseline.toFixed(2)}×`;
    return [r.case, formatNumber(time, inSeconds ? 3 : undefined), formatNumber(r.rmePercent, 1), formatNumber(r.realTimeFactor, 1), speed];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.filter((b) => !b[1].startsWith('error')).map((b) => b[i].length)));
  const line = (cells: string[]): string => {
    if (cells[1].startsWith('error')) return `${cells[0].padEnd(widths[0])}  ${cells[1]}`;
    return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  };
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [`${table.title}`, line(header), rule, ...body.map(line)];
  const noted = table.rows.filter((r) => r.note);
  for (const r of noted) out.push(`  · ${r.case}: ${r.note}`);
  for (const n of table.notes) out.push(`  · ${n}`);
  return out.join('\n');
}

/** What was measured on: stored with every JSON result. */
export function environment(): Record<string, unknown> {
  const cpu = cpus();
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    commit = null;
  }
  const builds: Record<string, string | null> = {};
  for (const flavor of ['simd', 'scalar']) {
    const path = `${REPO_ROOT}build/sazanami-${flavor}.wasm`;
    builds[flavor] = existsSync(path) ? statSync(path).mtime.toISOString() : null;
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    loadAverage1m: loadavg()[0],
    gitCommit: commit,
    wasmBuildTimes: builds,
    benchmarkJs: Benchmark.version,
    sampling: samplingOptions(),
  };
}

/** Prints the tables (stdout) and writes bench/results/<bench>.json; merges them into latest.json. */
export function reportBench(bench: BenchDefinition, tables: TableResult[], env = environment()): void {
  for (const table of tables) process.stdout.write(`\n${formatTable(table)}\n`);
  try {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const record = { bench: bench.name, description: bench.description, environment: env, tables };
    writeFileSync(`${RESULTS_DIR}${bench.name}.json`, `${JSON.stringify(record, null, 2)}\n`);
    const latestPath = `${RESULTS_DIR}latest.json`;
    let latest: { benches?: Record<string, unknown> } = {};
    try {
      latest = JSON.parse(readFileSync(latestPath, 'utf8')) as typeof latest;
    } catch {
      latest = {};
    }
    const benches = { ...(latest.benches ?? {}), [bench.name]: record };
    writeFileSync(latestPath, `${JSON.stringify({ updated: env.date, benches }, null, 2)}\n`);
  } catch (error) {
    process.stderr.write(`bench: could not write results: ${(error as Error).message}\n`);
  }
}

/** Runs one bench and reports it; never throws (a failing bench is printed and skipped). */
export async function runAndReport(bench: BenchDefinition): Promise<boolean> {
  process.stderr.write(`\n== ${bench.name}: ${bench.description}\n`);
  const started = performance.now();
  try {
    const tables = await bench.run();
    reportBench(bench, tables);
    process.stderr.write(`== ${bench.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    return true;
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stdout.write(`\n${bench.name}: could not run: ${message.split('\n')[0]}\n`);
    process.stderr.write(`${message}\n`);
    return false;
  }
}

/**
 * Runs `bench` when its file is the script node was started with (directly or from bench/run.ts).
 * Exits 1 only when the bench could not run at all; slow results never change the exit code.
 */
export async function runIfMain(bench: BenchDefinition, moduleUrl: string): Promise<void> {
  if (!isMain(moduleUrl)) return;
  process.exitCode = (await runAndReport(bench)) ? 0 : 1;
}

/** True when `moduleUrl` is the script node was started with (a bench file run on its own). */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// The offline path on a 60 s recording: processOffline in-process (median of 3 runs) and the real
// CLI end to end (`tsx src/cli/main.ts process in.wav -o out.wav`, wall time including start-up,
// WAV decoding and writing). Inputs are 60 s of noisy speech at 48 kHz and at 44.1 kHz, written to
// temporary 16-bit WAV files that are removed afterwards.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEngineCore, processOffline, type EngineCore } from '../src/core/offline.js';
import { writeWav } from '../src/core/wav.js';
import { type BenchDefinition, errorRow, finishTable, median, REPO_ROOT, type ResultRow, runIfMain } from './harness.js';
import { noisySpeech, resampleSignal, type BenchSignal } from './signals.js';

const DURATION_SEC = 60;
const OFFLINE_RUNS = 3;
const CLI_RUNS = 2;
const BASELINE = 'processOffline 48 kHz';
const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

function timedRow(name: string, runsSec: number[], audioSec: number, extra?: string): ResultRow {
  const seconds = median(runsSec);
  const runs = `runs ${runsSec.map((s) => s.toFixed(2)).join(', ')} s (median)`;
  return {
    case: name,
    microsecondsPerUnit: seconds * 1e6,
    rmePercent: null,
    samples: runsSec.length,
    realTimeFactor: audioSec / seconds,
    speedVsBaseline: null,
    note: extra ? `${runs}; ${extra}` : runs,
  };
}

function offlineRow(name: string, core: EngineCore, signal: BenchSignal): ResultRow {
  try {
    const runs: number[] = [];
    for (let i = 0; i < OFFLINE_RUNS; i++) {
      const started = performance.now();
      processOffline(core, [signal.samples], signal.sampleRateHz);
      runs.push((performance.now() - started) / 1000);
    }
    return timedRow(name, runs, DURATION_SEC);
  } catch (error) {
    return errorRow(name, error);
  }
}

function cliRow(name: string, directory: string, inputPath: string): ResultRow {
  const outputPath = join(directory, 'out.wav');
  const statsPath = join(directory, 'stats.json');
  const runs: number[] = [];
  const inside: number[] = [];
  for (let i = 0; i < CLI_RUNS; i++) {
    const started = performance.now();
    const result = spawnSync(TSX, ['src/cli/main.ts', 'process', inputPath, '-o', outputPath, '--json', statsPath],
      { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const elapsed = (performance.now() - started) / 1000;
    if (result.error !== undefined) return errorRow(name, result.error);
    if (result.status !== 0) return errorRow(name, `exit ${result.status}: ${result.stderr.trim().split('\n').pop() ?? ''}`);
    runs.push(elapsed);
    try {
      const report = JSON.parse(readFileSync(statsPath, 'utf8')) as { stats?: { processingMs?: number } };
      if (typeof report.stats?.processingMs === 'number') inside.push(report.stats.processingMs / 1000);
    } catch {
      // The stats file is only used for the note; its absence does not invalidate the wall time.
    }
  }
  const processing = inside.length > 0 ? `processOffline inside the CLI ${median(inside).toFixed(2)} s, the rest is start-up and WAV I/O` : undefined;
  return timedRow(name, runs, DURATION_SEC, processing);
}

export const bench: BenchDefinition = {
  name: 'cli',
  description: `offline path on a ${DURATION_SEC} s file: processOffline in-process and the CLI end to end`,
  async run() {
    const core = await loadEngineCore();
    const scalarCore = await loadEngineCore({}, 'scalar');
    const signal48k = noisySpeech(DURATION_SEC);
    const signal44k = resampleSignal(core.wasm, signal48k, 44_100);
    const directory = mkdtempSync(join(tmpdir(), 'sazanami-bench-'));
    try {
      const in48k = join(directory, 'in-48k.wav');
      const in44k = join(directory, 'in-44k1.wav');
      writeFileSync(in48k, writeWav([signal48k.samples], 48_000, 'pcm16'));
      writeFileSync(in44k, writeWav([signal44k.samples], 44_100, 'pcm16'));
      const rows: ResultRow[] = [];
      for (const [name, run] of [
        [BASELINE, () => offlineRow(BASELINE, core, signal48k)],
        ['processOffline 44.1 kHz', () => offlineRow('processOffline 44.1 kHz', core, signal44k)],
        ['processOffline 48 kHz, scalar build', () => offlineRow('processOffline 48 kHz, scalar build', scalarCore, signal48k)],
        ['CLI end to end 48 kHz', () => cliRow('CLI end to end 48 kHz', directory, in48k)],
        ['CLI end to end 44.1 kHz', () => cliRow('CLI end to end 44.1 kHz', directory, in44k)],
      ] as const) {
        const row = run();
        rows.push(row);
        process.stderr.write(`  [cli] ${name}: ${row.error ?? `${(row.microsecondsPerUnit! / 1e6).toFixed(2)} s`}\n`);
      }
      return [finishTable({
        name: 'cli',
        title: `Offline processing of a ${DURATION_SEC} s mono file, ns balanced (${core.simd ? 'SIMD' : 'scalar'} build unless named; baseline: processOffline 48 kHz)`,
        unit: 'run',
        display: 's',
        audioSecondsPerUnit: DURATION_SEC,
        baseline: BASELINE,
        baselineLabel: 'in-process 48 kHz',
        notes: [
          `input: ${signal48k.source}; 16-bit WAV files for the CLI`,
          `processOffline: in-process on the decoded samples, ${OFFLINE_RUNS} runs; CLI: \`tsx src/cli/main.ts process in.wav -o out.wav --json stats.json\`, wall time, ${CLI_RUNS} runs`,
          'real-time × = audio seconds / processing seconds; speed = baseline time / case time',
        ],
      }, rows)];
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  },
};

await runIfMain(bench, import.meta.url);

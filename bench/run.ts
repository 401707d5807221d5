// `npm run bench [-- <filter>...]`: runs the benchmarks in sequence (all, or those whose name
// contains a filter), each in its own Node process so one bench's JIT, GC and V8 state cannot
// colour the next, and a crash stays contained. Each prints its tables and writes
// bench/results/<name>.json and latest.json. A slow or failing benchmark never makes this exit
// non-zero; only a filter that matches nothing does (exit 2).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { environment, samplingOptions } from './harness.js';

/** In run order: kernels first, the long end-to-end run last. */
const BENCHES = ['ns', 'fft', 'resampler', 'aec', 'video', 'receive', 'cli', 'browser'] as const;

const filters = process.argv.slice(2).filter((arg) => arg.trim() !== '');
const selected = filters.length === 0 ? [...BENCHES] : BENCHES.filter((name) => filters.some((f) => name.includes(f)));
if (selected.length === 0) {
  process.stderr.write(`bench: no benchmark matches ${filters.map((f) => `'${f}'`).join(', ')}; accepted: ${BENCHES.join(', ')}\n`);
  process.exitCode = 2;
} else {
  const env = environment();
  const sampling = samplingOptions();
  process.stdout.write(`sazanami benchmarks — ${env.date}, node ${env.node}, ${env.cpu} × ${env.cores}, commit ${env.gitCommit ?? 'unknown'}\n`);
  process.stdout.write(`benchmark.js ${env.benchmarkJs}: ≥ ${sampling.minSamples} samples of ≥ ${sampling.minTimeSec} s, `
    + `up to ${sampling.maxTimeSec} s per case (BENCH_MAX_TIME)\n`);
  const load = env.loadAverage1m as number;
  if (load > 0.75 * (env.cores as number)) {
    process.stdout.write(`note: 1-minute load average ${load.toFixed(1)} on ${env.cores} cores before starting: other processes may compete, expect noisy numbers\n`);
  }
  const started = performance.now();
  const failed: string[] = [];
  for (const name of selected) {
    const file = fileURLToPath(new URL(`./${name}.bench.ts`, import.meta.url));
    // The same node and loader flags (tsx) this process was started with.
    const child = spawnSync(process.execPath, [...process.execArgv, file], { stdio: 'inherit' });
    if (child.error !== undefined || child.status !== 0) {
      failed.push(name);
      process.stdout.write(`\n${name}: the benchmark process ${child.error ? `could not start: ${child.error.message}` : `ended with ${child.signal ?? `exit ${child.status}`}`}\n`);
    }
  }
  process.stdout.write(`\n${selected.length} benchmark(s) in ${((performance.now() - started) / 1000).toFixed(0)} s`
    + `${failed.length ? `; problems: ${failed.join(', ')}` : ''}; results in bench/results/\n`);
  process.exitCode = 0;
}

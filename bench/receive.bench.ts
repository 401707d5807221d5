// The receive path per 10 ms at 48 kHz: jitter buffer + WSOLA time stretching + concealment
// (ReceiveChain put/pull driven by a cycled network trace), and the concealer alone (steady
// synthesis inside a burst; loss onset with pitch search + LPC, then the merge). SIMD build vs its
// scalar path vs the scalar build. A second table times single frames (performance.now()) to give
// the worst case during loss bursts, which is what a real-time thread must budget for.
import { Concealer } from '../src/core/receive/concealer.js';
import { generateTrace, NETWORK_PROFILES, type TraceRow } from '../src/core/receive/network-trace.js';
import { ReceiveChain } from '../src/core/receive/receive-chain.js';
import type { ReceiveExports } from '../src/core/receive/receive-exports.js';
import { loadWasm, type LoadedWasm } from '../src/core/wasm-loader.js';
import { type BenchCase, type BenchDefinition, finishTable, type ResultRow, runIfMain, runTable, type TableResult } from './harness.js';
import { noisySpeech } from './signals.js';

const RATE = 48000;
const PACKET = 960;
const BLOCK = 480;
const TRACE_PACKETS = 1500;  // 30 s, cycled
const BASELINE = 'scalar build';

/** Drives a ReceiveChain tick by tick over a trace repeated forever (seq/timestamps keep counting and wrap). */
class StreamDriver {
  private tick = 0;
  private readonly byTick: TraceRow[][];
  private readonly periodTicks: number;
  constructor(readonly chain: ReceiveChain, trace: readonly TraceRow[], private readonly speech: Float32Array) {
    this.periodTicks = trace.length * 2;
    this.byTick = Array.from({ length: this.periodTicks }, () => []);
    for (const row of trace) {
      if (row.arrivalMs === null) continue;
      const t = Math.min(this.periodTicks - 1, Math.ceil(row.arrivalMs / 10));
      this.byTick[t].push(row);
    }
  }
  step(): void {
    const period = Math.floor(this.tick / this.periodTicks);
    const j = this.tick % this.periodTicks;
    for (const row of this.byTick[j]) {
      const seq = period * (this.periodTicks / 2) + row.seq;
      const offset = (seq * PACKET) % (this.speech.length - PACKET);
      this.chain.put(seq & 0xffff, (seq * PACKET) >>> 0, period * this.periodTicks * 10 + (row.arrivalMs as number), this.speech.subarray(offset, offset + PACKET));
    }
    this.chain.pull(this.tick * 10);
    this.tick++;
  }
}

function flavors(simd: LoadedWasm, scalar: LoadedWasm): { name: string; exports: ReceiveExports; simdPath: boolean }[] {
  return [
    { name: 'SIMD build', exports: simd.exports as unknown as ReceiveExports, simdPath: true },
    { name: 'SIMD build, scalar path', exports: simd.exports as unknown as ReceiveExports, simdPath: false },
    { name: BASELINE, exports: scalar.exports as unknown as ReceiveExports, simdPath: false },
  ];
}

export const bench: BenchDefinition = {
  name: 'receive',
  description: 'jitter buffer + time stretching + concealment per 10 ms, and the worst case in a loss burst',
  async run() {
    const [simd, scalar] = await Promise.all([loadWasm({}, 'simd'), loadWasm({}, 'scalar')]);
    const speech = noisySpeech(8).samples;
    const tables: TableResult[] = [];
    const destroy: (() => void)[] = [];
    try {
      for (const profile of ['clean', 'bursty-20'] as const) {
        const trace = generateTrace(NETWORK_PROFILES[profile], TRACE_PACKETS, 7);
        const cases: BenchCase[] = flavors(simd, scalar).map((f) => {
          const chain = new ReceiveChain(f.exports, { sampleRate: RATE, maxPacketSamples: PACKET });
          chain.setSimd(f.simdPath);
          destroy.push(() => chain.destroy());
          const driver = new StreamDriver(chain, trace, speech);
          return { name: f.name, fn: () => driver.step() };
        });
        tables.push(runTable({
          name: `receive-chain-${profile}`,
          title: `Receive chain (jitter buffer + TSM + PLC) at 48 kHz on the ${profile} profile, per 10 ms frame (baseline: scalar build)`,
          unit: '10 ms', audioSecondsPerUnit: 0.01, baseline: BASELINE, baselineLabel: 'scalar build', cases,
          notes: ['one call = the packets arriving in that 10 ms put() (20 ms of PCM each) + one pull()'],
        }));
      }
      // The concealer alone.
      const speechBlocks = Array.from({ length: 64 }, (_, i) => speech.subarray(i * BLOCK, (i + 1) * BLOCK));
      const concealCases: BenchCase[] = [];
      for (const f of flavors(simd, scalar)) {
        const steady = new Concealer(f.exports, RATE, BLOCK);
        steady.setSimd(f.simdPath);
        steady.process(speechBlocks[10]);
        const onset = new Concealer(f.exports, RATE, BLOCK);
        onset.setSimd(f.simdPath);
        destroy.push(() => { steady.destroy(); onset.destroy(); });
        let i = 0;
        concealCases.push({ name: `${f.name}: synthesis inside a burst`, fn: () => { steady.process(null, BLOCK); } });
        concealCases.push({
          name: `${f.name}: loss onset + merge`, unitsPerCall: 2,
          fn: () => { onset.process(speechBlocks[i++ & 63]); onset.process(null, BLOCK); },
        });
      }
      tables.push(runTable({
        name: 'receive-concealment',
        title: 'Concealment alone at 48 kHz, per 10 ms block (baseline: scalar build, synthesis)',
        unit: '10 ms', audioSecondsPerUnit: 0.01, baseline: `${BASELINE}: synthesis inside a burst`, baselineLabel: 'scalar synth', cases: concealCases,
        notes: ['onset + merge = one real block (merging after the previous loss) and one lost block (pitch search, LPC, template): mean of the two'],
      }));
      // Worst case: single frames timed on the bursty-20 stream.
      const rows: ResultRow[] = [];
      const trace = generateTrace(NETWORK_PROFILES['bursty-20'], TRACE_PACKETS, 11);
      for (const f of flavors(simd, scalar)) {
        const chain = new ReceiveChain(f.exports, { sampleRate: RATE, maxPacketSamples: PACKET });
        chain.setSimd(f.simdPath);
        destroy.push(() => chain.destroy());
        const driver = new StreamDriver(chain, trace, speech);
        for (let k = 0; k < 3000; k++) driver.step();  // warm-up (JIT, buffers)
        const times: number[] = [];
        for (let k = 0; k < 6000; k++) { const t = performance.now(); driver.step(); times.push((performance.now() - t) * 1000); }
        times.sort((a, b) => a - b);
        const meanUs = times.reduce((a, b) => a + b, 0) / times.length;
        const p999 = times[Math.floor(0.999 * times.length)];
        rows.push({
          case: `${f.name}: worst frame`, microsecondsPerUnit: times[times.length - 1], rmePercent: null, samples: times.length,
          realTimeFactor: 0.01 / (times[times.length - 1] / 1e6), speedVsBaseline: null,
          note: `mean ${meanUs.toFixed(1)} µs, 99.9th percentile ${p999.toFixed(1)} µs over 60 s of bursty-20 (concealed ${chain.stats().concealedMs.toFixed(0)} ms)`,
        });
      }
      tables.push(finishTable({
        name: 'receive-worst-case', title: 'Receive chain worst single 10 ms frame during 60 s of bursty-20 loss (performance.now(), after warm-up)',
        unit: '10 ms', audioSecondsPerUnit: 0.01, baseline: `${BASELINE}: worst frame`, baselineLabel: 'scalar worst', display: 'us',
        notes: ['includes timer resolution and occasional GC/JIT noise of the JS driver; see the mean and 99.9th percentile in the notes'],
      }, rows));
    } finally {
      for (const d of destroy) d();
    }
    return tables;
  },
};

await runIfMain(bench, import.meta.url);

// The part of benchmark.js 2.1.4 (CommonJS, no bundled types) that bench/harness.ts uses.
// Written here because @types/benchmark is not a dependency. Import the default export only:
// `import Benchmark from 'benchmark'` (the named exports below are types for annotations).
declare module 'benchmark' {
  export interface Options {
    /** Seconds a single sample must run at least (benchmark.js picks ~0.05 s when 0). */
    minTime?: number;
    /** Seconds a case may keep sampling once minSamples are taken. */
    maxTime?: number;
    minSamples?: number;
    initCount?: number;
    async?: boolean;
  }

  export interface Stats {
    /** Margin of error, seconds. */
    moe: number;
    /** Relative margin of error at 95 % confidence, percent. */
    rme: number;
    /** Standard error of the mean, seconds. */
    sem: number;
    deviation: number;
    /** Mean seconds per call. */
    mean: number;
    /** Seconds per call of each sample. */
    sample: number[];
    variance: number;
  }

  export interface Target {
    name: string;
    hz: number;
    count: number;
    cycles: number;
    stats: Stats;
    error?: unknown;
    aborted: boolean;
  }

  export interface Event {
    type: string;
    target: Target;
  }

  export class Suite {
    constructor(name?: string, options?: Options);
    readonly length: number;
    [index: number]: Target;
    add(name: string, fn: () => void, options?: Options): this;
    on(type: string, listener: (event: Event) => void): this;
    run(options?: Options): this;
  }

  const Benchmark: {
    Suite: typeof Suite;
    readonly version: string;
  };
  export default Benchmark;
}

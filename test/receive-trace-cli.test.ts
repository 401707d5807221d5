// Network traces (strict trace.csv parsing, seeded Gilbert–Elliott / delay-profile generators) and
// the `sazanami trace` and `sazanami conceal` commands in-process: outputs, stats JSON, and one-line
// errors with exit status 2 for bad traces.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { formatTrace, generateTrace, NETWORK_PROFILES, parseTrace, TraceError } from '../src/core/receive/network-trace.js';
import { readWav, writeWav } from '../src/core/wav.js';
import { sine } from './helpers/signal.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'sazanami-receive-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const sink = (append: (s: string) => void) => new Writable({ write(chunk, _e, done) { append(String(chunk)); done(); } });
  const code = await main(args, { stdout: sink((s) => { stdout += s; }), stderr: sink((s) => { stderr += s; }), version: 'test' });
  return { code, stdout, stderr };
}

describe('trace.csv', () => {
  it('parses rows in any order, with or without a header, empty arrival = lost', () => {
    const rows = parseTrace('seq,send_ms,arrival_ms\n2,40,95\n0,0,50\n1,20,\n', 3);
    expect(rows).toEqual([{ seq: 0, sendMs: 0, arrivalMs: 50 }, { seq: 1, sendMs: 20, arrivalMs: null }, { seq: 2, sendMs: 40, arrivalMs: 95 }]);
    expect(parseTrace('0,0,1.5e1\n')).toEqual([{ seq: 0, sendMs: 0, arrivalMs: 15 }]);
  });

  it.each([
    ['0,0\n', /line 1: expected 3 columns/],
    ['0,abc,10\n', /line 1: send_ms must be a number/],
    ['0,0,1O\n', /line 1: arrival_ms must be a number/],
    ['x1,0,10\n', /line 1: header must be/],
    ['0,0,10\n0,20,30\n', /line 2: duplicate seq 0 \(first on line 1\)/],
    ['0,0,10\n1,20,40\n5,100,130\n', /line 3: seq 5 is beyond the input, which has 3 packets/],
    ['0,0,10\n2,40,60\n', /the input has 3 packets but the trace has 2 rows; first missing seq 1/],
    ['0,20,10\n1,40,60\n2,60,80\n', /arrival_ms 10 is before send_ms 20/],
    ['', /no packets/],
  ])('refuses %j with a message naming the problem', (text, message) => {
    expect(() => parseTrace(text, 3)).toThrow(TraceError);
    expect(() => parseTrace(text, 3)).toThrow(message);
  });

  it('generates the same trace from the same seed and loss near each profile’s nominal rate', () => {
    for (const [name, rate] of [['random-5', 0.05], ['random-10', 0.1], ['bursty-10', 0.1], ['bursty-20', 0.2]] as const) {
      const a = generateTrace(NETWORK_PROFILES[name], 20_000, 3);
      expect(formatTrace(a)).toBe(formatTrace(generateTrace(NETWORK_PROFILES[name], 20_000, 3)));
      const lost = a.filter((r) => r.arrivalMs === null).length / a.length;
      // 20,000 packets: binomial σ ≈ 0.2 %; bursty losses are correlated, so allow 1.5 points.
      expect(Math.abs(lost - rate)).toBeLessThan(0.015);
    }
  });

  it('bursty loss comes in runs (mean run ≥ 2 packets) while random loss does not', () => {
    const meanRun = (name: string) => {
      const lost = generateTrace(NETWORK_PROFILES[name], 20_000, 8).map((r) => r.arrivalMs === null);
      let runs = 0, total = 0;
      for (let i = 0; i < lost.length; i++) if (lost[i]) { total++; if (i === 0 || !lost[i - 1]) runs++; }
      return total / runs;
    };
    expect(meanRun('bursty-20')).toBeGreaterThan(2);
    expect(meanRun('random-10')).toBeLessThan(1.3);
  });

  it('the reorder profile reorders packets and the drift profile stretches arrival times', () => {
    const reorder = generateTrace(NETWORK_PROFILES.reorder, 2000, 1).filter((r) => r.arrivalMs !== null);
    let inversions = 0;
    for (let i = 1; i < reorder.length; i++) if ((reorder[i].arrivalMs as number) < (reorder[i - 1].arrivalMs as number)) inversions++;
    expect(inversions).toBeGreaterThan(100);
    const drift = generateTrace(NETWORK_PROFILES.drift, 3000, 1).filter((r) => r.arrivalMs !== null);
    const transit = (r: (typeof drift)[number]) => (r.arrivalMs as number) - r.sendMs;
    expect(transit(drift[drift.length - 1]) - transit(drift[0])).toBeGreaterThan(15);  // 500 ppm × 60 s = 30 ms
  });
});

describe('sazanami trace / conceal', () => {
  it('writes a trace for a WAV and plays the WAV through it, keeping rate, length, channels and format', async () => {
    const input = join(dir, 'in.wav'), trace = join(dir, 'trace.csv'), output = join(dir, 'out.wav'), stats = join(dir, 'stats.json');
    const tone = sine(3 * 48000, 220, 48000, 0.3);
    await writeFile(input, writeWav([tone, tone], 48000, 'pcm24'));
    const t = await cli(['trace', '--profile', 'bursty-10', '--for', input, '--seed', '5', '-o', trace]);
    expect(t.code).toBe(0);
    expect(t.stderr).toMatch(/wrote .*trace\.csv \(bursty-10, seed 5, 150 packets/);
    const c = await cli(['conceal', input, '--trace', trace, '-o', output, '--json', stats]);
    expect(c.stderr).toMatch(/150 packets, \d+ lost/);
    expect(c.code).toBe(0);
    const wav = readWav(await readFile(output));
    expect(wav.sampleRate).toBe(48000);
    expect(wav.channels).toHaveLength(2);
    expect(wav.channels[0].length).toBe(tone.length);
    expect(wav.format).toBe('pcm24');
    const report = JSON.parse(await readFile(stats, 'utf8')) as { command: string; stats: { packetsPlayed: number; lateLossRate: number; concealedMs: number } };
    expect(report.command).toBe('conceal');
    expect(report.stats.packetsPlayed).toBeGreaterThan(100);
    expect(report.stats.concealedMs).toBeGreaterThan(0);
  });

  it('handles a 44.1 kHz file (packets of 882 samples) and a 22.05 kHz file (resampled to 48 kHz and back)', async () => {
    for (const rate of [44100, 22050]) {
      const input = join(dir, `in-${rate}.wav`), trace = join(dir, `trace-${rate}.csv`), output = join(dir, `out-${rate}.wav`);
      await writeFile(input, writeWav([sine(rate * 2, 300, rate, 0.3)], rate, 'pcm16'));
      expect((await cli(['trace', '--profile', 'random-5', '--for', input, '-o', trace, '-q'])).code).toBe(0);
      const c = await cli(['conceal', input, '--trace', trace, '-o', output, '-q']);
      expect(c.stderr).toBe('');
      expect(c.code).toBe(0);
      const wav = readWav(await readFile(output));
      expect(wav.sampleRate).toBe(rate);
      expect(wav.channels[0].length).toBe(rate * 2);
    }
  });

  it.each([
    ['1,0,\n', /bad\.csv: the input has 50 packets but the trace has 1 rows/],
    ['0,0,x\n', /bad\.csv: line 1: arrival_ms must be a number/],
    ['seq,send_ms\n', /bad\.csv: line 1: header must be 'seq,send_ms,arrival_ms'/],
    ['0,0,1\n0,0,2\n', /bad\.csv: line 2: duplicate seq 0/],
    ['0,0,1\n77,0,2\n', /bad\.csv: line 2: seq 77 is beyond the input, which has 50 packets/],
  ])('a bad trace %j exits 2 with one line', async (text, message) => {
    const input = join(dir, 'short.wav'), bad = join(dir, 'bad.csv'), output = join(dir, 'never.wav');
    await writeFile(input, writeWav([sine(48000, 200, 48000, 0.2)], 48000, 'pcm16'));
    await writeFile(bad, text);
    const c = await cli(['conceal', input, '--trace', bad, '-o', output]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(message);
    expect(c.stderr.trim().split('\n')).toHaveLength(1);
    await expect(readFile(output)).rejects.toThrow();
  });

  it('usage errors exit 2: missing --trace, unknown profile, bad seed, missing trace file', async () => {
    expect((await cli(['conceal', 'x.wav', '-o', 'y.wav'])).stderr).toMatch(/missing trace \(--trace <trace\.csv>\)/);
    expect((await cli(['trace', '--profile', 'lunar', '--duration', '1', '-o', join(dir, 't.csv')])).stderr).toMatch(/unknown profile 'lunar'; accepted: clean, random-5/);
    expect((await cli(['trace', '--profile', 'clean', '--duration', '1', '--seed', '-1', '-o', join(dir, 't.csv')])).code).toBe(2);
    const input = join(dir, 'short2.wav');
    await writeFile(input, writeWav([sine(4800, 200, 48000, 0.2)], 48000, 'pcm16'));
    const missing = await cli(['conceal', input, '--trace', join(dir, 'nope.csv'), '-o', join(dir, 'o.wav')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read trace '.*nope\.csv': no such file or directory/);
  });
});

// Y4M IO (round trip, header tokens, every rejection with its message) and `sazanami video` end to
// end in-process: corrected output of the same size and frame count, stats JSON, one-line errors
// with exit code 2 and no partial output for bad input.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import type { CliContext } from '../src/cli/command.js';
import { readY4m, writeY4m, y4mHeader, Y4mError } from '../src/core/video/y4m.js';
import { addNoise, generateSequence } from '../eval/video/sequences.js';
import { exposureStats } from '../eval/video/metrics.js';

const WIDTH = 64, HEIGHT = 48;
let dir: string;
let inputPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sazanami-video-'));
  const dark = addNoise(generateSequence({ width: WIDTH, height: HEIGHT, frames: 6, exposure: 0.25, cast: [1.2, 1, 0.8] }), 8, 1);
  inputPath = join(dir, 'in.y4m');
  await writeFile(inputPath, writeY4m(y4mHeader(WIDTH, HEIGHT, 25), dark.frames));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

function ascii(text: string): Uint8Array { return new TextEncoder().encode(text); }
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

describe('Y4M', () => {
  it('round-trips frames, size, rate and extra tokens, and accepts FRAME parameters', () => {
    const frames = [new Uint8Array(6).fill(1), new Uint8Array(6).fill(2)];
    const bytes = writeY4m({ width: 2, height: 2, frameRateNumerator: 30000, frameRateDenominator: 1001, otherTokens: ['Ip', 'A1:1', 'XYSCSS=420JPEG'], colourSpace: '420jpeg' }, frames);
    const video = readY4m(bytes);
    expect(video.header).toMatchObject({ width: 2, height: 2, frameRateNumerator: 30000, frameRateDenominator: 1001, colourSpace: '420jpeg' });
    expect(video.header.otherTokens).toContain('XYSCSS=420JPEG');
    expect(video.frames.map((f) => [...f])).toEqual(frames.map((f) => [...f]));
    const withParams = readY4m(concat(ascii('YUV4MPEG2 W2 H2\nFRAME Ixyz\n'), new Uint8Array(6)));
    expect(withParams.frames).toHaveLength(1);
    expect(withParams.header.colourSpace).toBeNull();
  });

  it.each([
    ['a wrong signature', concat(ascii('YUV4MPEG W2 H2\n')), /does not start with 'YUV4MPEG2'/],
    ['4:4:4 chroma', concat(ascii('YUV4MPEG2 W2 H2 C444\n')), /unsupported Y4M colour space 'C444'; accepted: 8-bit 4:2:0/],
    ['10-bit 4:2:0', concat(ascii('YUV4MPEG2 W2 H2 C420p10\n')), /C420p10/],
    ['interlaced video', concat(ascii('YUV4MPEG2 W2 H2 It\n')), /progressive/],
    ['a missing height', concat(ascii('YUV4MPEG2 W2\n')), /height \(H\)/],
    ['a bad frame rate', concat(ascii('YUV4MPEG2 W2 H2 F30\n')), /frame rate/],
    ['a truncated frame', concat(ascii('YUV4MPEG2 W2 H2\nFRAME\n'), new Uint8Array(6), ascii('FRAME\n'), new Uint8Array(3)), /frame 1 is truncated: 3 of 6 bytes/],
    ['garbage between frames', concat(ascii('YUV4MPEG2 W2 H2\nFRAME\n'), new Uint8Array(7)), /frame 1 does not start with 'FRAME'/],
  ])('rejects %s with a Y4mError saying what is wrong', (_, bytes, message) => {
    expect(() => readY4m(bytes)).toThrow(Y4mError);
    expect(() => readY4m(bytes)).toThrow(message);
  });
});

interface Captured { code: number; stdout: string; stderr: string }

async function cli(args: string[]): Promise<Captured> {
  let stdout = '', stderr = '';
  const context: CliContext = {
    stdout: { write: (s: string) => { stdout += s; return true; } } as unknown as NodeJS.WritableStream,
    stderr: { write: (s: string) => { stderr += s; return true; } } as unknown as CliContext['stderr'],
    version: 'test',
  };
  const code = await main(args, context);
  return { code, stdout, stderr };
}

describe('sazanami video', () => {
  it('corrects a dark, cast, noisy Y4M into one of the same size, rate and frame count, brighter, with stats JSON', async () => {
    const out = join(dir, 'out.y4m'), json = join(dir, 'stats.json');
    const result = await cli(['video', inputPath, '-o', out, '--exposure', '--white-balance', '--denoise', '3', '--sharpen', '2', '--json', json]);
    expect(result.stderr).toMatch(/in\.y4m -> .*out\.y4m \(64×48, 6 frames/);
    expect(result.code).toBe(0);
    const input = readY4m(await readFile(inputPath)), output = readY4m(await readFile(out));
    expect(output.header).toMatchObject({ width: WIDTH, height: HEIGHT, frameRateNumerator: 25, frameRateDenominator: 1 });
    expect(output.frames).toHaveLength(6);
    expect(exposureStats(output.frames[5], WIDTH, HEIGHT).meanLuma).toBeGreaterThan(exposureStats(input.frames[5], WIDTH, HEIGHT).meanLuma + 10);
    const stats = JSON.parse(await readFile(json, 'utf8'));
    expect(stats).toMatchObject({ command: 'video', options: { exposure: true, whiteBalance: true, denoise: 3, sharpen: 2 }, input: { frames: 6 } });
    expect(stats.msPerFrameMean).toBeGreaterThan(0);
  });

  it.each([
    ['no correction chosen', (o: string) => [inputPath, '-o', o], /nothing to do; choose at least one of --exposure/],
    ['a denoise strength out of range', (o: string) => [inputPath, '-o', o, '--denoise', '11'], /invalid --denoise value '11'; accepted: a number from 0 to 10/],
    ['a non-numeric sharpen strength', (o: string) => [inputPath, '-o', o, '--sharpen', 'max'], /invalid --sharpen value 'max'/],
    ['a missing output', () => [inputPath, '--exposure'], /missing output file/],
    ['a missing input file', (o: string) => [join(dir, 'nope.y4m'), '-o', o, '--exposure'], /cannot read input .*no such file/],
  ])('exits 2 with one line for %s', async (_, argsFor, message) => {
    const out = join(dir, 'never.y4m');
    const result = await cli(['video', ...argsFor(out)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.each([
    ['a truncated frame', () => readFile(inputPath).then((b) => b.subarray(0, b.length - 10)), /frame 5 is truncated/],
    ['4:2:2 chroma', async () => ascii('YUV4MPEG2 W64 H48 C422\n'), /unsupported Y4M colour space 'C422'/],
    ['an odd width', async () => concat(ascii('YUV4MPEG2 W63 H48\nFRAME\n'), new Uint8Array(63 * 48 + 2 * 32 * 24)), /63 × 48 is not supported; accepted: even width and height/],
  ])('rejects a Y4M with %s: exit 2, one line, no output file left behind', async (_, make, message) => {
    const bad = join(dir, 'bad.y4m'), out = join(dir, 'bad-out.y4m');
    await writeFile(bad, await make());
    const result = await cli(['video', bad, '-o', out, '--exposure']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(await readdir(dir)).not.toContain('bad-out.y4m');
  });

  it('is listed in `sazanami --help`', async () => {
    expect((await cli(['--help'])).stdout).toMatch(/video\s+correct a Y4M video/);
  });
});

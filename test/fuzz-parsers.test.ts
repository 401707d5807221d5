// Parser fuzzing: every input parser (WAV, Y4M, trace.csv, the CLI's arguments) and every
// thread-message handler (the capture worklet's port, the receive and video workers and their
// validators) gets thousands of seeded mutations of valid inputs (bit flips, truncation, extension,
// header fields set to extremes, random bytes). The only outcomes allowed are a valid parse or an
// Error whose one-line message names the problem — never an engine error from deep inside ("Cannot
// read properties of undefined"), and never an output larger than the input can justify (a header
// claiming gigabytes must not allocate them).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWav, writeWav } from '../src/core/wav.js';
import { readY4m, writeY4m, y4mHeader } from '../src/core/video/y4m.js';
import { formatTrace, generateTrace, NETWORK_PROFILES, parseTrace } from '../src/core/receive/network-trace.js';
import type { CaptureEventMessage } from '../worklets/capture-protocol.js';
import { validateToReceiveWorker } from '../src/browser/receive-protocol.js';
import { validateToVideoWorker } from '../src/browser/video-protocol.js';
import { JITTER_BUFFER_DEFAULTS } from '../src/core/receive/receive-options.js';
import { seededRandom } from './helpers/random.js';
import {
  BYTE_MUTATIONS, type ByteMutation, checkThrown, mutateBytes, mutateText, OutcomeTally, pick, randomInt, TEXT_MUTATIONS,
} from './helpers/fuzz.js';

const WAV_INPUTS = 4000;
const Y4M_INPUTS = 3000;
const TRACE_INPUTS = 3000;
const MESSAGE_INPUTS = 2000;

function report(name: string, tally: OutcomeTally, extra = ''): void {
  console.log(`fuzz ${name}: ${tally.total} inputs → ${tally.valid} valid, ${tally.errors} clean errors `
    + `(${tally.distinctMessages} distinct messages; most common: ${tally.commonMessages(1)[0] ?? 'none'}), ${tally.failed} bad outcomes${extra}`);
  expect(tally.failures, tally.failures.join('\n')).toEqual([]);
}

// ---- WAV ----

/** Seeds: every format and layout the reader takes, plus chunks it must skip. */
function wavSeeds(): Uint8Array[] {
  const random = seededRandom(11);
  const samples = (channels: number, frames: number) =>
    Array.from({ length: channels }, () => Float32Array.from({ length: frames }, () => random() * 2 - 1));
  const seeds = [
    writeWav(samples(1, 40), 16000, 'pcm16'),
    writeWav(samples(2, 30), 48000, 'pcm24'),
    writeWav(samples(3, 20), 44100, 'pcm32'),
    writeWav(samples(1, 25), 8000, 'float32'),
    writeWav(samples(2, 17), 96000, 'pcm16'),
  ];
  // A LIST chunk between fmt and data, and an odd-sized trailing chunk.
  const base = writeWav(samples(1, 20), 22050, 'pcm16');
  const list = Uint8Array.from([...'LIST'].map((c) => c.charCodeAt(0)).concat([5, 0, 0, 0, 1, 2, 3, 4, 5, 0]));
  const withList = new Uint8Array(base.length + list.length);
  withList.set(base.subarray(0, 36));
  withList.set(list, 36);
  withList.set(base.subarray(36), 36 + list.length);
  seeds.push(withList);
  // 8-bit PCM and 64-bit float, which writeWav does not produce: patch a pcm16 header.
  const pcm8 = writeWav(samples(1, 16), 8000, 'pcm16');
  const view8 = new DataView(pcm8.buffer);
  view8.setUint16(32, 1, true); view8.setUint16(34, 8, true); view8.setUint32(28, 8000, true);
  seeds.push(pcm8);
  const f64 = writeWav(samples(2, 16), 8000, 'float32');
  const view64 = new DataView(f64.buffer);
  // float32 stereo is WAVE_FORMAT_EXTENSIBLE (40-byte fmt): block align at 32, bits at 34, valid bits at 38.
  view64.setUint16(32, 16, true); view64.setUint16(34, 64, true); view64.setUint16(38, 64, true);
  seeds.push(f64);
  return seeds;
}

/** Offsets of every chunk's size field and of every fmt field in `bytes`: where 'field' mutations hit. */
function wavFieldOffsets(bytes: Uint8Array): number[] {
  const offsets = [4];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 12; at + 8 <= bytes.length;) {
    offsets.push(at + 4);
    const id = String.fromCharCode(...bytes.subarray(at, at + 4));
    const size = view.getUint32(at + 4, true);
    if (id === 'fmt ') for (const field of [0, 2, 4, 8, 12, 14, 16, 18, 20, 24]) offsets.push(at + 8 + field);
    at += 8 + size + (size & 1);
  }
  return offsets;
}

describe('WAV reader under mutation', () => {
  it(`returns audio or a one-line WavError for ${WAV_INPUTS} mutated files, never allocating more than the file justifies`, () => {
    const seeds = wavSeeds();
    for (const seed of seeds) expect(() => readWav(seed)).not.toThrow();
    const fields = seeds.map(wavFieldOffsets);
    const random = seededRandom(101);
    const tally = new OutcomeTally();
    const byMutation = new Map<ByteMutation, number>();
    let oversized = 0;
    for (let i = 0; i < WAV_INPUTS; i++) {
      const which = Math.floor(random() * seeds.length);
      let input = seeds[which];
      // One to three stacked mutations.
      const rounds = 1 + Math.floor(random() * 3);
      const mutation = pick(random, BYTE_MUTATIONS);
      byMutation.set(mutation, (byMutation.get(mutation) ?? 0) + 1);
      input = mutateBytes(input, mutation, random, fields[which]);
      for (let r = 1; r < rounds; r++) input = mutateBytes(input, pick(random, BYTE_MUTATIONS), random, wavFieldOffsets(input.length >= 12 ? input : seeds[which]).filter((o) => o < input.length));
      const audio = tally.run(() => readWav(input), () => `${mutation} of seed ${which}, ${input.length} bytes`);
      if (audio !== undefined) {
        // 8-bit PCM decodes to 4 bytes per input byte: the most any valid file can expand.
        const decodedBytes = audio.channels.reduce((n, c) => n + c.byteLength, 0);
        if (decodedBytes > 4 * input.length) oversized++;
        expect(audio.channels.length).toBeGreaterThan(0);
      }
    }
    report('WAV', tally, `, ${oversized} outputs larger than 4 × the input; mutations ${[...byMutation].map(([m, n]) => `${m} ${n}`).join(', ')}`);
    expect(oversized).toBe(0);
    // The corpus reaches both outcomes often: the fuzzing is not all rejected at the signature.
    expect(tally.valid).toBeGreaterThan(WAV_INPUTS / 10);
    expect(tally.errors).toBeGreaterThan(WAV_INPUTS / 10);
  });

  it('rejects headers that claim gigabytes of audio without allocating them', () => {
    const seed = writeWav([new Float32Array(8)], 8000, 'pcm16');
    const before = process.memoryUsage().arrayBuffers;
    let rejected = 0;
    for (const claim of [0x7fffffff, 0x80000000, 0xfffffffe]) {
      const bytes = seed.slice();
      new DataView(bytes.buffer).setUint32(40, claim, true); // data chunk size
      expect(() => readWav(bytes)).toThrow(/truncated WAV: data chunk declares \d+ bytes but only 16 remain/);
      rejected++;
    }
    // 65535 channels of 32-bit float in a 60-byte file: no frame fits, so nothing is allocated.
    const wide = seed.slice();
    const view = new DataView(wide.buffer);
    view.setUint16(20, 3, true); view.setUint16(22, 0xffff, true); view.setUint16(32, (0xffff * 4) & 0xffff, true); view.setUint16(34, 32, true);
    expect(() => readWav(wide)).toThrow(/block align|no audio frames/);
    rejected++;
    const grownBytes = process.memoryUsage().arrayBuffers - before;
    console.log(`fuzz WAV gigabyte headers: ${rejected} rejected, array-buffer memory grew ${grownBytes} bytes`);
    expect(grownBytes).toBeLessThan(1 << 20);
  });
});

// ---- Y4M ----

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

function y4mSeeds(): Uint8Array[] {
  const random = seededRandom(21);
  const frame = (w: number, h: number) => Uint8Array.from({ length: w * h + 2 * ((w + 1) >> 1) * ((h + 1) >> 1) }, () => Math.floor(random() * 256));
  return [
    writeY4m(y4mHeader(4, 2, 30), [frame(4, 2), frame(4, 2)]),
    writeY4m({ width: 6, height: 4, frameRateNumerator: 30000, frameRateDenominator: 1001, otherTokens: ['Ip', 'A1:1', 'XYSCSS=420JPEG'], colourSpace: '420mpeg2' }, [frame(6, 4)]),
    writeY4m({ width: 3, height: 3, frameRateNumerator: 25, frameRateDenominator: 1, otherTokens: [], colourSpace: null }, [frame(3, 3), frame(3, 3), frame(3, 3)]),
    // FRAME parameters after the tag.
    (() => {
      const f = frame(2, 2);
      const head = ascii('YUV4MPEG2 W2 H2 F30:1 C420\nFRAME Ixyz\n');
      const out = new Uint8Array(head.length + f.length);
      out.set(head); out.set(f, head.length);
      return out;
    })(),
  ];
}

const Y4M_TOKEN_VALUES: Record<string, string[]> = {
  W: ['0', '-1', '1', '4294967296', '99999999999', '1e9', '', '65536', 'x', '2.5', '00', '9007199254740993'],
  H: ['0', '-1', '1', '4294967296', '99999999999', '1e9', '', '65536', 'x', '2.5'],
  F: ['0:0', '30', ':', '30:0', '0:1', '-30:1', '1e3:1', '30:1:1', '', 'a:b', '4294967296:1'],
  C: ['444', '422', '420p10', 'mono', '', '420jpeg', '420', '\u00ff'],
  I: ['b', 't', 'm', 'p', '?', ''],
};

/** Rewrites one header token of a Y4M file with an extreme value (or adds a duplicate one). */
function mutateY4mHeader(bytes: Uint8Array, random: () => number): Uint8Array {
  const end = bytes.indexOf(0x0a);
  if (end < 0) return bytes;
  const tokens = new TextDecoder('latin1').decode(bytes.subarray(0, end)).split(' ');
  const key = pick(random, Object.keys(Y4M_TOKEN_VALUES));
  const token = key + pick(random, Y4M_TOKEN_VALUES[key]);
  const at = tokens.findIndex((t, i) => i > 0 && t.startsWith(key));
  if (at > 0 && random() < 0.8) tokens[at] = token;
  else tokens.splice(1 + Math.floor(random() * tokens.length), 0, token);
  const head = Uint8Array.from(tokens.join(' '), (c) => c.charCodeAt(0) & 0xff);
  const out = new Uint8Array(head.length + bytes.length - end);
  out.set(head);
  out.set(bytes.subarray(end), head.length);
  return out;
}

describe('Y4M reader under mutation', () => {
  it(`returns frames or a one-line Y4mError for ${Y4M_INPUTS} mutated files; frames are views, never copies`, () => {
    const seeds = y4mSeeds();
    for (const seed of seeds) expect(() => readY4m(seed)).not.toThrow();
    const random = seededRandom(202);
    const tally = new OutcomeTally();
    let headerMutations = 0, framesRead = 0, copies = 0;
    for (let i = 0; i < Y4M_INPUTS; i++) {
      const which = Math.floor(random() * seeds.length);
      let input = seeds[which];
      const kind = random() < 0.4 ? 'header' : pick(random, BYTE_MUTATIONS);
      if (kind === 'header') {
        headerMutations++;
        input = mutateY4mHeader(input, random);
        if (random() < 0.3) input = mutateBytes(input, pick(random, BYTE_MUTATIONS), random);
      } else {
        input = mutateBytes(input, kind, random);
      }
      const video = tally.run(() => readY4m(input), () => JSON.stringify(new TextDecoder('latin1').decode(input.subarray(0, 60))));
      if (video !== undefined) {
        framesRead += video.frames.length;
        for (const frame of video.frames) if (frame.buffer !== input.buffer) copies++;
        expect(video.header.width).toBeGreaterThan(0);
        expect(video.header.height).toBeGreaterThan(0);
      }
    }
    report('Y4M', tally, `, ${headerMutations} header-token mutations, ${framesRead} frames read, ${copies} copied frames`);
    expect(copies).toBe(0);
    expect(tally.valid).toBeGreaterThan(Y4M_INPUTS / 20);
  });

  it('rejects a header that claims a 100000 × 100000 frame without allocating it', () => {
    const before = process.memoryUsage().arrayBuffers;
    const bytes = ascii(`YUV4MPEG2 W100000 H100000 F30:1\nFRAME\n${'x'.repeat(64)}`);
    expect(() => readY4m(bytes)).toThrow(/frame 0 is truncated: \d+ of 15000000000 bytes/);
    const grownBytes = process.memoryUsage().arrayBuffers - before;
    console.log(`fuzz Y4M gigabyte header: rejected, array-buffer memory grew ${grownBytes} bytes`);
    expect(grownBytes).toBeLessThan(1 << 20);
  });
});

// ---- trace.csv ----

describe('trace.csv parser under mutation', () => {
  it(`returns rows or a one-line TraceError naming the line for ${TRACE_INPUTS} mutated traces`, () => {
    const seeds = ['clean', 'bursty-20', 'reorder', 'drift'].map((name, i) => formatTrace(generateTrace(NETWORK_PROFILES[name], 30, 7 + i)));
    seeds.push('# comment\r\nseq,send_ms,arrival_ms\r\n0,0,40\r\n1,20,\r\n2,40,75.5\r\n');
    for (const seed of seeds) expect(() => parseTrace(seed)).not.toThrow();
    const random = seededRandom(303);
    const tally = new OutcomeTally();
    let rowsRead = 0, withCount = 0, errorsWithoutLine = 0;
    for (let i = 0; i < TRACE_INPUTS; i++) {
      const seedText = pick(random, seeds);
      let text = mutateText(seedText, pick(random, TEXT_MUTATIONS), random);
      if (random() < 0.3) text = mutateText(text, pick(random, TEXT_MUTATIONS), random);
      // Half the time the caller knows how many packets the input has (as `sazanami conceal` does).
      const packetCount = random() < 0.5 ? (withCount++, randomInt(random, 1, 40)) : undefined;
      let message = '';
      const rows = tally.run(() => {
        try {
          return parseTrace(text, packetCount);
        } catch (error) {
          message = (error as Error).message;
          throw error;
        }
      }, () => JSON.stringify(text.slice(0, 80)));
      if (rows !== undefined) {
        rowsRead += rows.length;
        // Rows are bounded by lines: a row per line at most.
        expect(rows.length).toBeLessThanOrEqual(text.split('\n').length);
        for (const row of rows) {
          expect(Number.isFinite(row.sendMs)).toBe(true);
          if (row.arrivalMs !== null) expect(Number.isFinite(row.arrivalMs)).toBe(true);
        }
      } else if (message !== '' && !/^line \d+:|^no packets|^the input has \d+ packets/.test(message)) {
        errorsWithoutLine++;
      }
    }
    report('trace.csv', tally, `, ${rowsRead} rows read, ${withCount} with a packet count, ${errorsWithoutLine} errors not naming a line`);
    expect(errorsWithoutLine).toBe(0);
    expect(tally.valid).toBeGreaterThan(TRACE_INPUTS / 20);
  });
});

// ---- CLI arguments ----

describe('CLI argument parsing under mutation', () => {
  const RUNS = 1000;
  it(`answers ${RUNS} random command lines with success or exit 2 and one 'sazanami: error:' line, never an internal error`, async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sazanami-fuzz-cli-'));
    const previous = process.cwd();
    // Relative paths in the fuzzed arguments (outputs included) land in the scratch directory.
    process.chdir(directory);
    try {
      const random = seededRandom(808);
      const tone = Float32Array.from({ length: 1600 }, (_, i) => 0.3 * Math.sin(i / 5));
      await writeFile('in.wav', writeWav([tone], 8000, 'pcm16'));
      await writeFile('far.wav', writeWav([tone.map((v) => v / 2)], 8000, 'pcm16'));
      await writeFile('stereo.wav', writeWav([tone, tone], 16000, 'float32'));
      await writeFile('bad.wav', mutateBytes(writeWav([tone], 8000, 'pcm16'), 'field', random, [22, 24, 32, 40]));
      await writeFile('in.y4m', writeY4m(y4mHeader(16, 8), [new Uint8Array(192).fill(90), new Uint8Array(192).fill(110)]));
      await writeFile('odd.y4m', writeY4m(y4mHeader(15, 7), [new Uint8Array(15 * 7 + 2 * 8 * 4).fill(90)]));
      await writeFile('trace.csv', formatTrace(generateTrace(NETWORK_PROFILES['random-5'], 10, 3)));
      await writeFile('short.csv', 'seq,send_ms,arrival_ms\n0,0,40\n');
      const commands = ['process', 'video', 'conceal', 'trace', 'help', '--help', '-V', 'bogus', '', '-x'];
      const flags = ['-o', '--output', '--ns', '--aec', '--agc', '--json', '--trace', '--exposure', '--white-balance', '--denoise', '--sharpen',
        '--profile', '--seed', '--duration', '--for', '-q', '--quiet', '-h', '--', '-', '--ns=strong', '--denoise=11', '--seed=', '--bogus', '-oz'];
      const values = ['in.wav', 'far.wav', 'stereo.wav', 'bad.wav', 'missing.wav', 'in.y4m', 'odd.y4m', 'trace.csv', 'short.csv', '.', 'out.wav', 'out.y4m',
        'out.csv', 'out.json', 'sub/out.wav', '', 'strong', 'off', 'light', 'x', '-1', '3', '10', '0.5', 'NaN', '1e3', '4294967296', 'random-5', 'bursty-20',
        'clean', 'line\nbreak', 'x'.repeat(300)];
      const exitCodes = new Map<number, number>();
      const bad: string[] = [];
      for (let i = 0; i < RUNS; i++) {
        const argv = [pick(random, commands)];
        const count = randomInt(random, 0, 7);
        for (let k = 0; k < count; k++) argv.push(random() < 0.45 ? pick(random, flags) : pick(random, values));
        let stdout = '', stderr = '';
        const context = {
          stdout: { write: (chunk: string) => { stdout += chunk; return true; } },
          stderr: { write: (chunk: string) => { stderr += chunk; return true; }, isTTY: false, columns: 80 },
          version: '0.0.0',
        } as unknown as Parameters<typeof main>[1];
        const code = await main(argv, context);
        exitCodes.set(code, (exitCodes.get(code) ?? 0) + 1);
        const lines = stderr.split('\n').filter((line) => line !== '');
        if (code === 1) bad.push(`internal error for ${JSON.stringify(argv)}: ${stderr}`);
        else if (code === 2) {
          const message = lines[0]?.replace(/^sazanami: error: /, '') ?? '';
          // The CLI quotes the user's own arguments in full, so only the first 400 characters are judged.
          const check = checkThrown(new Error(message.slice(0, 400)));
          if (lines.length !== 1 || !lines[0].startsWith('sazanami: error: ') || !check.clean) bad.push(`unclear exit-2 output for ${JSON.stringify(argv)}: ${JSON.stringify(stderr)}`);
        } else if (code !== 0) bad.push(`exit ${code} for ${JSON.stringify(argv)}`);
      }
      console.log(`fuzz CLI: ${RUNS} command lines → exit codes ${[...exitCodes].sort().map(([c, n]) => `${c}: ${n}`).join(', ')}; ${bad.length} bad outcomes`);
      expect(bad.slice(0, 10), bad.slice(0, 10).join('\n')).toEqual([]);
    } finally {
      process.chdir(previous);
      await rm(directory, { recursive: true, force: true });
    }
  });
});

// ---- thread messages ----

/** A random structured-cloneable value (what can arrive through postMessage). */
function randomValue(random: () => number, depth = 0): unknown {
  const r = random();
  if (depth > 2 || r < 0.5) {
    return pick(random, [null, undefined, 0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, true, false, '', 'update', 'balanced', 'strong',
      'x'.repeat(1000), 10n, new Date(0), new ArrayBuffer(8), new Float32Array(4), new Map([[1, 2]]), new Set(['a']), /re/, new Error('boom')]);
  }
  if (r < 0.7) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
  const object: Record<string, unknown> = {};
  const keys = ['type', 'options', 'requestId', 'noiseSuppression', 'echoCancellation', 'gainControl', 'id', 'jitterBuffer', 'settings',
    'module', 'flavor', '__proto__', 'constructor', 'toString', 'valueOf', 'minDelayMs', 'exposureStrength'];
  const count = Math.floor(random() * 4);
  for (let i = 0; i < count; i++) object[pick(random, keys)] = randomValue(random, depth + 1);
  return object;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** A valid message with one part replaced, or an unrelated value. */
function mutateMessage(valid: readonly Record<string, unknown>[], random: () => number): unknown {
  const r = random();
  if (r < 0.1) return pick(random, valid);
  if (r < 0.25) return randomValue(random);
  // Shallow copies: the templates hold a Wasm Module and streams, which structuredClone cannot copy.
  const message: Record<string, unknown> = { ...pick(random, valid) };
  const keys = Object.keys(message);
  if (r < 0.3) delete message[pick(random, keys)];
  else if (r < 0.7) message[pick(random, keys)] = randomValue(random);
  else {
    // Replace a nested field (options.noiseSuppression, jitterBuffer.minDelayMs …).
    const nestedKey = keys.find((k) => isPlainObject(message[k]));
    if (nestedKey === undefined) message[pick(random, keys)] = randomValue(random);
    else {
      const nested = { ...(message[nestedKey] as Record<string, unknown>) };
      message[nestedKey] = nested;
      const inner = Object.keys(nested);
      nested[inner.length > 0 && random() < 0.7 ? pick(random, inner) : pick(random, ['bogus', 'noiseSuppression', 'gainControl', 'minDelayMs', 'p', 'denoiseStrength'])] = randomValue(random);
    }
  }
  return message;
}

/**
 * True when the capture worklet's String(type) breaks its rejection message: `data.type` is an object
 * whose String() throws (a cloned { toString: 0 }) or describes to more than a short line.
 */
function typeDescriptionUnsafe(data: unknown): boolean {
  const type = typeof data === 'object' && data !== null ? (data as { type?: unknown }).type : undefined;
  try {
    return String(type).length > 60;
  } catch {
    return true;
  }
}

const CLEAN_WASM = readFileSync(fileURLToPath(new URL('../build/sazanami-simd.wasm', import.meta.url)));

interface FakePort { onmessage: ((event: { data: unknown }) => void) | null; posted: unknown[]; postMessage(message: unknown): void }

function fakePort(): FakePort {
  const port: FakePort = { onmessage: null, posted: [], postMessage(message) { port.posted.push(message); } };
  return port;
}

describe('thread-message handlers under mutation', () => {
  const saved = new Map<string, unknown>();
  let module: WebAssembly.Module;
  let CaptureProcessorClass: new (options: { processorOptions?: unknown }) => { port: FakePort; process(i: Float32Array[][], o: Float32Array[][]): boolean };

  beforeAll(async () => {
    module = await WebAssembly.compile(CLEAN_WASM);
    // A minimal AudioWorkletGlobalScope: the worklet module registers its processor class here.
    for (const key of ['AudioWorkletProcessor', 'registerProcessor', 'sampleRate']) saved.set(key, (globalThis as Record<string, unknown>)[key]);
    const g = globalThis as Record<string, unknown>;
    g.sampleRate = 48000;
    g.AudioWorkletProcessor = class { port = fakePort(); };
    g.registerProcessor = (_name: string, ctor: typeof CaptureProcessorClass) => { CaptureProcessorClass = ctor; };
    await import('../worklets/capture.worklet.js');
  });
  afterAll(() => {
    for (const [key, value] of saved) (globalThis as Record<string, unknown>)[key] = value;
  });

  it(`the capture worklet answers ${MESSAGE_INPUTS} mutated control messages with stats or a clean 'rejected', and keeps processing`, () => {
    const valid = [
      { type: 'update', options: { noiseSuppression: 'strong' } },
      { type: 'update', options: { echoCancellation: 'light', gainControl: true } },
      { type: 'update', options: { noiseSuppression: 'off', echoCancellation: false } },
      { type: 'get-stats', requestId: 7 },
      { type: 'get-stats' },
      { type: 'stop' },
      { type: 'fail' },
    ];
    const random = seededRandom(404);
    const tally = new OutcomeTally();
    const outcomes = new Map<string, number>();
    let processor = new CaptureProcessorClass({ processorOptions: { module, flavor: 'simd', options: {}, channelCount: 1 } });
    const quantum = Float32Array.from({ length: 128 }, (_, i) => 0.1 * Math.sin(i / 5));
    const out = new Float32Array(128);
    let nonFinite = 0, rebuilt = 0, knownTypeDescriptionFailures = 0;
    for (let i = 0; i < MESSAGE_INPUTS; i++) {
      const message = mutateMessage(valid, random);
      let data: unknown;
      try {
        data = structuredClone(message);
      } catch {
        continue;
      }
      processor.port.posted.length = 0;
      processor.port.onmessage?.({ data });
      const replies = processor.port.posted as CaptureEventMessage[];
      for (const reply of replies) {
        outcomes.set(reply.type, (outcomes.get(reply.type) ?? 0) + 1);
        if (reply.type === 'rejected' && typeDescriptionUnsafe(data)) knownTypeDescriptionFailures++;  // counted, and checked like the rest
        tally.run(() => {
          if (reply.type === 'rejected') throw new Error(reply.message.replace(/^\w*Error: /, ''));
          if (reply.type !== 'stats' && reply.type !== 'stopped') throw new Error(`unexpected reply '${reply.type}'`);
        }, () => JSON.stringify(message, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)).slice(0, 120));
      }
      if (replies.length === 0) tally.run(() => { throw new Error('no reply'); }, () => String(message));
      if (replies.some((r) => r.type === 'stopped')) {
        processor = new CaptureProcessorClass({ processorOptions: { module, flavor: 'simd', options: {}, channelCount: 1 } });
        rebuilt++;
      }
      processor.process([[quantum]], [[out]]);
      for (const v of out) if (!Number.isFinite(v)) nonFinite++;
    }
    report('capture worklet messages', tally, `; replies ${[...outcomes].map(([t, n]) => `${t} ${n}`).join(', ')}; ${rebuilt} stops; `
      + `${nonFinite} non-finite samples after them; ${knownTypeDescriptionFailures} of the rejections name a 'type' whose String() throws or is long`);
    expect(nonFinite).toBe(0);
    expect(outcomes.get('rejected') ?? 0).toBeGreaterThan(MESSAGE_INPUTS / 10);
  });

  // Found by the fuzzing above (fixed): the worklet built its "unknown control message type" error with
  // String(type), which throws for a structured-cloned { toString: 0 } and quoted a long type whole.
  it("the capture worklet's rejection of a { toString: 0 } message type names the problem", () => {
    const processor = new CaptureProcessorClass({ processorOptions: { module, flavor: 'simd', options: {}, channelCount: 1 } });
    processor.port.posted.length = 0;
    processor.port.onmessage?.({ data: structuredClone({ type: { toString: 0 } }) });
    const reply = processor.port.posted[0] as CaptureEventMessage;
    expect(reply.type).toBe('rejected');
    expect(checkThrown(new Error((reply as { message: string }).message)).clean).toBe(true);
  });

  it("the capture worklet's rejection of a 1000-character message type is one short line", () => {
    const processor = new CaptureProcessorClass({ processorOptions: { module, flavor: 'simd', options: {}, channelCount: 1 } });
    processor.port.posted.length = 0;
    processor.port.onmessage?.({ data: { type: 'x'.repeat(1000) } });
    const reply = processor.port.posted[0] as CaptureEventMessage;
    expect(reply.type).toBe('rejected');
    expect(checkThrown(new Error((reply as { message: string }).message)).clean).toBe(true);
  });

  it('the capture worklet answers 300 mutated processorOptions with ready or a clean init-error', () => {
    const valid = [
      { module, flavor: 'simd', options: { noiseSuppression: 'light' }, channelCount: 1 },
      { module, flavor: 'scalar', options: { echoCancellation: true, gainControl: true }, channelCount: 2, farEndInput: true },
      { module, flavor: 'simd', options: {}, channelCount: 1, enableTestHooks: true },
    ];
    const random = seededRandom(505);
    const tally = new OutcomeTally();
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const r = random();
      let processorOptions: unknown;
      if (r < 0.1) processorOptions = randomValue(random);
      else {
        const base = { ...pick(random, valid) } as Record<string, unknown>;
        const key = pick(random, Object.keys(base));
        if (random() < 0.2) delete base[key];
        else if (key === 'options' && random() < 0.6) base.options = { ...(base.options as object), [pick(random, ['noiseSuppression', 'echoCancellation', 'gainControl', 'bogus'])]: randomValue(random) };
        else base[key] = randomValue(random);
        processorOptions = base;
      }
      let processor: InstanceType<typeof CaptureProcessorClass> | undefined;
      tally.run(() => {
        processor = new CaptureProcessorClass({ processorOptions });
        const first = processor.port.posted[0] as CaptureEventMessage | undefined;
        if (first === undefined) throw new Error('no ready or init-error');
        outcomes.set(first.type, (outcomes.get(first.type) ?? 0) + 1);
        if (first.type === 'init-error') throw new Error(first.message.replace(/^\w*Error: /, ''));
        if (first.type !== 'ready') throw new Error(`unexpected first message '${first.type}'`);
      }, () => String(processorOptions));
      // Whatever the outcome, the node produces finite audio (pass-through on init-error).
      if (processor !== undefined) {
        const out = new Float32Array(128);
        processor.process([[new Float32Array(128).fill(0.25)]], [[out]]);
        expect(out.every(Number.isFinite)).toBe(true);
        processor.port.onmessage?.({ data: { type: 'stop' } });
      }
    }
    report('capture worklet processorOptions', tally, `; first messages ${[...outcomes].map(([t, n]) => `${t} ${n}`).join(', ')}`);
    expect(outcomes.get('ready') ?? 0).toBeGreaterThan(20);
  });
});

describe('receive and video worker messages under mutation', () => {
  const savedSelf = (globalThis as Record<string, unknown>).self;
  let module: WebAssembly.Module;
  let videoWorker: WorkerStub, receiveWorker: WorkerStub;
  const settings = { exposureStrength: 1, whiteBalanceStrength: 0.5, denoiseStrength: 3, sharpenStrength: 2 };
  let videoValid: Record<string, unknown>[], receiveValid: Record<string, unknown>[];

  interface WorkerStub { onmessage: ((event: { data: unknown }) => void) | null; onrtctransform: unknown; posted: { type: string; name?: string; message?: string }[]; postMessage(m: unknown): void }
  const stub = (): WorkerStub => {
    const scope: WorkerStub = { onmessage: null, onrtctransform: null, posted: [], postMessage(m) { scope.posted.push(m as WorkerStub['posted'][number]); } };
    return scope;
  };

  beforeAll(async () => {
    module = await WebAssembly.compile(CLEAN_WASM);
    const g = globalThis as Record<string, unknown>;
    // Each worker module installs its handlers on `self` when imported.
    g.self = videoWorker = stub();
    await import('../workers/video.worker.js');
    g.self = receiveWorker = stub();
    await import('../workers/receive.worker.js');
    g.self = savedSelf;
    videoValid = [
      { type: 'probe' }, { type: 'stop' }, { type: 'stats', id: 3 }, { type: 'update', settings },
      { type: 'start', module, flavor: 'simd', settings, readable: new ReadableStream(), writable: new WritableStream() },
      { type: 'start', module, flavor: 'scalar', settings, track: {} },
    ];
    receiveValid = [
      { type: 'stop' }, { type: 'stats', id: 1 }, { type: 'update', jitterBuffer: { minDelayMs: 20, timeStretching: false } },
      { type: 'start', module, flavor: 'simd', ring: new SharedArrayBuffer(64), jitterBuffer: { ...JITTER_BUFFER_DEFAULTS }, impairments: null },
      { type: 'start', module, flavor: 'scalar', ring: new SharedArrayBuffer(64), jitterBuffer: { ...JITTER_BUFFER_DEFAULTS },
        impairments: { seed: 1, lossRate: 0.1, delayMs: 0, jitterMs: 5, gilbertElliott: { p: 0.1, r: 0.5, lossInGood: 0, lossInBad: 0.9 } } },
    ];
  });

  for (const [name, validate, seed] of [['video', validateToVideoWorker, 606], ['receive', validateToReceiveWorker, 707]] as const) {
    it(`validateTo${name === 'video' ? 'Video' : 'Receive'}Worker returns the message or a clean error for ${MESSAGE_INPUTS} mutated messages`, () => {
      const valid = name === 'video' ? videoValid : receiveValid;
      for (const message of valid) expect(validate(message)).toBe(message);
      const random = seededRandom(seed);
      const tally = new OutcomeTally();
      for (let i = 0; i < MESSAGE_INPUTS; i++) {
        const message = mutateMessage(valid, random);
        tally.run(() => validate(message), () => JSON.stringify(message, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)).slice(0, 120));
      }
      report(`${name} worker message validator`, tally);
      expect(tally.valid).toBeGreaterThan(MESSAGE_INPUTS / 20);
      expect(tally.errors).toBeGreaterThan(MESSAGE_INPUTS / 2);
    });

    it(`the ${name} worker's own handler survives 1000 mutated messages with clean errors only (engine errors counted, 0 allowed)`, async () => {
      const worker = name === 'video' ? videoWorker : receiveWorker;
      const valid = (name === 'video' ? videoValid : receiveValid).filter((m) => m.type !== 'stop');
      const random = seededRandom(seed + 1);
      const replies = new Map<string, number>();
      let engineErrors = 0, cleanErrors = 0, silent = 0, validatorAgrees = 0;
      for (let i = 0; i < 1000; i++) {
        const message = mutateMessage(valid, random);
        worker.posted.length = 0;
        expect(() => worker.onmessage?.({ data: message })).not.toThrow();
        await Promise.resolve();
        if (worker.posted.length === 0) silent++;
        for (const reply of worker.posted) {
          replies.set(reply.type, (replies.get(reply.type) ?? 0) + 1);
          if (reply.type !== 'error') continue;
          if (checkThrown(new Error(reply.message)).clean) cleanErrors++;
          else engineErrors++;
        }
        let accepted = true;
        try { validate(message); } catch { accepted = false; }
        if (accepted === !worker.posted.some((r) => r.type === 'error')) validatorAgrees++;
      }
      console.log(`fuzz ${name} worker handler: 1000 messages → replies ${[...replies].map(([t, n]) => `${t} ${n}`).join(', ')}; `
        + `${cleanErrors} clean errors, ${engineErrors} engine errors, ${silent} ignored without a reply; `
        + `validateTo… agrees with the handler on ${validatorAgrees}`);
      expect(engineErrors).toBe(0);
    });
  }

  // Found by the fuzzing above (fixed): the video and receive workers read `message.type` without a
  // check (a null message was answered with "Cannot read properties of null"), ignored unknown types
  // and bad fields; they now call validateToVideoWorker / validateToReceiveWorker first.
  for (const name of ['video', 'receive'] as const) {
    it(`the ${name} worker answers a null message with an error naming the problem`, () => {
      const worker = name === 'video' ? videoWorker : receiveWorker;
      worker.posted.length = 0;
      worker.onmessage?.({ data: null });
      expect(worker.posted[0]?.type).toBe('error');
      expect(checkThrown(new Error(worker.posted[0].message)).clean).toBe(true);
    });
  }
});

// Quick structural check the fuzz helpers rely on: an engine error is never counted as clean.
describe('fuzz helper classification', () => {
  it('counts engine TypeErrors and empty messages as bad outcomes and one-line checks as clean', () => {
    let engineError: unknown;
    try { (undefined as unknown as { x: number }).x.toFixed(); } catch (error) { engineError = error; }
    expect(checkThrown(engineError).clean).toBe(false);
    expect(checkThrown(new Error('')).clean).toBe(false);
    expect(checkThrown('a string').clean).toBe(false);
    expect(checkThrown(new RangeError('sample rate 7 Hz is not supported')).clean).toBe(true);
  });
});

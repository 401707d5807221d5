// The `sazanami` CLI end to end (as a child process via tsx, no build needed), plus its progress bar
// and internal-error path in-process.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import { createProgressBar, renderProgressLine } from '../src/cli/progress.js';
import { readWav, writeWav, type WavWritableFormat } from '../src/core/wav.js';
import { seededRandom } from './helpers/random.js';

const REPO_ROOT = resolve(import.meta.dirname, '..');
const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const CLI_ENTRY = join(REPO_ROOT, 'src', 'cli', 'main.ts');

const injected = vi.hoisted(() => ({ processingError: undefined as Error | undefined }));
vi.mock('../src/core/offline.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/core/offline.js')>();
  return {
    ...real,
    processOffline: (...args: Parameters<typeof real.processOffline>) => {
      if (injected.processingError !== undefined) throw injected.processingError;
      return real.processOffline(...args);
    },
  };
});

interface CliResult { exitCode: number | null; stdout: string; stderr: string }

function runCli(args: string[]): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(TSX, [CLI_ENTRY, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => { stdout += text; });
    child.stderr.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
    child.on('error', reject);
    child.on('close', (exitCode) => resolvePromise({ exitCode, stdout, stderr }));
  });
}


/** A 440 Hz tone plus seeded noise, `durationSec` long. */
function toneWithNoise(channelCount: number, sampleRate: number, durationSec: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  const frameCount = Math.round(durationSec * sampleRate);
  return Array.from({ length: channelCount }, (_, c) => Float32Array.from({ length: frameCount },
    (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * (c + 1) * i) / sampleRate) + 0.05 * (random() * 2 - 1)));
}

/** Header fields patched into a plain 16-byte-fmt WAV, for encodings and damage writeWav never produces. */
function patchedWav(patch: (view: DataView) => void): Uint8Array {
  const bytes = writeWav(toneWithNoise(1, 16000, 0.1, 5), 16000, 'pcm16');
  patch(new DataView(bytes.buffer));
  return bytes;
}

/** A minimal WAV with a plain fmt chunk and the given raw data (for pcm8 and float64 inputs). */
function plainWav(formatTag: number, bitsPerSample: number, channelCount: number, sampleRate: number, data: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(44 + data.length);
  const view = new DataView(bytes.buffer);
  const blockAlign = channelCount * (bitsPerSample / 8);
  bytes.set([...'RIFF'].map((ch) => ch.charCodeAt(0)), 0);
  view.setUint32(4, 36 + data.length, true);
  bytes.set([...'WAVEfmt '].map((ch) => ch.charCodeAt(0)), 8);
  view.setUint32(16, 16, true);
  view.setUint16(20, formatTag, true);
  view.setUint16(22, channelCount, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bitsPerSample, true);
  bytes.set([...'data'].map((ch) => ch.charCodeAt(0)), 36);
  view.setUint32(40, data.length, true);
  bytes.set(data, 44);
  return bytes;
}

let workRoot: string;
let caseCount = 0;

/** A fresh directory per test, so "nothing left behind" can be checked by listing it. */
async function freshDirectory(): Promise<string> {
  const directory = join(workRoot, `case-${++caseCount}`);
  await mkdir(directory);
  return directory;
}

beforeAll(async () => {
  workRoot = await mkdtemp(join(tmpdir(), 'sazanami-cli-'));
});

afterAll(async () => {
  await rm(workRoot, { recursive: true, force: true });
});

describe('sazanami process: successful runs', () => {
  const cases: { sampleRate: number; channelCount: number; format: WavWritableFormat }[] = [
    { sampleRate: 16000, channelCount: 1, format: 'pcm16' },
    { sampleRate: 16000, channelCount: 2, format: 'pcm24' },
    { sampleRate: 44100, channelCount: 1, format: 'float32' },
    { sampleRate: 44100, channelCount: 2, format: 'pcm16' },
    { sampleRate: 48000, channelCount: 1, format: 'pcm32' },
    { sampleRate: 48000, channelCount: 2, format: 'float32' },
  ];
  for (const { sampleRate, channelCount, format } of cases) {
    it(`keeps rate, length, channels and format for ${format} ${channelCount} ch at ${sampleRate} Hz`, async () => {
      const directory = await freshDirectory();
      const input = join(directory, 'in.wav');
      const output = join(directory, 'out.wav');
      const channels = toneWithNoise(channelCount, sampleRate, 1.013, sampleRate + channelCount);
      await writeFile(input, writeWav(channels, sampleRate, format));

      const result = await runCli(['process', input, '-o', output]);

      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^sazanami: .*in\.wav -> .*out\.wav \(.*\)\n$/);
      const decoded = readWav(await readFile(output));
      expect(decoded.sampleRate).toBe(sampleRate);
      expect(decoded.format).toBe(format);
      expect(decoded.channels).toHaveLength(channelCount);
      for (const channel of decoded.channels) expect(channel.length).toBe(channels[0].length);
      expect((await readdir(directory)).sort()).toEqual(['in.wav', 'out.wav']);
    });
  }

  it('writes 8-bit input as pcm16 and 64-bit float input as float32', async () => {
    const directory = await freshDirectory();
    const pcm8 = Uint8Array.from({ length: 1600 }, (_, i) => 128 + Math.round(100 * Math.sin(i / 5)));
    const float64 = new Uint8Array(Float64Array.from({ length: 1600 }, (_, i) => 0.5 * Math.sin(i / 5)).buffer);
    await writeFile(join(directory, 'in8.wav'), plainWav(1, 8, 2, 8000, pcm8));
    await writeFile(join(directory, 'in64.wav'), plainWav(3, 64, 1, 8000, float64));

    expect((await runCli(['process', join(directory, 'in8.wav'), '-o', join(directory, 'out8.wav')])).exitCode).toBe(0);
    expect((await runCli(['process', join(directory, 'in64.wav'), '-o', join(directory, 'out64.wav')])).exitCode).toBe(0);

    const out8 = readWav(await readFile(join(directory, 'out8.wav')));
    expect([out8.format, out8.channels.length, out8.channels[0].length]).toEqual(['pcm16', 2, 800]);
    const out64 = readWav(await readFile(join(directory, 'out64.wav')));
    expect([out64.format, out64.channels.length, out64.channels[0].length]).toEqual(['float32', 1, 1600]);
  });

  it('writes a parseable --json file with the stats, paths, formats and options', async () => {
    const directory = await freshDirectory();
    const input = join(directory, 'in.wav');
    const output = join(directory, 'out.wav');
    const json = join(directory, 'stats.json');
    await writeFile(input, writeWav(toneWithNoise(2, 48000, 0.5, 9), 48000, 'pcm24'));

    const result = await runCli(['process', input, '-o', output, '--ns', 'strong', '--json', json]);

    expect(result.exitCode).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8'));
    expect(report).toMatchObject({
      tool: 'sazanami', command: 'process',
      input: { path: input, format: 'pcm24' }, output: { path: output, format: 'pcm24' },
      options: { noiseSuppression: 'strong' },
      stats: { sampleRate: 48000, channels: 2, frames: 24000, durationSec: 0.5, noiseSuppression: 'strong' },
    });
    for (const key of ['internalSampleRate', 'latencySamples', 'processingMs', 'realTimeFactor', 'meanSpeechProbability',
      'noiseLevelDbfs']) {
      expect(typeof report.stats[key], key).toBe('number');
    }
    expect((await readdir(directory)).sort()).toEqual(['in.wav', 'out.wav', 'stats.json']);
  });

  it('prints nothing with --quiet', async () => {
    const directory = await freshDirectory();
    const input = join(directory, 'in.wav');
    await writeFile(input, writeWav(toneWithNoise(1, 16000, 0.2, 1), 16000, 'pcm16'));
    const result = await runCli(['process', input, '-o', join(directory, 'out.wav'), '--quiet']);
    expect(result).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('accepts options before the input, --ns=value, and replaces an existing output file', async () => {
    const directory = await freshDirectory();
    const input = join(directory, 'in.wav');
    const output = join(directory, 'out.wav');
    await writeFile(input, writeWav(toneWithNoise(1, 16000, 0.2, 2), 16000, 'pcm16'));
    await writeFile(output, 'old contents');

    const result = await runCli(['process', '-q', '--ns=off', '-o', output, input]);

    expect(result.exitCode).toBe(0);
    expect(readWav(await readFile(output)).channels[0].length).toBe(3200);
  });
});

describe('sazanami help and version', () => {
  it('prints the command list for --help on stdout and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Usage: sazanami <command>/);
    expect(result.stdout).toMatch(/\n {2}process {2}/);
    expect(result.stderr).toBe('');
  });

  it('prints the process usage for `process --help` and `help process`', async () => {
    for (const args of [['process', '--help'], ['help', 'process'], ['process', 'in.wav', '-h']]) {
      const result = await runCli(args);
      expect(result.exitCode, args.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/^Usage: sazanami process <in\.wav> -o <out\.wav> \[--ns off\|light\|balanced\|strong\]/);
    }
  });

  it('prints the package.json version for --version and -V', async () => {
    const { version } = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      expect(await runCli([flag])).toEqual({ exitCode: 0, stdout: `${version}\n`, stderr: '' });
    }
  });
});

describe('sazanami process: bad input exits 2 with one stderr line and no output file', () => {
  interface BadCase {
    name: string;
    /** Input file contents, or undefined to leave in.wav absent. */
    input?: Uint8Array | string;
    /** Arguments; IN, OUT and DIR are replaced with paths in the test's directory. */
    args: string[];
    error: RegExp;
  }
  const validInput = (): Uint8Array => writeWav(toneWithNoise(1, 16000, 0.1, 4), 16000, 'pcm16');
  const standard = ['process', 'IN', '-o', 'OUT'];
  const cases: BadCase[] = [
    { name: 'a text file', input: 'this is not audio\n', args: standard,
      error: /^not a WAV file \(no RIFF\/WAVE header\); accepted: RIFF WAVE with .*PCM/ },
    { name: 'an empty file', input: new Uint8Array(0), args: standard, error: /^empty file \(0 bytes\); accepted: / },
    { name: 'a truncated WAV', input: validInput().subarray(0, 1000), args: standard,
      error: /^truncated WAV: data chunk declares 3200 bytes but only 956 remain$/ },
    { name: 'an A-law WAV', input: patchedWav((view) => view.setUint16(20, 6, true)), args: standard,
      error: /^unsupported WAV encoding: A-law \(format 6\); accepted: / },
    { name: 'a WAV with 0 channels', input: patchedWav((view) => view.setUint16(22, 0, true)), args: standard,
      error: /^WAV has 0 channels; accepted: 1 or more channels$/ },
    { name: 'a WAV with no frames', input: writeWav([new Float32Array(0)], 16000, 'pcm16'), args: standard,
      error: /^WAV has no audio frames/ },
    { name: 'a 4 kHz WAV (below what the chain processes)', input: writeWav(toneWithNoise(1, 4000, 0.1, 5), 4000, 'pcm16'), args: standard,
      error: /^sample rate 4000 Hz is not supported; accepted: 8000–384000 Hz$/ },
    { name: 'an unknown option', input: validInput(), args: [...standard, '--loud'],
      error: /^unknown option '--loud' for 'process'; accepted: -o\/--output <out\.wav>, --ns <off\|light\|balanced\|strong>/ },
    { name: '-o without a value', input: validInput(), args: ['process', 'IN', '-o'], error: /^option '-o' needs a value \(out\.wav\)$/ },
    { name: 'an option where the -o value should be', input: validInput(), args: ['process', 'IN', '-o', '--ns', 'off'],
      error: /^option '-o' needs a value/ },
    { name: 'no input argument', args: ['process', '-o', 'OUT'], error: /^missing input file; usage: sazanami process / },
    { name: 'no -o', input: validInput(), args: ['process', 'IN'], error: /^missing output file \(-o <out\.wav>\)/ },
    { name: 'two inputs', input: validInput(), args: [...standard, 'IN'], error: /^unexpected argument '.*in\.wav'; 'process' takes one input file/ },
    { name: 'a missing input file', args: standard, error: /^cannot read input '.*in\.wav': no such file or directory$/ },
    { name: 'a directory as input', args: ['process', 'DIR', '-o', 'OUT'], error: /^cannot read input '.*': it is a directory$/ },
    { name: 'an output in a missing directory', input: validInput(), args: ['process', 'IN', '-o', 'DIR/nowhere/out.wav'],
      error: /^cannot write output '.*out\.wav': directory '.*nowhere' does not exist$/ },
    { name: 'an output path that is a directory', input: validInput(), args: ['process', 'IN', '-o', 'DIR'],
      error: /^cannot write output '.*': it is a directory$/ },
    { name: 'a --json path in a missing directory', input: validInput(), args: [...standard, '--json', 'DIR/nowhere/s.json'],
      error: /^cannot write stats file '.*s\.json': directory '.*nowhere' does not exist$/ },
    { name: 'the same path for -o and --json', input: validInput(), args: [...standard, '--json', 'DIR/./out.wav'],
      error: /^--json and -o name the same file/ },
    { name: 'a bad --ns value', input: validInput(), args: [...standard, '--ns', 'max'],
      error: /^invalid --ns value 'max'; accepted: off, light, balanced, strong$/ },
    { name: '--ns without a value', input: validInput(), args: [...standard, '--ns'],
      error: /^option '--ns' needs a value \(off\|light\|balanced\|strong\)$/ },
    { name: 'a value given to --quiet', input: validInput(), args: [...standard, '--quiet=yes'], error: /^option '--quiet' takes no value$/ },
    { name: 'a repeated option', input: validInput(), args: [...standard, '--ns', 'off', '--ns', 'light'],
      error: /^option '--ns' given more than once$/ },
    { name: 'an unknown command', args: ['proces', 'IN'], error: /^unknown command 'proces'; accepted: process, conceal, trace, video, demo$/ },
    { name: 'no command', args: [], error: /^missing command; accepted: process/ },
    { name: 'an unknown global option', args: ['--verbose'], error: /^unknown option '--verbose'; accepted: -h\/--help, -V\/--version/ },
  ];

  for (const { name, input, args, error } of cases) {
    it(`rejects ${name}`, async () => {
      const directory = await freshDirectory();
      const paths: Record<string, string> = { IN: join(directory, 'in.wav'), OUT: join(directory, 'out.wav'), DIR: directory };
      if (input !== undefined) await writeFile(paths.IN, input);
      const before = (await readdir(directory)).sort();

      const result = await runCli(args.map((arg) => arg.replace(/^(IN|OUT|DIR)/, (key) => paths[key])));

      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe('');
      const lines = result.stderr.split('\n');
      expect(lines).toHaveLength(2); // one line plus the final newline
      expect(lines[0].startsWith('sazanami: error: ')).toBe(true);
      expect(lines[0].slice('sazanami: error: '.length).replace(/^.*in\.wav: /, '')).toMatch(error);
      expect((await readdir(directory)).sort()).toEqual(before);
    });
  }

  it('prefixes WAV errors with the input path', async () => {
    const directory = await freshDirectory();
    const input = join(directory, 'in.wav');
    await writeFile(input, 'nope');
    const result = await runCli(['process', input, '-o', join(directory, 'out.wav')]);
    expect(result.stderr).toBe(`sazanami: error: ${input}: not a WAV file (no RIFF/WAVE header); `
      + 'accepted: RIFF WAVE with 8/16/24/32-bit integer PCM or 32/64-bit float\n');
  });

  it('leaves an existing output file untouched when the input is bad', async () => {
    const directory = await freshDirectory();
    const output = join(directory, 'out.wav');
    await writeFile(join(directory, 'in.wav'), 'not audio');
    await writeFile(output, 'previous result');
    const result = await runCli(['process', join(directory, 'in.wav'), '-o', output]);
    expect(result.exitCode).toBe(2);
    expect(await readFile(output, 'utf8')).toBe('previous result');
  });
});

describe('sazanami in-process: internal errors and the progress bar', () => {
  /** A stand-in for process.stdout/stderr that records what is written. */
  function recordingStream(isTTY = false): NodeJS.WritableStream & { text: string; isTTY: boolean; columns: number } {
    const stream = { text: '', isTTY, columns: 100, write(chunk: string) { stream.text += chunk; return true; } };
    return stream as unknown as NodeJS.WritableStream & { text: string; isTTY: boolean; columns: number };
  }

  it('exits 1 with one "internal error" line and no output file when processing throws', async () => {
    const directory = await freshDirectory();
    const input = join(directory, 'in.wav');
    await writeFile(input, writeWav(toneWithNoise(1, 16000, 0.1, 6), 16000, 'pcm16'));
    const stdout = recordingStream();
    const stderr = recordingStream();
    injected.processingError = new Error('kernel exploded\n    at somewhere');
    try {
      const exitCode = await main(['process', input, '-o', join(directory, 'out.wav')], { stdout, stderr, version: '0.0.0' });
      expect(exitCode).toBe(1);
    } finally {
      injected.processingError = undefined;
    }
    expect(stderr.text).toBe('sazanami: error: internal error: Error: kernel exploded at somewhere '
      + '(set SAZANAMI_DEBUG=1 for details)\n');
    expect(await readdir(directory)).toEqual(['in.wav']);
  });

  it('draws a progress bar on a TTY for an 11 s file, then clears it before the summary', async () => {
    const directory = await freshDirectory();
    const input = join(directory, 'in.wav');
    await writeFile(input, writeWav(toneWithNoise(1, 8000, 11, 8), 8000, 'pcm16'));
    const stderr = recordingStream(true);
    const exitCode = await main(['process', input, '-o', join(directory, 'out.wav')], { stdout: recordingStream(), stderr, version: '0' });
    expect(exitCode).toBe(0);
    expect(stderr.text).toContain('100%');
    expect(stderr.text).toMatch(/\r\x1b\[2Ksazanami: .* -> .*out\.wav .*\n$/);
  });

  it('draws nothing on a TTY for a 10 s file, on a pipe, or with quiet', () => {
    for (const [isTTY, durationSec, quiet] of [[true, 10, false], [false, 60, false], [true, 60, true]] as const) {
      const stream = recordingStream(isTTY);
      const bar = createProgressBar(stream, 'x', durationSec, quiet);
      bar.update(0.5);
      bar.done();
      expect(stream.text, `${isTTY} ${durationSec} ${quiet}`).toBe('');
    }
  });

  it('redraws only when the whole percentage changes and clamps out-of-range fractions', () => {
    const stream = recordingStream(true);
    const bar = createProgressBar(stream, 'processing', 60);
    for (const fraction of [0, 0.001, 0.004, 0.011, 0.5, 0.5, 2, NaN]) bar.update(fraction);
    const frames = stream.text.split('\r\x1b[2K').filter((frame) => frame !== '');
    expect(frames.map((frame) => frame.slice(-4))).toEqual(['  0%', '  1%', ' 50%', '100%', '  0%']);
  });

  it('fits the bar to the terminal width and drops it when too narrow', () => {
    expect(renderProgressLine('processing a.wav', 50, 80)).toBe(`processing a.wav [${'#'.repeat(20)}${'.'.repeat(20)}]  50%`);
    expect(renderProgressLine('processing a.wav', 50, 50).length).toBeLessThanOrEqual(50);
    expect(renderProgressLine('processing a.wav', 7, 25)).toBe('processing a.wav   7%');
  });
});

describe('sazanami demo (what npm start runs)', () => {
  it('writes the built-in sample and one result per preset, and reports a lower noise floor', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sazanami-demo-'));
    try {
      const result = await runCli(['demo', '--out', directory]);
      expect(result.exitCode).toBe(0);
      expect((await readdir(directory)).sort()).toEqual(['A-input.wav', 'B-balanced.wav', 'B-light.wav', 'B-strong.wav']);
      const input = readWav(await readFile(join(directory, 'A-input.wav')));
      const balanced = readWav(await readFile(join(directory, 'B-balanced.wav')));
      expect(balanced.channels[0].length).toBe(input.channels[0].length);
      // The table row: "balanced   -47.6 dB   14.5 dB ..." — the reduction column must be positive.
      const row = result.stdout.split('\n').find((line) => line.startsWith('balanced'));
      const reductionDb = Number(row?.trim().split(/\s+/)[3]);
      expect(reductionDb).toBeGreaterThan(8);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

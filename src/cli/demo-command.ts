// `sazanami demo` (what `npm start` runs): the built-in noisy-speech sample through every
// noise-suppression preset, written side by side for A/B listening, with a table of what changed.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadEngineCore, processOffline } from '../core/offline.js';
import { NOISE_SUPPRESSION_LEVELS } from '../core/options.js';
import { readWav, writeWav } from '../core/wav.js';
import { parseArgs, type OptionSpec } from './args.js';
import { EXIT_OK, UsageError, type CliCommand } from './command.js';
import { toFileUsageError } from './file-errors.js';

/** Found beside src/ (tsx) and beside dist/src/ (copied by `npm run build`). */
const SAMPLE_URL = new URL('../../demo/samples/noisy-speech.wav', import.meta.url);
/** The sample starts with 0.5 s of noise before speech: its level is the noise floor. */
const NOISE_ONLY_SECONDS = 0.45;

const OPTIONS: readonly OptionSpec[] = [{ name: 'out', value: 'dir' }, { name: 'help', short: 'h' }];
const USAGE = 'sazanami demo [--out <dir>]';
const HELP = `Usage: ${USAGE}

Runs the built-in noisy-speech sample (fan noise at 5 dB, then white noise at 10 dB SNR) through
each noise-suppression preset and writes the input and every result to <dir> (default
./sazanami-demo) for A/B listening. Prints the noise floor before and after, the speech level
kept, and the processing speed.
`;

function rmsDb(x: Float32Array, from = 0, to = x.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i] * x[i];
  return 10 * Math.log10(sum / Math.max(1, to - from) + 1e-20);
}

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'process the built-in noisy-speech sample with every preset (A/B files + numbers)',
  help: HELP,
  async run(args, context) {
    const { options, positionals } = parseArgs(args, OPTIONS, 'demo');
    if (options.has('help')) {
      context.stdout.write(HELP);
      return EXIT_OK;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'; usage: ${USAGE}`);
    const out = resolve(String(options.get('out') ?? 'sazanami-demo'));
    const sample = readWav(new Uint8Array(await readFile(SAMPLE_URL)));
    const input = sample.channels[0];
    const rate = sample.sampleRate;
    try {
      await mkdir(out, { recursive: true });
      await writeFile(join(out, 'A-input.wav'), writeWav([input], rate, 'pcm16'));
    } catch (error) {
      throw toFileUsageError(error, out, 'output folder');
    }
    const core = await loadEngineCore();
    const noiseEnd = Math.round(NOISE_ONLY_SECONDS * rate);
    const noiseIn = rmsDb(input, 0, noiseEnd);
    const levelIn = rmsDb(input, noiseEnd);
    const lines = [`sazanami demo — ${(input.length / rate).toFixed(1)} s of noisy speech at ${rate} Hz (${core.simd ? 'SIMD' : 'scalar'} Wasm)`, '',
      `${'preset'.padEnd(10)} ${'noise floor'.padStart(12)} ${'reduction'.padStart(10)} ${'overall level'.padStart(14)} ${'speed'.padStart(12)}  file`,
      `${'input'.padEnd(10)} ${`${noiseIn.toFixed(1)} dB`.padStart(12)} ${''.padStart(10)} ${`${levelIn.toFixed(1)} dB`.padStart(14)} ${''.padStart(12)}  A-input.wav`];
    for (const level of NOISE_SUPPRESSION_LEVELS.filter((l) => l !== 'off')) {
      const { channels, stats } = processOffline(core, [input], rate, { noiseSuppression: level });
      const file = `B-${level}.wav`;
      await writeFile(join(out, file), writeWav(channels, rate, 'pcm16'));
      const noiseOut = rmsDb(channels[0], 0, noiseEnd);
      lines.push(`${level.padEnd(10)} ${`${noiseOut.toFixed(1)} dB`.padStart(12)} ${`${(noiseIn - noiseOut).toFixed(1)} dB`.padStart(10)} ` +
        `${`${rmsDb(channels[0], noiseEnd).toFixed(1)} dB`.padStart(14)} ${`${stats.realTimeFactor.toFixed(0)}× RT`.padStart(12)}  ${file}`);
    }
    lines.push('', `Listen: ${out}/A-input.wav (before) and B-*.wav (after). Your own file: sazanami process <in.wav> -o <out.wav>`, '');
    context.stdout.write(lines.join('\n'));
    return EXIT_OK;
  },
};

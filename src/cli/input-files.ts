// Reading the CLI's input files: one place that turns a missing file, a directory or a decode
// error into a UsageError (exit 2, one line), and the down-mix the audio commands share.
import { readFile, stat } from 'node:fs/promises';
import { readWav, type WavAudio, WavError } from '../core/wav.js';
import { UsageError } from './command.js';
import { toFileUsageError } from './file-errors.js';

/** The bytes (or, with `encoding`, the text) of an input file; `what` names it in errors ("input", "trace"). */
export async function readInputFile(path: string, what: string): Promise<Uint8Array>;
export async function readInputFile(path: string, what: string, encoding: 'utf8'): Promise<string>;
export async function readInputFile(path: string, what: string, encoding?: 'utf8'): Promise<Uint8Array | string> {
  try {
    if ((await stat(path)).isDirectory()) throw new UsageError(`cannot read ${what} '${path}': it is a directory`);
    return encoding === undefined ? await readFile(path) : await readFile(path, encoding);
  } catch (error) {
    throw toFileUsageError(error, `read ${what}`, path);
  }
}

/** A decoded WAV input; decoding errors become one-line usage errors naming the file. */
export async function readWavInput(path: string): Promise<WavAudio> {
  const bytes = await readInputFile(path, 'input');
  try {
    return readWav(bytes);
  } catch (error) {
    if (error instanceof WavError) throw new UsageError(`${path}: ${error.message}`);
    throw error;
  }
}

/** The mean of all channels (the first channel itself when there is only one). */
export function downmixToMono(channels: Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0];
  const out = new Float32Array(channels[0].length);
  for (const c of channels) for (let i = 0; i < out.length; i++) out[i] += c[i] / channels.length;
  return out;
}

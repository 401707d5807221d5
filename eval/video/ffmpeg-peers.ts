// ffmpeg's C filters as peers in the video table and benchmark: frames are piped through
// `ffmpeg -f yuv4mpegpipe` with one thread (-threads 1, -filter_threads 1), so its numbers compare
// with single-threaded Wasm. The filter time is the run's time minus a null-filter run of the same
// frames (pipe, parse and write overhead).
import { spawnSync } from 'node:child_process';
import { writeY4m, y4mHeader, readY4m } from '../../src/core/video/y4m.js';

export const FFMPEG = process.env.FFMPEG ?? 'ffmpeg';

export function ffmpegAvailable(): boolean {
  const run = spawnSync(FFMPEG, ['-hide_banner', '-version'], { stdio: 'pipe' });
  return run.status === 0;
}

export function ffmpegHasFilter(name: string): boolean {
  const run = spawnSync(FFMPEG, ['-hide_banner', '-filters'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return run.status === 0 && new RegExp(`\\s${name}\\s`).test(run.stdout);
}

export interface FfmpegRun {
  frames: Uint8Array[];
  /** Wall time of the whole ffmpeg process, ms. */
  elapsedMs: number;
}

/** Runs `filter` (an -vf graph; 'null' for none) single-threaded on I420 frames; returns I420 frames. */
export function runFfmpegFilter(frames: Uint8Array[], width: number, height: number, filter: string): FfmpegRun {
  const input = writeY4m(y4mHeader(width, height), frames);
  const started = performance.now();
  const run = spawnSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-threads', '1', '-filter_threads', '1',
    '-f', 'yuv4mpegpipe', '-i', 'pipe:0', '-vf', `${filter},format=yuv420p`, '-threads', '1', '-strict', '-1', '-f', 'yuv4mpegpipe', 'pipe:1'],
  { input, maxBuffer: 2 ** 31, stdio: ['pipe', 'pipe', 'pipe'] });
  const elapsedMs = performance.now() - started;
  if (run.status !== 0) throw new Error(`ffmpeg -vf ${filter} failed: ${run.stderr.toString().trim().split('\n').pop() ?? `exit ${run.status}`}`);
  const output = readY4m(new Uint8Array(run.stdout.buffer, run.stdout.byteOffset, run.stdout.byteLength));
  return { frames: output.frames, elapsedMs };
}

/** ms per frame of `filter` beyond ffmpeg's own pipe/parse/write cost (best of `repeats`). */
export function timeFfmpegFilter(frames: Uint8Array[], width: number, height: number, filter: string, repeats = 3): number {
  let best = Infinity, bestNull = Infinity;
  for (let i = 0; i < repeats; i++) {
    bestNull = Math.min(bestNull, runFfmpegFilter(frames, width, height, 'null').elapsedMs);
    best = Math.min(best, runFfmpegFilter(frames, width, height, filter).elapsedMs);
  }
  return Math.max(0, best - bestNull) / frames.length;
}

/** The peer chains scored in the table: ffmpeg's nearest equivalents of each sazanami stage. */
export const FFMPEG_PEERS = {
  denoise: 'hqdn3d',
  sharpen: 'unsharp=5:5:1.0',
  /** eq has no analysis: a fixed gamma chosen for two-stops-under footage. */
  exposure: 'eq=gamma=1.8',
  /** normalize stretches levels per channel with temporal smoothing (adaptive, like ours). */
  exposureAdaptive: 'normalize=smoothing=30:independence=0',
  whiteBalance: 'grayworld',
  chain: 'hqdn3d,eq=gamma=1.3,unsharp=5:5:0.8',
} as const;

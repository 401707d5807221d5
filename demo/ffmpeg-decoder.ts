// Decodes any audio/video file the user opens with FFmpeg compiled to WebAssembly (@ffmpeg/ffmpeg,
// single-thread @ffmpeg/core), loaded only when the first file is opened. Everything comes from this
// origin: the core's JS and Wasm are emitted by Vite from node_modules (never a CDN, never a blob:
// URL), so it runs under the page's CSP (script-src 'self' 'wasm-unsafe-eval'; worker-src 'self').
// Audio comes out as 48 kHz float WAV, video as 8-bit 4:2:0 Y4M (scaled down and cut short: the
// corrected copy is kept in memory). The corrected result is encoded back to WebM (VP8 + Opus) for
// download.
import coreUrl from '@ffmpeg/core?url';
import wasmUrl from '@ffmpeg/core/wasm?url';
import type { FFmpeg } from '@ffmpeg/ffmpeg';

export const DECODED_SAMPLE_RATE_HZ = 48000;
/** Video is cut to this long and scaled to at most this wide (the corrected copy is held in memory). */
export const MAX_VIDEO_SECONDS = 6;
export const MAX_VIDEO_WIDTH = 640;

export interface ProbedStreams {
  /** Channels of the first audio stream (null without audio). */
  audioChannels: number | null;
  /** The first video stream's description (null without video). */
  video: string | null;
  durationSeconds: number | null;
}

export interface DecodedFile {
  streams: ProbedStreams;
  /** 48 kHz float WAV of the first audio stream (mono or stereo), or null. */
  wav: Uint8Array | null;
  /** Y4M (4:2:0) of the first video stream, or null. */
  y4m: Uint8Array | null;
  /** FFmpeg's log of the last command (for error messages). */
  log: string[];
}

let loading: Promise<FFmpeg> | null = null;

/** Loads FFmpeg once (about 30 MB of Wasm, fetched on first use). */
export function loadFfmpeg(): Promise<FFmpeg> {
  loading ??= (async () => {
    const { FFmpeg } = await import('@ffmpeg/ffmpeg');
    const ffmpeg = new FFmpeg();
    // Absolute URLs: the worker resolves them against its own location otherwise.
    await ffmpeg.load({ coreURL: new URL(coreUrl, location.href).href, wasmURL: new URL(wasmUrl, location.href).href });
    return ffmpeg;
  })();
  loading.catch(() => { loading = null; });
  return loading;
}

/** Reads stream facts from `ffmpeg -i` (which exits non-zero: no output was asked for). */
function probe(log: readonly string[]): ProbedStreams {
  let audioChannels: number | null = null;
  let video: string | null = null;
  let durationSeconds: number | null = null;
  for (const line of log) {
    const duration = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(line);
    if (duration !== null && durationSeconds === null) durationSeconds = 3600 * Number(duration[1]) + 60 * Number(duration[2]) + Number(duration[3]);
    if (audioChannels === null && /Stream #.*: Audio:/.test(line)) {
      audioChannels = /\bmono\b/.test(line) ? 1 : 2;
    }
    if (video === null && /Stream #.*: Video:/.test(line) && !/attached pic/.test(line)) video = line.replace(/^.*Video:\s*/, '').trim();
  }
  return { audioChannels, video, durationSeconds };
}

/** Decodes `file` (any container FFmpeg reads). `onProgress` gets 0–1 per step. */
export async function decodeWithFfmpeg(file: File, onProgress: (step: string, fraction: number) => void): Promise<DecodedFile> {
  onProgress('Loading FFmpeg (WebAssembly)…', 0);
  const ffmpeg = await loadFfmpeg();
  const log: string[] = [];
  const onLog = ({ message }: { message: string }) => { log.push(message); };
  let step = '';
  const onFfmpegProgress = ({ progress }: { progress: number }) => { if (progress >= 0 && progress <= 1) onProgress(step, progress); };
  ffmpeg.on('log', onLog);
  ffmpeg.on('progress', onFfmpegProgress);
  const input = `input${/\.[a-z0-9]{1,5}$/i.exec(file.name)?.[0].toLowerCase() ?? ''}`;
  try {
    onProgress('Reading the file…', 0);
    await ffmpeg.writeFile(input, new Uint8Array(await file.arrayBuffer()));
    await ffmpeg.exec(['-hide_banner', '-i', input]);
    const streams = probe(log);
    if (streams.audioChannels === null && streams.video === null) {
      throw new Error(`FFmpeg found no audio or video in ${file.name}: ${log.filter((line) => /error|invalid/i.test(line)).slice(-1)[0] ?? 'unknown format'}`);
    }
    let wav: Uint8Array | null = null;
    let y4m: Uint8Array | null = null;
    if (streams.audioChannels !== null) {
      step = 'Decoding the audio…';
      log.length = 0;
      const code = await ffmpeg.exec(['-hide_banner', '-i', input, '-vn', '-ac', String(Math.min(2, streams.audioChannels)),
        '-ar', String(DECODED_SAMPLE_RATE_HZ), '-c:a', 'pcm_f32le', '-f', 'wav', 'audio.wav']);
      if (code !== 0) throw new Error(`FFmpeg could not decode the audio (exit ${code}): ${log.slice(-1)[0] ?? ''}`);
      wav = await ffmpeg.readFile('audio.wav') as Uint8Array;
      await ffmpeg.deleteFile('audio.wav');
    }
    if (streams.video !== null) {
      step = 'Decoding the video…';
      log.length = 0;
      // Even sizes (4:2:0), at most MAX_VIDEO_WIDTH wide; the comma inside min() is escaped for the filter graph.
      const code = await ffmpeg.exec(['-hide_banner', '-i', input, '-an', '-t', String(MAX_VIDEO_SECONDS),
        '-vf', `scale=w='2*trunc(min(${MAX_VIDEO_WIDTH}\\,iw)/2)':h=-2`, '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', 'video.y4m']);
      if (code !== 0) throw new Error(`FFmpeg could not decode the video (exit ${code}): ${log.slice(-1)[0] ?? ''}`);
      y4m = await ffmpeg.readFile('video.y4m') as Uint8Array;
      await ffmpeg.deleteFile('video.y4m');
    }
    return { streams, wav, y4m, log: [...log] };
  } finally {
    await ffmpeg.deleteFile(input).catch(() => undefined);
    ffmpeg.off('log', onLog);
    ffmpeg.off('progress', onFfmpegProgress);
  }
}

/**
 * Encodes processed media for download: WebM with VP8 video (from `y4m`) and, when given, Opus
 * audio (from `wav`), cut to the shorter of the two.
 */
export async function encodeWebm(y4m: Uint8Array, wav: Uint8Array | null, onProgress: (fraction: number) => void): Promise<Uint8Array> {
  const ffmpeg = await loadFfmpeg();
  const log: string[] = [];
  const onLog = ({ message }: { message: string }) => { log.push(message); };
  const onFfmpegProgress = ({ progress }: { progress: number }) => { if (progress >= 0 && progress <= 1) onProgress(progress); };
  ffmpeg.on('log', onLog);
  ffmpeg.on('progress', onFfmpegProgress);
  try {
    await ffmpeg.writeFile('corrected.y4m', y4m);
    const inputs = ['-i', 'corrected.y4m'];
    if (wav !== null) {
      await ffmpeg.writeFile('processed.wav', wav);
      inputs.push('-i', 'processed.wav');
    }
    // Real-time VP8 settings: single-thread Wasm encoding stays a few times faster than the clip.
    const code = await ffmpeg.exec(['-hide_banner', ...inputs, '-c:v', 'libvpx', '-b:v', '1500k', '-deadline', 'realtime', '-cpu-used', '8',
      ...(wav !== null ? ['-c:a', 'libopus', '-b:a', '96k', '-shortest'] : []), '-f', 'webm', 'corrected.webm']);
    if (code !== 0) throw new Error(`FFmpeg could not encode the WebM (exit ${code}): ${log.slice(-1)[0] ?? ''}`);
    return await ffmpeg.readFile('corrected.webm') as Uint8Array;
  } finally {
    for (const path of ['corrected.y4m', 'processed.wav', 'corrected.webm']) await ffmpeg.deleteFile(path).catch(() => undefined);
    ffmpeg.off('log', onLog);
    ffmpeg.off('progress', onFfmpegProgress);
  }
}

// Tab (d): "open your own file". The file is decoded in the page by FFmpeg (Wasm, loaded on first
// use: ffmpeg-decoder.ts), its audio processed through engine.createCaptureNode on an
// OfflineAudioContext and its video through the Wasm video kernel (file-processing.ts). Audio plays
// A/B (both sides run together, the switch crossfades), with whole-file spectrograms; video shows
// original and corrected frames side by side. The processed audio (WAV) and video (WebM with the
// processed audio, or lossless Y4M) are offered for download through Blob URLs.
import type { NoiseSuppressionLevel, VideoCorrectionOptions } from '../dist/src/index.js';
import { writeWav } from '../dist/src/core/wav.js';
import type { Side } from './ab-graph.js';
import { BufferAbPlayer } from './buffer-ab-player.js';
import { decodeWithFfmpeg, DECODED_SAMPLE_RATE_HZ, encodeWebm, MAX_VIDEO_SECONDS, MAX_VIDEO_WIDTH } from './ffmpeg-decoder.js';
import { processAudioBuffer, processY4m, type ProcessedVideo } from './file-processing.js';
import { drawFileSpectrogram } from './file-spectrogram.js';
import { type PictureLevels, PictureMeter } from './picture-meter.js';
import { sharedEngine } from './shared-engine.js';

/** The correction applied to a file's video (the camera tab's starting values). */
const FILE_VIDEO_OPTIONS: VideoCorrectionOptions = { exposure: 0.8, whiteBalance: 0.8, denoise: 3, sharpen: 2 };

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`missing #${id}`);
  return element as T;
}

/** RMS of the first channel, dBFS. */
function rmsDbfs(buffer: AudioBuffer): number {
  const samples = buffer.getChannelData(0);
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return 10 * Math.log10(sum / Math.max(1, samples.length) + 1e-20);
}

function baseName(name: string): string {
  return name.replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '_').slice(0, 80) || 'file';
}

interface AudioResult {
  input: AudioBuffer;
  output: AudioBuffer;
  preset: NoiseSuppressionLevel;
  wavBytes: number;
  url: string;
  name: string;
  processMs: number;
}

interface VideoResult {
  processed: ProcessedVideo;
  /** Blob URLs and names of the lossless Y4M and of the WebM (VP8 + the processed audio as Opus; null until encoded). */
  url: string;
  name: string;
  webm: { url: string; name: string; bytes: number } | null;
}

export class FileSection {
  private readonly ui = {
    input: byId<HTMLInputElement>('file-input'),
    presets: byId('file-presets'),
    status: byId('file-status'),
    progress: byId<HTMLProgressElement>('file-progress'),
    audio: byId('file-audio'),
    play: byId<HTMLButtonElement>('file-play'),
    playLabel: byId('file-play-label'),
    ab: byId<HTMLButtonElement>('file-ab'),
    download: byId<HTMLAnchorElement>('file-download'),
    audioInfo: byId('file-audio-info'),
    spectrumA: byId<HTMLCanvasElement>('file-spectrum-a'),
    spectrumB: byId<HTMLCanvasElement>('file-spectrum-b'),
    video: byId('file-video'),
    videoPlay: byId<HTMLButtonElement>('file-video-play'),
    videoPlayLabel: byId('file-video-play-label'),
    frame: byId<HTMLInputElement>('file-video-frame'),
    videoDownload: byId<HTMLAnchorElement>('file-video-download'),
    videoDownloadY4m: byId<HTMLAnchorElement>('file-video-download-y4m'),
    videoInfo: byId('file-video-info'),
    frameA: byId<HTMLCanvasElement>('file-frame-a'),
    frameB: byId<HTMLCanvasElement>('file-frame-b'),
  };
  private readonly meter = new PictureMeter();
  private busy = false;
  private fileName: string | null = null;
  private audio: AudioResult | null = null;
  private player: BufferAbPlayer | null = null;
  private video: VideoResult | null = null;
  private videoTimer: ReturnType<typeof setInterval> | undefined;
  private videoLevels: { a: PictureLevels | null; b: PictureLevels | null } = { a: null, b: null };
  private lastError: string | null = null;
  private processed = 0;

  constructor(private readonly onError: (error: unknown) => void) {
    this.ui.input.addEventListener('change', () => {
      const file = this.ui.input.files?.[0];
      if (file !== undefined) void this.open(file);
    });
    this.ui.presets.addEventListener('change', () => { void this.reprocessAudio(); });
    this.ui.play.addEventListener('click', () => { void this.togglePlay(); });
    this.ui.ab.addEventListener('click', () => this.listen(this.player?.side === 'b' ? 'a' : 'b'));
    this.ui.videoPlay.addEventListener('click', () => this.toggleVideo());
    this.ui.frame.addEventListener('input', () => this.showFrame(Number(this.ui.frame.value)));
  }

  private get preset(): NoiseSuppressionLevel {
    return (this.ui.presets.querySelector<HTMLInputElement>('input:checked')?.value ?? 'balanced') as NoiseSuppressionLevel;
  }

  private progress(step: string, fraction: number | null): void {
    this.ui.status.textContent = step;
    this.ui.progress.hidden = fraction === null;
    if (fraction !== null) this.ui.progress.value = fraction;
  }

  async open(file: File): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.lastError = null;
    this.reset();
    this.fileName = file.name;
    try {
      const decoded = await decodeWithFfmpeg(file, (step, fraction) => this.progress(step, fraction));
      const engine = await sharedEngine();
      const notes: string[] = [];
      if (decoded.wav !== null) {
        this.progress('Processing the audio…', null);
        // An OfflineAudioContext at the decoded rate decodes the WAV without resampling.
        const input = await new OfflineAudioContext(1, 1, DECODED_SAMPLE_RATE_HZ).decodeAudioData(decoded.wav.slice().buffer);
        await this.processAudio(input);
        notes.push('audio');
      }
      if (decoded.y4m !== null) {
        this.progress('Correcting the video…', 0);
        const processed = await processY4m(engine, decoded.y4m, FILE_VIDEO_OPTIONS, (fraction) => this.progress('Correcting the video…', fraction));
        this.showVideo(processed);
        this.progress('Encoding the corrected video to WebM…', 0);
        const wav = this.audio === null ? null : this.wavOf(this.audio.output);
        // A copy: FFmpeg's writeFile transfers (detaches) the buffer it is given.
        const webm = await encodeWebm(processed.y4m.slice(), wav, (fraction) => this.progress('Encoding the corrected video to WebM…', fraction));
        this.setWebm(webm, wav !== null);
        notes.push(`video (first ${MAX_VIDEO_SECONDS} s, at most ${MAX_VIDEO_WIDTH} px wide)`);
      }
      this.processed++;
      this.progress(`Done: ${file.name}, ${notes.join(' and ')} processed. Play A/B below, or download.`, null);
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      this.progress(`Could not process ${file.name}: ${this.lastError}`, null);
      this.onError(error);
    } finally {
      this.busy = false;
    }
  }

  private async processAudio(input: AudioBuffer): Promise<void> {
    const engine = await sharedEngine();
    const preset = this.preset;
    const started = performance.now();
    const output = await processAudioBuffer(engine, input, preset);
    const processMs = performance.now() - started;
    const wav = this.wavOf(output);
    if (this.audio !== null) URL.revokeObjectURL(this.audio.url);
    const url = URL.createObjectURL(new Blob([wav.slice().buffer], { type: 'audio/wav' }));
    const name = `${baseName(this.fileName ?? 'audio')}-sazanami-${preset}.wav`;
    this.audio = { input, output, preset, wavBytes: wav.length, url, name, processMs };
    this.player?.close();
    this.player = new BufferAbPlayer(input, output);
    this.listen('a');
    this.renderPlay();
    this.ui.download.href = url;
    this.ui.download.download = name;
    this.ui.audioInfo.textContent = `${input.duration.toFixed(2)} s, ${input.numberOfChannels === 1 ? 'mono' : 'stereo'}, ${input.sampleRate / 1000} kHz · `
      + `${preset} noise suppression · processed in ${processMs.toFixed(0)} ms (${(input.duration * 1000 / Math.max(1, processMs)).toFixed(0)}× real time)`;
    this.ui.audio.hidden = false;
    drawFileSpectrogram(this.ui.spectrumA, input.getChannelData(0), input.sampleRate);
    drawFileSpectrogram(this.ui.spectrumB, output.getChannelData(0), output.sampleRate);
  }

  private wavOf(buffer: AudioBuffer): Uint8Array {
    const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c));
    return writeWav(channels, buffer.sampleRate, 'pcm16');
  }

  private setWebm(bytes: Uint8Array, withAudio: boolean): void {
    const video = this.video;
    if (video === null) return;
    if (video.webm !== null) URL.revokeObjectURL(video.webm.url);
    const url = URL.createObjectURL(new Blob([bytes.slice().buffer], { type: 'video/webm' }));
    video.webm = { url, name: video.name.replace(/\.y4m$/, '.webm'), bytes: bytes.length };
    this.ui.videoDownload.href = url;
    this.ui.videoDownload.download = video.webm.name;
    this.ui.videoDownload.textContent = withAudio ? 'Download the corrected video with processed audio (WebM)' : 'Download the corrected video (WebM)';
  }

  private async reprocessAudio(): Promise<void> {
    if (this.audio === null || this.busy) return;
    this.busy = true;
    try {
      this.progress('Processing the audio again…', null);
      await this.processAudio(this.audio.input);
      if (this.video !== null && this.audio !== null) {
        // The WebM carries the processed audio: encode it again with the new preset.
        const wav = this.wavOf(this.audio.output);
        const webm = await encodeWebm(this.video.processed.y4m.slice(), wav, (fraction) => this.progress('Encoding the WebM again…', fraction));
        this.setWebm(webm, true);
      }
      this.processed++;
      this.progress(`Done: ${this.fileName}, ${this.preset} noise suppression.`, null);
    } catch (error) {
      this.onError(error);
    } finally {
      this.busy = false;
    }
  }

  private showVideo(processed: ProcessedVideo): void {
    if (this.video !== null) URL.revokeObjectURL(this.video.url);
    const url = URL.createObjectURL(new Blob([processed.y4m.slice().buffer], { type: 'video/x-yuv4mpeg' }));
    const name = `${baseName(this.fileName ?? 'video')}-sazanami.y4m`;
    this.video = { processed, url, name, webm: null };
    const { width, height, frameRateNumerator, frameRateDenominator } = processed.input.header;
    for (const canvas of [this.ui.frameA, this.ui.frameB]) { canvas.width = width; canvas.height = height; }
    this.ui.frame.max = String(processed.frames.length - 1);
    this.ui.frame.value = '0';
    this.ui.videoDownloadY4m.href = url;
    this.ui.videoDownloadY4m.download = name;
    this.ui.videoDownload.removeAttribute('href');
    this.ui.videoInfo.textContent = `${width} × ${height}, ${processed.frames.length} frames at ${(frameRateNumerator / frameRateDenominator).toFixed(2)} fps · `
      + `exposure ${FILE_VIDEO_OPTIONS.exposure}, white balance ${FILE_VIDEO_OPTIONS.whiteBalance}, denoise ${FILE_VIDEO_OPTIONS.denoise}, sharpen ${FILE_VIDEO_OPTIONS.sharpen} · `
      + `${processed.msPerFrame.toFixed(1)} ms per frame · WebM (VP8) to share, or lossless Y4M (VLC, mpv, ffplay)`;
    this.ui.video.hidden = false;
    this.showFrame(0);
  }

  private showFrame(index: number): void {
    const video = this.video;
    if (video === null) return;
    const { width, height } = video.processed.input.header;
    const draw = (canvas: HTMLCanvasElement, data: Uint8Array) => {
      const frame = new VideoFrame(data, { format: 'I420', codedWidth: width, codedHeight: height, timestamp: index });
      canvas.getContext('2d')?.drawImage(frame, 0, 0, width, height);
      frame.close();
    };
    draw(this.ui.frameA, video.processed.input.frames[index]);
    draw(this.ui.frameB, video.processed.frames[index]);
    this.ui.frame.value = String(index);
    this.videoLevels = { a: this.meter.measure(this.ui.frameA), b: this.meter.measure(this.ui.frameB) };
  }

  private toggleVideo(): void {
    const video = this.video;
    if (video === null) return;
    if (this.videoTimer !== undefined) {
      clearInterval(this.videoTimer);
      this.videoTimer = undefined;
    } else {
      const { frameRateNumerator, frameRateDenominator } = video.processed.input.header;
      this.videoTimer = setInterval(() => {
        this.showFrame((Number(this.ui.frame.value) + 1) % video.processed.frames.length);
      }, (1000 * frameRateDenominator) / frameRateNumerator);
    }
    this.ui.videoPlay.dataset.state = this.videoTimer !== undefined ? 'playing' : 'paused';
    this.ui.videoPlayLabel.textContent = this.videoTimer !== undefined ? 'Pause' : 'Play';
  }

  private async togglePlay(): Promise<void> {
    const player = this.player;
    if (player === null) return;
    if (player.playing) player.pause();
    else await player.play().catch(this.onError);
    this.renderPlay();
  }

  private renderPlay(): void {
    const playing = this.player?.playing ?? false;
    this.ui.play.dataset.state = playing ? 'playing' : 'paused';
    this.ui.playLabel.textContent = playing ? 'Pause' : 'Play';
  }

  listen(side: Side): void {
    this.player?.listen(side);
    this.ui.ab.setAttribute('aria-checked', String(side === 'b'));
    this.ui.ab.dataset.listening = side;
  }

  /** A / B / space while the file tab is shown. */
  onKey(event: KeyboardEvent): void {
    const key = event.key.toLowerCase();
    if (key !== ' ' && key !== 'a' && key !== 'b') return;
    event.preventDefault();
    if (event.type !== 'keydown' || event.repeat || this.player === null) return;
    this.listen(key === ' ' ? (this.player.side === 'a' ? 'b' : 'a') : key);
  }

  /** Stops playback (the tab was left). */
  pause(): void {
    this.player?.pause();
    this.renderPlay();
    if (this.videoTimer !== undefined) this.toggleVideo();
  }

  private reset(): void {
    this.pause();
    this.player?.close();
    this.player = null;
    if (this.audio !== null) URL.revokeObjectURL(this.audio.url);
    if (this.video !== null) URL.revokeObjectURL(this.video.url);
    if (this.video?.webm) URL.revokeObjectURL(this.video.webm.url);
    this.audio = null;
    this.video = null;
    this.ui.audio.hidden = true;
    this.ui.video.hidden = true;
    this.ui.download.removeAttribute('href');
    this.ui.videoDownload.removeAttribute('href');
    this.ui.videoDownloadY4m.removeAttribute('href');
  }

  /** For the browser test and the console. */
  snapshot() {
    const audio = this.audio, video = this.video;
    return {
      busy: this.busy,
      processed: this.processed,
      fileName: this.fileName,
      error: this.lastError,
      status: this.ui.status.textContent,
      audio: audio === null ? null : {
        inputSamples: audio.input.length, outputSamples: audio.output.length, sampleRate: audio.output.sampleRate, channels: audio.output.numberOfChannels,
        inputRmsDbfs: rmsDbfs(audio.input), outputRmsDbfs: rmsDbfs(audio.output),
        preset: audio.preset, wavBytes: audio.wavBytes, downloadUrl: this.ui.download.href, downloadName: this.ui.download.download, processMs: audio.processMs,
        playing: this.player?.playing ?? false, listening: this.player?.side ?? null,
      },
      video: video === null ? null : {
        width: video.processed.input.header.width, height: video.processed.input.header.height,
        inputFrames: video.processed.input.frames.length, outputFrames: video.processed.frames.length,
        y4mBytes: video.processed.y4m.length, y4mName: this.ui.videoDownloadY4m.download, webmBytes: video.webm?.bytes ?? null, webmName: video.webm?.name ?? null,
        msPerFrame: video.processed.msPerFrame,
        levels: { a: this.videoLevels.a && { ...this.videoLevels.a, histogram: undefined }, b: this.videoLevels.b && { ...this.videoLevels.b, histogram: undefined } },
      },
    };
  }
}

// WAV (RIFF WAVE) reader and writer: PCM and IEEE-float, plain and WAVE_FORMAT_EXTENSIBLE
// (Microsoft "Multiple Channel Audio Data and WAVE Files", 2001; RIFF spec, 1991). No dependencies.
import { printable } from './describe-value.js';

/** Sample encoding inside a WAV file. `pcm8` and `float64` are read but not written. */
export type WavSampleFormat = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64';

export const WAV_WRITABLE_FORMATS = ['pcm16', 'pcm24', 'pcm32', 'float32'] as const;
export type WavWritableFormat = (typeof WAV_WRITABLE_FORMATS)[number];

export const WAV_MIN_SAMPLE_RATE_HZ = 1000;
export const WAV_MAX_SAMPLE_RATE_HZ = 768_000;

export interface WavAudio {
  sampleRate: number;
  /** One array per channel, PCM scaled to [-1, 1); float samples exactly as stored. */
  channels: Float32Array[];
  format: WavSampleFormat;
}

/** Any malformed, truncated or unsupported WAV input; the message is one line naming what is accepted. */
export class WavError extends Error {
  override name = 'WavError';
}

const ACCEPTED = 'accepted: RIFF WAVE with 8/16/24/32-bit integer PCM or 32/64-bit float';
const SAMPLE_RATE_RANGE = `${WAV_MIN_SAMPLE_RATE_HZ}–${WAV_MAX_SAMPLE_RATE_HZ} Hz`;

const FORMAT_PCM = 0x0001;
const FORMAT_IEEE_FLOAT = 0x0003;
const FORMAT_EXTENSIBLE = 0xfffe;

/** Names for encodings people actually meet, so the error says "A-law" rather than "format 6". */
const ENCODING_NAMES: Readonly<Record<number, string>> = {
  0x0002: 'Microsoft ADPCM', 0x0006: 'A-law', 0x0007: 'µ-law', 0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10', 0x0050: 'MPEG audio', 0x0055: 'MP3', 0x0161: 'WMA', 0x2000: 'AC-3',
};

/** Bytes 2–15 of KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT; bytes 0–1 carry the format tag. */
const EXTENSIBLE_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

/** Chunk sizes that streaming writers leave when they cannot seek back: "data runs to end of file". */
const STREAMED_SIZES = new Set([0, 0xffffffff]);

const PCM_FULL_SCALE: Readonly<Record<'pcm16' | 'pcm24' | 'pcm32', number>> = {
  pcm16: 0x8000, pcm24: 0x800000, pcm32: 0x80000000,
};

const BYTES_PER_SAMPLE: Readonly<Record<WavSampleFormat, number>> = {
  pcm8: 1, pcm16: 2, pcm24: 3, pcm32: 4, float32: 4, float64: 8,
};

/** Default speaker positions (dwChannelMask) for common layouts; 0 means "no particular layout". */
const CHANNEL_MASKS: Readonly<Record<number, number>> = { 1: 0x4, 2: 0x3, 4: 0x33, 6: 0x3f, 8: 0x63f };

interface FmtChunk {
  channelCount: number;
  sampleRate: number;
  format: WavSampleFormat;
}

/** Parses a WAV file and deinterleaves it; throws WavError on anything it cannot decode faithfully. */
export function readWav(bytes: Uint8Array): WavAudio {
  if (bytes.length === 0) throw new WavError(`empty file (0 bytes); ${ACCEPTED}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const riffId = bytes.length >= 12 ? fourCc(bytes, 0) : '';
  if (riffId === 'RIFX') throw new WavError(`big-endian RIFX WAV is not supported; ${ACCEPTED}`);
  if (riffId === 'RF64') throw new WavError(`RF64 WAV is not supported; ${ACCEPTED}`);
  if (riffId !== 'RIFF' || fourCc(bytes, 8) !== 'WAVE') {
    throw new WavError(`not a WAV file (no RIFF/WAVE header); ${ACCEPTED}`);
  }

  let fmt: FmtChunk | undefined;
  let dataStart = -1;
  let dataBytes = 0;
  // The RIFF size field is often wrong in the wild, so chunks are walked up to the real end of file.
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = fourCc(bytes, offset);
    const declaredBytes = view.getUint32(offset + 4, true);
    const bodyStart = offset + 8;
    const remainingBytes = bytes.length - bodyStart;
    if (id === 'data' && dataStart < 0) {
      dataStart = bodyStart;
      if (STREAMED_SIZES.has(declaredBytes)) {
        dataBytes = remainingBytes;
        break;
      }
      if (declaredBytes > remainingBytes) {
        throw new WavError(`truncated WAV: data chunk declares ${declaredBytes} bytes but only ${remainingBytes} remain`);
      }
      dataBytes = declaredBytes;
    } else if (declaredBytes > remainingBytes) {
      // A damaged trailing chunk (metadata after the audio) does not make the audio unreadable.
      if (fmt !== undefined && dataStart >= 0) break;
      throw new WavError(`truncated WAV: ${printable(id.trim())} chunk declares ${declaredBytes} bytes but only ${remainingBytes} remain`);
    } else if (id === 'fmt ' && fmt === undefined) {
      fmt = parseFmt(bytes.subarray(bodyStart, bodyStart + declaredBytes));
    }
    offset = bodyStart + declaredBytes + (declaredBytes & 1);
  }

  if (fmt === undefined) throw new WavError(`invalid WAV: missing fmt chunk; ${ACCEPTED}`);
  if (dataStart < 0) throw new WavError('invalid WAV: missing data chunk (no audio)');
  const frameBytes = fmt.channelCount * BYTES_PER_SAMPLE[fmt.format];
  // A trailing partial frame (interrupted recording) is dropped rather than rejected.
  const frameCount = Math.floor(dataBytes / frameBytes);
  if (frameCount === 0) {
    throw new WavError(dataBytes === 0
      ? 'WAV has no audio frames (data chunk is empty)'
      : `WAV has no audio frames (data chunk has ${dataBytes} bytes, less than one ${frameBytes}-byte frame)`);
  }
  const channels = deinterleave(view, dataStart, frameCount, fmt);
  return { sampleRate: fmt.sampleRate, channels, format: fmt.format };
}

function parseFmt(body: Uint8Array): FmtChunk {
  if (body.length < 16) throw new WavError(`invalid WAV: fmt chunk is ${body.length} bytes; need at least 16`);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let formatTag = view.getUint16(0, true);
  const channelCount = view.getUint16(2, true);
  const sampleRate = view.getUint32(4, true);
  const blockAlignBytes = view.getUint16(12, true);
  const bitsPerSample = view.getUint16(14, true);

  if (formatTag === FORMAT_EXTENSIBLE) {
    if (body.length < 40) {
      throw new WavError(`invalid WAV: WAVE_FORMAT_EXTENSIBLE fmt chunk is ${body.length} bytes; need at least 40`);
    }
    const guid = body.subarray(24, 40);
    if (!EXTENSIBLE_GUID_TAIL.every((byte, i) => guid[i + 2] === byte)) {
      throw new WavError(`unsupported WAV encoding: extensible subformat {${formatGuid(guid)}}; ${ACCEPTED}`);
    }
    formatTag = view.getUint16(24, true);
  }

  if (channelCount === 0) throw new WavError('WAV has 0 channels; accepted: 1 or more channels');
  if (sampleRate < WAV_MIN_SAMPLE_RATE_HZ || sampleRate > WAV_MAX_SAMPLE_RATE_HZ) {
    throw new WavError(`unsupported sample rate ${sampleRate} Hz; accepted: ${SAMPLE_RATE_RANGE}`);
  }
  const format = sampleFormatOf(formatTag, bitsPerSample);
  // Integer PCM narrower than its container (e.g. 20-bit in 3 bytes) is left-justified, so reading the
  // whole container gives the right scale.
  const expectedBlockAlignBytes = channelCount * BYTES_PER_SAMPLE[format];
  if (blockAlignBytes !== expectedBlockAlignBytes) {
    throw new WavError(`invalid WAV: block align is ${blockAlignBytes} bytes but ${channelCount} channel(s) of `
      + `${bitsPerSample}-bit samples need ${expectedBlockAlignBytes}`);
  }
  return { channelCount, sampleRate, format };
}

function sampleFormatOf(formatTag: number, bitsPerSample: number): WavSampleFormat {
  if (formatTag === FORMAT_PCM) {
    const containerBits = Math.ceil(bitsPerSample / 8) * 8;
    switch (containerBits) {
      case 8: return 'pcm8';
      case 16: return 'pcm16';
      case 24: return 'pcm24';
      case 32: return 'pcm32';
    }
    throw new WavError(`unsupported WAV encoding: ${bitsPerSample}-bit integer PCM; ${ACCEPTED}`);
  }
  if (formatTag === FORMAT_IEEE_FLOAT) {
    if (bitsPerSample === 32) return 'float32';
    if (bitsPerSample === 64) return 'float64';
    throw new WavError(`unsupported WAV encoding: ${bitsPerSample}-bit float; ${ACCEPTED}`);
  }
  const name = ENCODING_NAMES[formatTag] ?? 'unknown';
  throw new WavError(`unsupported WAV encoding: ${name} (format ${formatTag}); ${ACCEPTED}`);
}

function deinterleave(view: DataView, dataStart: number, frameCount: number, fmt: FmtChunk): Float32Array[] {
  const { channelCount, format } = fmt;
  const channels = Array.from({ length: channelCount }, () => new Float32Array(frameCount));
  const sampleBytes = BYTES_PER_SAMPLE[format];
  const frameBytes = channelCount * sampleBytes;
  for (let c = 0; c < channelCount; c++) {
    const out = channels[c];
    let at = dataStart + c * sampleBytes;
    switch (format) {
      case 'pcm8':
        for (let i = 0; i < frameCount; i++, at += frameBytes) out[i] = (view.getUint8(at) - 128) / 128;
        break;
      case 'pcm16':
        for (let i = 0; i < frameCount; i++, at += frameBytes) out[i] = view.getInt16(at, true) / PCM_FULL_SCALE.pcm16;
        break;
      case 'pcm24':
        for (let i = 0; i < frameCount; i++, at += frameBytes) {
          const value = view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16);
          out[i] = value / PCM_FULL_SCALE.pcm24;
        }
        break;
      case 'pcm32':
        for (let i = 0; i < frameCount; i++, at += frameBytes) out[i] = view.getInt32(at, true) / PCM_FULL_SCALE.pcm32;
        break;
      case 'float32':
        for (let i = 0; i < frameCount; i++, at += frameBytes) out[i] = view.getFloat32(at, true);
        break;
      case 'float64':
        for (let i = 0; i < frameCount; i++, at += frameBytes) out[i] = view.getFloat64(at, true);
        break;
    }
  }
  return channels;
}

/**
 * Interleaves and encodes channels as a WAV file. Integer PCM is rounded and clipped to full scale;
 * float keeps values beyond ±1 (float WAVs carry headroom). NaN and ±Infinity are written as 0.
 * WAVE_FORMAT_EXTENSIBLE is used for more than 2 channels or more than 16 bits, as Microsoft recommends.
 */
export function writeWav(channels: Float32Array[], sampleRate: number, format: WavWritableFormat): Uint8Array {
  if (!WAV_WRITABLE_FORMATS.includes(format)) {
    throw new WavError(`cannot write WAV format '${String(format)}'; accepted: ${WAV_WRITABLE_FORMATS.join(', ')}`);
  }
  const channelCount = channels.length;
  if (channelCount === 0 || channelCount > 0xffff) {
    throw new WavError(`cannot write WAV with ${channelCount} channels; accepted: 1–65535 channels`);
  }
  if (!Number.isInteger(sampleRate) || sampleRate < WAV_MIN_SAMPLE_RATE_HZ || sampleRate > WAV_MAX_SAMPLE_RATE_HZ) {
    throw new WavError(`unsupported sample rate ${sampleRate} Hz; accepted: integer ${SAMPLE_RATE_RANGE}`);
  }
  const frameCount = channels[0].length;
  const mismatch = channels.findIndex((channel) => channel.length !== frameCount);
  if (mismatch >= 0) {
    throw new WavError(`cannot write WAV: channel ${mismatch} has ${channels[mismatch].length} samples `
      + `but channel 0 has ${frameCount}; accepted: channels of equal length`);
  }

  const sampleBytes = BYTES_PER_SAMPLE[format];
  const blockAlignBytes = channelCount * sampleBytes;
  const isFloat = format === 'float32';
  const extensible = channelCount > 2 || sampleBytes > 2;
  const fmtBytes = extensible ? 40 : isFloat ? 18 : 16;
  // Non-PCM formats need a fact chunk with the frame count.
  const factBytes = isFloat ? 12 : 0;
  const dataBytes = frameCount * blockAlignBytes;
  const headerBytes = 12 + 8 + fmtBytes + factBytes + 8;
  const riffBytes = headerBytes - 8 + dataBytes + (dataBytes & 1);
  if (riffBytes > 0xffffffff) throw new WavError(`audio too long for WAV: ${dataBytes} data bytes exceed the 4 GiB limit`);

  const bytes = new Uint8Array(headerBytes + dataBytes + (dataBytes & 1));
  const view = new DataView(bytes.buffer);
  let at = 0;
  const putFourCc = (id: string): void => {
    for (let i = 0; i < 4; i++) bytes[at + i] = id.charCodeAt(i);
    at += 4;
  };
  const putU16 = (value: number): void => { view.setUint16(at, value, true); at += 2; };
  const putU32 = (value: number): void => { view.setUint32(at, value, true); at += 4; };

  putFourCc('RIFF'); putU32(riffBytes); putFourCc('WAVE');
  putFourCc('fmt '); putU32(fmtBytes);
  const formatTag = isFloat ? FORMAT_IEEE_FLOAT : FORMAT_PCM;
  putU16(extensible ? FORMAT_EXTENSIBLE : formatTag);
  putU16(channelCount);
  putU32(sampleRate);
  putU32(sampleRate * blockAlignBytes);
  putU16(blockAlignBytes);
  putU16(sampleBytes * 8);
  if (extensible) {
    putU16(22); // cbSize: bytes of extension that follow
    putU16(sampleBytes * 8); // wValidBitsPerSample
    putU32(CHANNEL_MASKS[channelCount] ?? 0);
    putU16(formatTag);
    for (const byte of EXTENSIBLE_GUID_TAIL) bytes[at++] = byte;
  } else if (isFloat) {
    putU16(0);
  }
  if (isFloat) { putFourCc('fact'); putU32(4); putU32(frameCount); }
  putFourCc('data'); putU32(dataBytes);

  for (let c = 0; c < channelCount; c++) {
    const samples = channels[c];
    let offset = at + c * sampleBytes;
    if (format === 'float32') {
      for (let i = 0; i < frameCount; i++, offset += blockAlignBytes) {
        const value = samples[i];
        view.setFloat32(offset, Number.isFinite(value) ? value : 0, true);
      }
      continue;
    }
    const fullScale = PCM_FULL_SCALE[format];
    for (let i = 0; i < frameCount; i++, offset += blockAlignBytes) {
      const value = quantize(samples[i], fullScale);
      if (format === 'pcm16') view.setInt16(offset, value, true);
      else if (format === 'pcm32') view.setInt32(offset, value, true);
      else {
        view.setUint8(offset, value & 0xff);
        view.setUint8(offset + 1, (value >> 8) & 0xff);
        view.setUint8(offset + 2, (value >> 16) & 0xff);
      }
    }
  }
  return bytes;
}

/** Rounds to the nearest integer step and clips to [-fullScale, fullScale - 1]; non-finite → 0. */
function quantize(sample: number, fullScale: number): number {
  if (!Number.isFinite(sample)) return 0;
  const scaled = Math.round(sample * fullScale);
  return scaled >= fullScale ? fullScale - 1 : scaled < -fullScale ? -fullScale : scaled;
}

function fourCc(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]);
}

function formatGuid(guid: Uint8Array): string {
  const hex = (from: number, to: number, reverse: boolean): string => {
    const part = Array.from(guid.subarray(from, to), (byte) => byte.toString(16).padStart(2, '0'));
    return (reverse ? part.reverse() : part).join('');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}

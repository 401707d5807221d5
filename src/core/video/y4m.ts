// YUV4MPEG2 (.y4m) reader and writer for 8-bit 4:2:0 video (the format of ffmpeg, x264, the
// Xiph test media and Chromium's --use-file-for-fake-video-capture). Errors are one-line Y4mErrors
// that say what is wrong and what is accepted.
import { printable } from '../describe-value.js';

export class Y4mError extends Error {
  override name = 'Y4mError';
}

export interface Y4mHeader {
  width: number;
  height: number;
  /** Frame rate as a fraction, e.g. 30000/1001. Default 30/1 when the header has no F token. */
  frameRateNumerator: number;
  frameRateDenominator: number;
  /** Tokens other than W, H, F and C, written back unchanged (I…, A…, X…). */
  otherTokens: string[];
  /** The C token as read (e.g. `420jpeg`), or null when absent (which means 4:2:0). */
  colourSpace: string | null;
}

export interface Y4mVideo {
  header: Y4mHeader;
  /** Each frame's I420 planes (Y, then U, then V), views into the file bytes. */
  frames: Uint8Array[];
}

const SIGNATURE = 'YUV4MPEG2';
const FRAME_TAG = 'FRAME';
/** 8-bit 4:2:0 chroma sitings; they differ only in where chroma sits, not in layout. */
export const Y4M_ACCEPTED_COLOUR_SPACES = ['420jpeg', '420paldv', '420mpeg2', '420'] as const;
const MAX_HEADER_BYTES = 4096;

export function y4mFrameBytes(width: number, height: number): number {
  return width * height + 2 * ((width + 1) >> 1) * ((height + 1) >> 1);
}

export function readY4m(bytes: Uint8Array): Y4mVideo {
  const headerEnd = indexOfNewline(bytes, 0, MAX_HEADER_BYTES);
  if (headerEnd < 0 || !startsWithAscii(bytes, 0, SIGNATURE)) {
    if (!startsWithAscii(bytes, 0, SIGNATURE)) throw new Y4mError(`not a Y4M file: it does not start with '${SIGNATURE}'`);
    throw new Y4mError(`Y4M header has no end of line within ${MAX_HEADER_BYTES} bytes`);
  }
  const header = parseHeader(ascii(bytes, SIGNATURE.length, headerEnd));
  const size = y4mFrameBytes(header.width, header.height);
  const frames: Uint8Array[] = [];
  let offset = headerEnd + 1;
  while (offset < bytes.length) {
    const index = frames.length;
    if (!startsWithAscii(bytes, offset, FRAME_TAG)) {
      throw new Y4mError(`frame ${index} does not start with '${FRAME_TAG}' (byte offset ${offset}): the file is corrupt or its size is not ${header.width} × ${header.height}`);
    }
    const lineEnd = indexOfNewline(bytes, offset, offset + 1024);
    if (lineEnd < 0) throw new Y4mError(`frame ${index} header is truncated (byte offset ${offset})`);
    const dataStart = lineEnd + 1;
    const available = bytes.length - dataStart;
    if (available < size) throw new Y4mError(`frame ${index} is truncated: ${available} of ${size} bytes`);
    frames.push(bytes.subarray(dataStart, dataStart + size));
    offset = dataStart + size;
  }
  return { header, frames };
}

function parseHeader(text: string): Y4mHeader {
  let width = 0, height = 0, frameRateNumerator = 30, frameRateDenominator = 1;
  let colourSpace: string | null = null;
  const otherTokens: string[] = [];
  for (const token of text.split(' ').filter((t) => t !== '')) {
    const key = token[0], value = token.slice(1);
    if (key === 'W') width = positiveInteger(value, 'width (W)');
    else if (key === 'H') height = positiveInteger(value, 'height (H)');
    else if (key === 'F') {
      const [n, d] = value.split(':');
      frameRateNumerator = positiveInteger(n ?? '', 'frame rate (F) numerator');
      frameRateDenominator = positiveInteger(d ?? '', 'frame rate (F) denominator');
    } else if (key === 'C') colourSpace = value;
    else otherTokens.push(token);
  }
  if (width === 0 || height === 0) throw new Y4mError('Y4M header lacks the width (W) or height (H)');
  if (colourSpace !== null && !(Y4M_ACCEPTED_COLOUR_SPACES as readonly string[]).includes(colourSpace)) {
    throw new Y4mError(`unsupported Y4M colour space 'C${printable(colourSpace)}'; accepted: 8-bit 4:2:0 (${Y4M_ACCEPTED_COLOUR_SPACES.map((c) => `C${c}`).join(', ')})`);
  }
  const interlace = otherTokens.find((t) => t.startsWith('I'));
  if (interlace !== undefined && interlace !== 'Ip' && interlace !== 'I?') {
    throw new Y4mError(`unsupported Y4M interlacing '${printable(interlace)}'; accepted: progressive (Ip)`);
  }
  return { width, height, frameRateNumerator, frameRateDenominator, otherTokens, colourSpace };
}

/** Writes frames (each y4mFrameBytes long) under `header` as a Y4M file. */
export function writeY4m(header: Y4mHeader, frames: readonly Uint8Array[]): Uint8Array {
  const tokens = [`W${header.width}`, `H${header.height}`, `F${header.frameRateNumerator}:${header.frameRateDenominator}`,
    ...header.otherTokens, ...(header.colourSpace !== null ? [`C${header.colourSpace}`] : [])];
  const head = new TextEncoder().encode(`${SIGNATURE} ${tokens.join(' ')}\n`);
  const frameHead = new TextEncoder().encode(`${FRAME_TAG}\n`);
  const size = y4mFrameBytes(header.width, header.height);
  const out = new Uint8Array(head.length + frames.length * (frameHead.length + size));
  out.set(head, 0);
  let offset = head.length;
  for (const [i, frame] of frames.entries()) {
    if (frame.length !== size) throw new RangeError(`frame ${i} has ${frame.length} bytes; expected ${size}`);
    out.set(frameHead, offset);
    out.set(frame, offset + frameHead.length);
    offset += frameHead.length + size;
  }
  return out;
}

/** A header for generated video. */
export function y4mHeader(width: number, height: number, frameRate = 30): Y4mHeader {
  return { width, height, frameRateNumerator: frameRate, frameRateDenominator: 1, otherTokens: ['Ip', 'A1:1'], colourSpace: '420jpeg' };
}

function positiveInteger(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) <= 0) throw new Y4mError(`bad Y4M ${what} '${printable(text)}'; accepted: a positive integer`);
  return Number(text);
}

function indexOfNewline(bytes: Uint8Array, from: number, limit: number): number {
  const end = Math.min(bytes.length, limit);
  for (let i = from; i < end; i++) if (bytes[i] === 0x0a) return i;
  return -1;
}

function startsWithAscii(bytes: Uint8Array, offset: number, text: string): boolean {
  if (bytes.length - offset < text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  return true;
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to));
}

// WAV reader/writer: exact round trips, bit patterns, header variants, chunk walking, and every rejection.
import { describe, expect, it } from 'vitest';
import { readWav, writeWav, WavError, type WavWritableFormat } from '../src/core/wav.js';
import { seededRandom } from './helpers/random.js';


/** Random samples that the format stores exactly: integer steps for PCM, any float32 for float. */
function exactSamples(format: WavWritableFormat, channelCount: number, frameCount: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  const steps = { pcm16: 2 ** 15, pcm24: 2 ** 23, pcm32: 2 ** 31, float32: 0 }[format];
  return Array.from({ length: channelCount }, () => Float32Array.from({ length: frameCount }, () => {
    const value = random() * 2 - 1;
    return steps === 0 ? value : Math.floor(value * steps) / steps;
  }));
}

// ---- Hand-built files, for the variants writeWav never produces. ----

function ascii(text: string): number[] {
  return Array.from(text, (ch) => ch.charCodeAt(0));
}

function u16(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff];
}

function u32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

/** A chunk with its pad byte when the body is odd-sized; `declaredBytes` overrides the size field. */
function chunk(id: string, body: number[], declaredBytes = body.length): number[] {
  return [...ascii(id), ...u32(declaredBytes), ...body, ...(body.length % 2 === 1 ? [0] : [])];
}

function riff(...chunks: number[][]): Uint8Array {
  const body = chunks.flat();
  return Uint8Array.from([...ascii('RIFF'), ...u32(body.length + 4), ...ascii('WAVE'), ...body]);
}

interface FmtFields {
  formatTag?: number; channels?: number; sampleRate?: number; bits?: number; blockAlign?: number;
}

function fmtBody({ formatTag = 1, channels = 1, sampleRate = 8000, bits = 16, blockAlign }: FmtFields): number[] {
  const align = blockAlign ?? channels * Math.ceil(bits / 8);
  return [...u16(formatTag), ...u16(channels), ...u32(sampleRate), ...u32(sampleRate * align), ...u16(align), ...u16(bits)];
}

const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

function extensibleFmtBody(fields: FmtFields & { subformat: number; validBits?: number; guidTail?: number[] }): number[] {
  const bits = fields.bits ?? 16;
  return [...fmtBody({ ...fields, formatTag: 0xfffe }), ...u16(22), ...u16(fields.validBits ?? bits), ...u32(0),
    ...u16(fields.subformat), ...(fields.guidTail ?? GUID_TAIL)];
}

function int16Bytes(...values: number[]): number[] {
  return values.flatMap((v) => u16(v & 0xffff));
}

function float64Bytes(...values: number[]): number[] {
  return Array.from(new Uint8Array(Float64Array.from(values).buffer));
}

function float32Bytes(...values: number[]): number[] {
  return Array.from(new Uint8Array(Float32Array.from(values).buffer));
}

/** The data chunk payload of a file written by writeWav (found by walking its chunks). */
function dataPayload(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 12; at + 8 <= bytes.length;) {
    const size = view.getUint32(at + 4, true);
    if (String.fromCharCode(...bytes.subarray(at, at + 4)) === 'data') return bytes.subarray(at + 8, at + 8 + size);
    at += 8 + size + (size & 1);
  }
  throw new Error('no data chunk');
}

function expectWavError(bytes: Uint8Array, message: RegExp | string): void {
  let thrown: unknown;
  try {
    readWav(bytes);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(WavError);
  const text = (thrown as Error).message;
  expect(text).not.toContain('\n');
  if (typeof message === 'string') expect(text).toBe(message);
  else expect(text).toMatch(message);
}

const FORMATS: WavWritableFormat[] = ['pcm16', 'pcm24', 'pcm32', 'float32'];
const LAYOUTS = [
  { channelCount: 1, sampleRate: 22050 },
  { channelCount: 2, sampleRate: 44100 },
  { channelCount: 6, sampleRate: 96000 },
  { channelCount: 3, sampleRate: 8000 },
];

describe('writeWav → readWav round trip', () => {
  for (const format of FORMATS) {
    for (const { channelCount, sampleRate } of LAYOUTS) {
      it(`restores ${format} ${channelCount} ch at ${sampleRate} Hz sample-exactly`, () => {
        const frameCount = 1001; // odd, so 8- and 24-bit mono data would need a pad byte
        const channels = exactSamples(format, channelCount, frameCount, channelCount * 1000 + sampleRate);
        const decoded = readWav(writeWav(channels, sampleRate, format));
        expect(decoded.format).toBe(format);
        expect(decoded.sampleRate).toBe(sampleRate);
        expect(decoded.channels).toHaveLength(channelCount);
        for (let c = 0; c < channelCount; c++) expect(decoded.channels[c]).toEqual(channels[c]);
      });
    }
  }

  it('restores arbitrary float32 samples through pcm32 within one 32-bit step (2^-31)', () => {
    const random = seededRandom(7);
    const channels = [Float32Array.from({ length: 4096 }, () => (random() * 2 - 1) * random() ** 8)];
    const decoded = readWav(writeWav(channels, 48000, 'pcm32')).channels[0];
    for (let i = 0; i < channels[0].length; i++) expect(Math.abs(decoded[i] - channels[0][i])).toBeLessThanOrEqual(2 ** -31);
  });

  it('restores pcm24 odd-length mono, whose data chunk needs a pad byte', () => {
    const channels = exactSamples('pcm24', 1, 3, 11);
    const bytes = writeWav(channels, 16000, 'pcm24');
    expect(bytes.length % 2).toBe(0);
    expect(readWav(bytes).channels[0]).toEqual(channels[0]);
  });

  it('reads a file held in a Node Buffer at a non-zero byteOffset', () => {
    const channels = exactSamples('pcm16', 2, 100, 3);
    const bytes = writeWav(channels, 44100, 'pcm16');
    const padded = new Uint8Array(bytes.length + 5);
    padded.set(bytes, 5);
    expect(readWav(padded.subarray(5)).channels).toEqual(channels);
  });
});

describe('writeWav sample encoding', () => {
  it('encodes pcm16 full-scale extremes as 0x8000 and 0x7FFF, little-endian', () => {
    const data = dataPayload(writeWav([Float32Array.of(-1, 32767 / 32768, 0, -0.5)], 8000, 'pcm16'));
    expect(Array.from(data)).toEqual([0x00, 0x80, 0xff, 0x7f, 0x00, 0x00, 0x00, 0xc0]);
  });

  it('encodes pcm24 full-scale extremes as 0x800000 and 0x7FFFFF, little-endian', () => {
    const data = dataPayload(writeWav([Float32Array.of(-1, 8388607 / 8388608, 1 / 8388608, -1 / 8388608)], 8000, 'pcm24'));
    expect(Array.from(data)).toEqual([0x00, 0x00, 0x80, 0xff, 0xff, 0x7f, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff]);
  });

  it('encodes pcm32 -1 as 0x80000000 and 0.5 as 0x40000000', () => {
    const data = dataPayload(writeWav([Float32Array.of(-1, 0.5)], 8000, 'pcm32'));
    expect(Array.from(data)).toEqual([0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x40]);
  });

  it('clips out-of-range samples to the largest and smallest PCM codes', () => {
    const samples = Float32Array.of(1, 1.5, 1e30, -1.0001, -7);
    const pcm16 = new DataView(dataPayload(writeWav([samples], 8000, 'pcm16')).slice().buffer);
    expect([0, 1, 2, 3, 4].map((i) => pcm16.getInt16(i * 2, true))).toEqual([32767, 32767, 32767, -32768, -32768]);
    const pcm32 = new DataView(dataPayload(writeWav([samples], 8000, 'pcm32')).slice().buffer);
    expect([0, 1, 2, 3, 4].map((i) => pcm32.getInt32(i * 4, true)))
      .toEqual([2147483647, 2147483647, 2147483647, -2147483648, -2147483648]);
    const pcm24 = readWav(writeWav([samples], 8000, 'pcm24')).channels[0];
    expect(Array.from(pcm24)).toEqual([8388607 / 8388608, 8388607 / 8388608, 8388607 / 8388608, -1, -1].map(Math.fround));
  });

  it('rounds to the nearest pcm16 step', () => {
    const step = 1 / 32768;
    const decoded = readWav(writeWav([Float32Array.of(0.4 * step, 0.6 * step, -0.6 * step, 2.4 * step)], 8000, 'pcm16'));
    expect(Array.from(decoded.channels[0])).toEqual([0, step, -step, 2 * step]);
  });

  it('writes NaN and ±Infinity as 0 in every format', () => {
    for (const format of FORMATS) {
      const decoded = readWav(writeWav([Float32Array.of(NaN, Infinity, -Infinity, 0.5)], 8000, format));
      expect(Array.from(decoded.channels[0]), format).toEqual([0, 0, 0, 0.5]);
    }
  });

  it('keeps float32 samples beyond ±1 (float WAV carries headroom)', () => {
    const decoded = readWav(writeWav([Float32Array.of(1.5, -2.25)], 8000, 'float32'));
    expect(Array.from(decoded.channels[0])).toEqual([1.5, -2.25]);
  });
});

describe('writeWav headers', () => {
  const header = (bytes: Uint8Array) => {
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    return {
      riff: String.fromCharCode(...bytes.subarray(0, 4)), riffBytes: view.getUint32(4, true),
      fmtBytes: view.getUint32(16, true), formatTag: view.getUint16(20, true), channels: view.getUint16(22, true),
      sampleRate: view.getUint32(24, true), byteRate: view.getUint32(28, true), blockAlign: view.getUint16(32, true),
      bits: view.getUint16(34, true),
    };
  };

  it('uses plain WAVE_FORMAT_PCM with a 16-byte fmt chunk for 16-bit stereo', () => {
    const bytes = writeWav(exactSamples('pcm16', 2, 10, 1), 44100, 'pcm16');
    expect(header(bytes)).toEqual({ riff: 'RIFF', riffBytes: bytes.length - 8, fmtBytes: 16, formatTag: 1, channels: 2,
      sampleRate: 44100, byteRate: 176400, blockAlign: 4, bits: 16 });
    expect(bytes.length).toBe(44 + 40);
  });

  it('uses WAVE_FORMAT_EXTENSIBLE with the 5.1 channel mask for 16-bit 6 channels', () => {
    const bytes = writeWav(exactSamples('pcm16', 6, 10, 1), 48000, 'pcm16');
    const view = new DataView(bytes.buffer);
    expect(header(bytes)).toMatchObject({ fmtBytes: 40, formatTag: 0xfffe, channels: 6, blockAlign: 12, bits: 16 });
    expect(view.getUint16(36, true)).toBe(22); // cbSize
    expect(view.getUint32(40, true)).toBe(0x3f); // FL FR FC LFE BL BR
    expect(Array.from(bytes.subarray(44, 60))).toEqual([0x01, 0x00, ...GUID_TAIL]); // KSDATAFORMAT_SUBTYPE_PCM
  });

  it('uses WAVE_FORMAT_EXTENSIBLE for 24-bit mono', () => {
    const bytes = writeWav(exactSamples('pcm24', 1, 10, 1), 96000, 'pcm24');
    expect(header(bytes)).toMatchObject({ formatTag: 0xfffe, blockAlign: 3, bits: 24, byteRate: 288000 });
  });

  it('uses WAVE_FORMAT_EXTENSIBLE with the IEEE-float subformat and a fact chunk for float32', () => {
    const bytes = writeWav(exactSamples('float32', 2, 10, 1), 48000, 'float32');
    const view = new DataView(bytes.buffer);
    expect(header(bytes)).toMatchObject({ formatTag: 0xfffe, blockAlign: 8, bits: 32 });
    expect(Array.from(bytes.subarray(44, 60))).toEqual([0x03, 0x00, ...GUID_TAIL]);
    expect(String.fromCharCode(...bytes.subarray(60, 64))).toBe('fact');
    expect(view.getUint32(68, true)).toBe(10);
  });

  it('writes a zero-length data chunk for zero frames (which readWav then rejects as empty)', () => {
    const bytes = writeWav([new Float32Array(0)], 8000, 'pcm16');
    expect(bytes.length).toBe(44);
    expectWavError(bytes, 'WAV has no audio frames (data chunk is empty)');
  });
});

describe('readWav formats beyond what writeWav produces', () => {
  it('reads unsigned 8-bit PCM: 0 → -1, 128 → 0, 255 → 127/128', () => {
    const wav = readWav(riff(chunk('fmt ', fmtBody({ bits: 8 })), chunk('data', [0, 128, 255])));
    expect(wav.format).toBe('pcm8');
    expect(Array.from(wav.channels[0])).toEqual([-1, 0, 127 / 128]);
  });

  it('reads 64-bit float stereo, deinterleaved and narrowed to float32', () => {
    const wav = readWav(riff(chunk('fmt ', fmtBody({ formatTag: 3, channels: 2, bits: 64 })),
      chunk('data', float64Bytes(0.25, -0.5, 0.1, 1.5))));
    expect(wav.format).toBe('float64');
    expect(Array.from(wav.channels[0])).toEqual([0.25, Math.fround(0.1)]);
    expect(Array.from(wav.channels[1])).toEqual([-0.5, 1.5]);
  });

  it('reads plain WAVE_FORMAT_IEEE_FLOAT (format 3) float32', () => {
    const wav = readWav(riff(chunk('fmt ', [...fmtBody({ formatTag: 3, bits: 32 }), ...u16(0)]),
      chunk('fact', u32(2)), chunk('data', float32Bytes(0.75, -1))));
    expect(wav.format).toBe('float32');
    expect(Array.from(wav.channels[0])).toEqual([0.75, -1]);
  });

  it('reads extensible 16-bit stereo PCM', () => {
    const wav = readWav(riff(chunk('fmt ', extensibleFmtBody({ channels: 2, subformat: 1 })),
      chunk('data', int16Bytes(-32768, 16384, 32767, 0))));
    expect(wav.format).toBe('pcm16');
    expect(Array.from(wav.channels[0])).toEqual([-1, 32767 / 32768].map(Math.fround));
    expect(Array.from(wav.channels[1])).toEqual([0.5, 0]);
  });

  it('reads extensible 24 valid bits in a 32-bit container at 32-bit scale', () => {
    const wav = readWav(riff(chunk('fmt ', extensibleFmtBody({ bits: 32, validBits: 24, subformat: 1 })),
      chunk('data', [0x00, 0x00, 0x00, 0xc0])));
    expect(wav.format).toBe('pcm32');
    expect(Array.from(wav.channels[0])).toEqual([-0.5]);
  });

  it('reads 20-bit PCM stored left-justified in 3-byte containers as pcm24', () => {
    const wav = readWav(riff(chunk('fmt ', fmtBody({ bits: 20, blockAlign: 3 })), chunk('data', [0x00, 0x00, 0x40])));
    expect(wav.format).toBe('pcm24');
    expect(Array.from(wav.channels[0])).toEqual([0.5]);
  });
});

describe('readWav chunk walking', () => {
  const fmt16 = chunk('fmt ', fmtBody({}));
  const data = chunk('data', int16Bytes(16384, -16384));
  const expected = [0.5, -0.5];

  it('skips LIST, fact and unknown chunks before, between and after fmt and data', () => {
    const wav = readWav(riff(chunk('JUNK', [1, 2, 3, 4]), fmt16, chunk('LIST', ascii('INFOISFT')), chunk('fact', u32(2)),
      data, chunk('id3 ', [9, 9, 9, 9, 9, 9])));
    expect(Array.from(wav.channels[0])).toEqual(expected);
  });

  it('skips the pad byte after odd-sized chunks', () => {
    const wav = readWav(riff(chunk('odd ', [1, 2, 3]), fmt16, chunk('LIST', [5, 6, 7, 8, 9]), data));
    expect(Array.from(wav.channels[0])).toEqual(expected);
  });

  it('reads an odd-sized data chunk followed by its pad byte and more chunks', () => {
    const wav = readWav(riff(chunk('fmt ', fmtBody({ bits: 8 })), chunk('data', [0, 64, 192]), chunk('LIST', [1, 2])));
    expect(Array.from(wav.channels[0])).toEqual([-1, -0.5, 0.5]);
  });

  it('accepts the data chunk before the fmt chunk', () => {
    expect(Array.from(readWav(riff(data, fmt16)).channels[0])).toEqual(expected);
  });

  it('ignores a wrong RIFF size field', () => {
    const bytes = riff(fmt16, data);
    new DataView(bytes.buffer).setUint32(4, 12, true);
    expect(Array.from(readWav(bytes).channels[0])).toEqual(expected);
  });

  it('reads a streamed data chunk of size 0xFFFFFFFF to the end of the file', () => {
    const wav = readWav(riff(fmt16, [...ascii('data'), ...u32(0xffffffff), ...int16Bytes(16384, -16384, 8192)]));
    expect(Array.from(wav.channels[0])).toEqual([0.5, -0.5, 0.25]);
  });

  it('reads a streamed data chunk of size 0 to the end of the file', () => {
    const wav = readWav(riff(fmt16, [...ascii('data'), ...u32(0), ...int16Bytes(16384, -16384)]));
    expect(Array.from(wav.channels[0])).toEqual(expected);
  });

  it('drops a trailing partial frame', () => {
    const wav = readWav(riff(chunk('fmt ', fmtBody({ channels: 2 })), chunk('data', [...int16Bytes(16384, -16384), 1, 2])));
    expect(wav.channels.map((c) => Array.from(c))).toEqual([[0.5], [-0.5]]);
  });

  it('keeps the audio when a metadata chunk after the data is cut short', () => {
    const wav = readWav(riff(fmt16, data, [...ascii('LIST'), ...u32(1000), 1, 2, 3]));
    expect(Array.from(wav.channels[0])).toEqual(expected);
  });

  it('uses the first fmt and data chunks when a file repeats them', () => {
    const wav = readWav(riff(fmt16, data, chunk('fmt ', fmtBody({ channels: 2 })), chunk('data', int16Bytes(0, 0, 0, 0))));
    expect(wav.channels).toHaveLength(1);
    expect(Array.from(wav.channels[0])).toEqual(expected);
  });
});

describe('readWav rejects bad input with one clear line', () => {
  const ACCEPTED = 'accepted: RIFF WAVE with 8/16/24/32-bit integer PCM or 32/64-bit float';
  const fmt16 = chunk('fmt ', fmtBody({}));
  const data = chunk('data', int16Bytes(1, 2));

  it('rejects an empty file', () => {
    expectWavError(new Uint8Array(0), `empty file (0 bytes); ${ACCEPTED}`);
  });

  it('rejects text, random bytes and a short header as not a WAV file', () => {
    const message = `not a WAV file (no RIFF/WAVE header); ${ACCEPTED}`;
    expectWavError(Uint8Array.from(ascii('hello, this is not audio')), message);
    const random = seededRandom(42);
    expectWavError(Uint8Array.from({ length: 256 }, () => Math.floor(random() * 256)), message);
    expectWavError(Uint8Array.from(ascii('RIFF')), message);
    expectWavError(Uint8Array.from([...ascii('RIFF'), ...u32(4), ...ascii('AVI ')]), message);
  });

  it('rejects big-endian RIFX and RF64 by name', () => {
    const rifx = riff(fmt16, data);
    rifx.set(ascii('RIFX'), 0);
    expectWavError(rifx, `big-endian RIFX WAV is not supported; ${ACCEPTED}`);
    const rf64 = riff(fmt16, data);
    rf64.set(ascii('RF64'), 0);
    expectWavError(rf64, `RF64 WAV is not supported; ${ACCEPTED}`);
  });

  it('names compressed encodings: A-law, µ-law, MP3, IMA ADPCM and unknown tags', () => {
    for (const [formatTag, name] of [[6, 'A-law'], [7, 'µ-law'], [0x55, 'MP3'], [0x11, 'IMA ADPCM'], [0x1234, 'unknown']] as const) {
      const bytes = riff(chunk('fmt ', fmtBody({ formatTag, bits: 8 })), data);
      expectWavError(bytes, `unsupported WAV encoding: ${name} (format ${formatTag}); ${ACCEPTED}`);
    }
  });

  it('rejects an extensible subformat GUID that is not PCM or IEEE float (Ambisonic B-format PCM)', () => {
    const guidTail = [0x00, 0x00, 0x21, 0x07, 0xd3, 0x11, 0x86, 0x44, 0xc8, 0xc1, 0xca, 0x00, 0x00, 0x00];
    const bytes = riff(chunk('fmt ', extensibleFmtBody({ subformat: 1, guidTail })), data);
    expectWavError(bytes, `unsupported WAV encoding: extensible subformat {00000001-0721-11d3-8644-c8c1ca000000}; ${ACCEPTED}`);
  });

  it('rejects extensible A-law by name', () => {
    const bytes = riff(chunk('fmt ', extensibleFmtBody({ subformat: 6, bits: 8 })), data);
    expectWavError(bytes, `unsupported WAV encoding: A-law (format 6); ${ACCEPTED}`);
  });

  it('rejects integer PCM wider than 32 bits and float other than 32/64 bits', () => {
    expectWavError(riff(chunk('fmt ', fmtBody({ bits: 64 })), data), `unsupported WAV encoding: 64-bit integer PCM; ${ACCEPTED}`);
    expectWavError(riff(chunk('fmt ', fmtBody({ formatTag: 3, bits: 16 })), data), `unsupported WAV encoding: 16-bit float; ${ACCEPTED}`);
  });

  it('rejects 0 channels', () => {
    expectWavError(riff(chunk('fmt ', fmtBody({ channels: 0, blockAlign: 2 })), data), 'WAV has 0 channels; accepted: 1 or more channels');
  });

  it('rejects sample rates outside 1000–768000 Hz', () => {
    for (const sampleRate of [0, 999, 768001]) {
      expectWavError(riff(chunk('fmt ', fmtBody({ sampleRate })), data),
        `unsupported sample rate ${sampleRate} Hz; accepted: 1000–768000 Hz`);
    }
  });

  it('rejects a block align that does not match channels × sample size', () => {
    expectWavError(riff(chunk('fmt ', fmtBody({ channels: 2, blockAlign: 3 })), data),
      'invalid WAV: block align is 3 bytes but 2 channel(s) of 16-bit samples need 4');
  });

  it('rejects a fmt chunk shorter than 16 bytes and an extensible one shorter than 40', () => {
    expectWavError(riff(chunk('fmt ', fmtBody({}).slice(0, 14)), data), 'invalid WAV: fmt chunk is 14 bytes; need at least 16');
    expectWavError(riff(chunk('fmt ', [...fmtBody({ formatTag: 0xfffe }), ...u16(0)]), data),
      'invalid WAV: WAVE_FORMAT_EXTENSIBLE fmt chunk is 18 bytes; need at least 40');
  });

  it('rejects a file without a fmt chunk', () => {
    expectWavError(riff(chunk('LIST', [1, 2]), data), `invalid WAV: missing fmt chunk; ${ACCEPTED}`);
  });

  it('rejects a file without a data chunk', () => {
    expectWavError(riff(fmt16, chunk('LIST', [1, 2])), 'invalid WAV: missing data chunk (no audio)');
    expectWavError(riff(), `invalid WAV: missing fmt chunk; ${ACCEPTED}`);
  });

  it('rejects a data chunk that declares more bytes than the file holds', () => {
    const bytes = riff(fmt16, [...ascii('data'), ...u32(96000), ...new Array<number>(1234).fill(0)]);
    expectWavError(bytes, 'truncated WAV: data chunk declares 96000 bytes but only 1234 remain');
  });

  it('rejects a fmt chunk cut off by the end of the file', () => {
    const bytes = riff([...ascii('fmt '), ...u32(16), ...fmtBody({}).slice(0, 10)]);
    expectWavError(bytes, 'truncated WAV: fmt chunk declares 16 bytes but only 10 remain');
  });

  it('rejects a metadata chunk cut off before any audio', () => {
    const bytes = riff(fmt16, [...ascii('LIST'), ...u32(500), 1, 2, 3, 4]);
    expectWavError(bytes, 'truncated WAV: LIST chunk declares 500 bytes but only 4 remain');
  });

  it('rejects a WAV with no audio frames', () => {
    expectWavError(riff(fmt16, chunk('data', [])), 'WAV has no audio frames (data chunk is empty)');
    expectWavError(riff(chunk('fmt ', fmtBody({ channels: 2 })), chunk('data', [1, 2, 3])),
      'WAV has no audio frames (data chunk has 3 bytes, less than one 4-byte frame)');
  });
});

describe('writeWav rejects what it cannot encode', () => {
  const expectWriteError = (write: () => unknown, message: string): void => {
    expect(write).toThrow(WavError);
    expect(write).toThrow(message);
  };

  it('rejects zero channels', () => {
    expectWriteError(() => writeWav([], 48000, 'pcm16'), 'cannot write WAV with 0 channels; accepted: 1–65535 channels');
  });

  it('rejects channels of different lengths', () => {
    expectWriteError(() => writeWav([new Float32Array(4), new Float32Array(3)], 48000, 'pcm16'),
      'cannot write WAV: channel 1 has 3 samples but channel 0 has 4; accepted: channels of equal length');
  });

  it('rejects fractional and out-of-range sample rates', () => {
    for (const sampleRate of [44100.5, 0, 1e6]) {
      expectWriteError(() => writeWav([new Float32Array(4)], sampleRate, 'pcm16'),
        `unsupported sample rate ${sampleRate} Hz; accepted: integer 1000–768000 Hz`);
    }
  });

  it('rejects formats it does not write', () => {
    expectWriteError(() => writeWav([new Float32Array(4)], 48000, 'pcm8' as WavWritableFormat),
      "cannot write WAV format 'pcm8'; accepted: pcm16, pcm24, pcm32, float32");
  });
});

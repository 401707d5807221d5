// libopus (1.3, the Emscripten build shipped by the npm package @evan/opus) as a peer: encoder,
// decoder and the decoder's own packet-loss concealment. The package's Decoder.decode() refuses an
// empty packet in its native build and asks for 120 ms of concealment in its Wasm build, so this
// file instantiates the package's opus.wasm itself and calls opus_decode(dec, NULL, 0, pcm, 960, 0)
// for exactly one 20 ms frame of PLC, as a receiver does.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DecodeSequencer } from '../../src/core/receive/decode-sequencer.js';

interface OpusWasm {
  memory: WebAssembly.Memory;
  malloc(bytes: number): number;
  free(pointer: number): void;
  opus_encoder_get_size(channels: number): number;
  opus_encoder_init(state: number, rate: number, channels: number, application: number): number;
  opus_encode(state: number, pcm: number, frameSize: number, data: number, maxBytes: number): number;
  opus_encoder_ctl_set(state: number, request: number, value: number): number;
  opus_decoder_get_size(channels: number): number;
  opus_decoder_init(state: number, rate: number, channels: number): number;
  opus_decode(state: number, data: number, length: number, pcm: number, frameSize: number, fec: number): number;
}

const OPUS_APPLICATION_VOIP = 2048;
const OPUS_SET_BITRATE = 4002;
const OPUS_SET_COMPLEXITY = 4010;
export const OPUS_RATE_HZ = 48000;
export const OPUS_FRAME_SAMPLES = 960;

export interface OpusPeer {
  version: string;
  /** Encodes `signal` (48 kHz mono, cut into 20 ms frames, the last zero-padded) into packets. */
  encode(signal: Float32Array, bitrate: number): Uint8Array[];
  /** Decodes packets; `lost[i]` → the packet is not given to the decoder (PLC or the caller's choice). */
  decode(packets: readonly Uint8Array[], lost: ArrayLike<boolean>, plc: boolean): { pcm: Float32Array; frames: (Float32Array | null)[] };
  /**
   * Decodes `packets` in the given order with one decoder, as a receiver's decoder sees them (a
   * 1-byte placeholder runs libopus's PLC); each output goes to 20 ms slot `index` of a signal of
   * `count` packets, slots never decoded stay zero.
   */
  decodeInOrder(packets: readonly { index: number; data: Uint8Array }[], count: number): Float32Array;
}

export function loadOpusPeer(): OpusPeer {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('@evan/opus/package.json');
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
  const bytes = readFileSync(join(dirname(packageJson), 'wasm', 'opus.wasm'));
  let wasm: OpusWasm;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    wasi_snapshot_preview1: { fd_seek: () => 0, fd_write: () => 0, fd_close: () => 0, proc_exit: () => undefined },
    env: { emscripten_notify_memory_growth: () => undefined },
  });
  wasm = instance.exports as unknown as OpusWasm;
  const pcmPointer = wasm.malloc(OPUS_FRAME_SAMPLES * 2 * 6);
  const dataPointer = wasm.malloc(4000);
  const check = (code: number, what: string): number => {
    if (code < 0) throw new Error(`libopus ${what} failed with code ${code}`);
    return code;
  };
  return {
    version: `@evan/opus ${version} (libopus, Wasm build)`,
    encode(signal, bitrate) {
      const encoder = wasm.malloc(wasm.opus_encoder_get_size(1));
      check(wasm.opus_encoder_init(encoder, OPUS_RATE_HZ, 1, OPUS_APPLICATION_VOIP), 'encoder init');
      check(wasm.opus_encoder_ctl_set(encoder, OPUS_SET_BITRATE, bitrate), 'set bitrate');
      check(wasm.opus_encoder_ctl_set(encoder, OPUS_SET_COMPLEXITY, 10), 'set complexity');
      const packets: Uint8Array[] = [];
      for (let start = 0; start < signal.length; start += OPUS_FRAME_SAMPLES) {
        const pcm = new Int16Array(wasm.memory.buffer, pcmPointer, OPUS_FRAME_SAMPLES);
        for (let i = 0; i < OPUS_FRAME_SAMPLES; i++) {
          const x = start + i < signal.length ? signal[start + i] : 0;
          pcm[i] = Math.max(-32768, Math.min(32767, Math.round(x * 32768)));
        }
        const length = check(wasm.opus_encode(encoder, pcmPointer, OPUS_FRAME_SAMPLES, dataPointer, 4000), 'encode');
        packets.push(new Uint8Array(wasm.memory.buffer, dataPointer, length).slice());
      }
      wasm.free(encoder);
      return packets;
    },
    decode(packets, lost, plc) {
      const decoder = wasm.malloc(wasm.opus_decoder_get_size(1));
      check(wasm.opus_decoder_init(decoder, OPUS_RATE_HZ, 1), 'decoder init');
      const pcm = new Float32Array(packets.length * OPUS_FRAME_SAMPLES);
      const frames: (Float32Array | null)[] = [];
      for (let i = 0; i < packets.length; i++) {
        let samples = 0;
        if (!lost[i]) {
          new Uint8Array(wasm.memory.buffer, dataPointer, packets[i].length).set(packets[i]);
          samples = check(wasm.opus_decode(decoder, dataPointer, packets[i].length, pcmPointer, OPUS_FRAME_SAMPLES, 0), 'decode');
        } else if (plc) {
          samples = check(wasm.opus_decode(decoder, 0, 0, pcmPointer, OPUS_FRAME_SAMPLES, 0), 'PLC');
        }
        if (samples > 0) {
          const out = new Int16Array(wasm.memory.buffer, pcmPointer, samples);
          const frame = new Float32Array(samples);
          for (let k = 0; k < samples; k++) frame[k] = out[k] / 32768;
          pcm.set(frame, i * OPUS_FRAME_SAMPLES);
          frames.push(frame);
        } else {
          frames.push(null);
        }
      }
      wasm.free(decoder);
      return { pcm, frames };
    },
    decodeInOrder(packets, count) {
      const decoder = wasm.malloc(wasm.opus_decoder_get_size(1));
      check(wasm.opus_decoder_init(decoder, OPUS_RATE_HZ, 1), 'decoder init');
      const pcm = new Float32Array(count * OPUS_FRAME_SAMPLES);
      for (const { index, data } of packets) {
        new Uint8Array(wasm.memory.buffer, dataPointer, data.length).set(data);
        const samples = check(wasm.opus_decode(decoder, dataPointer, data.length, pcmPointer, OPUS_FRAME_SAMPLES, 0), 'decode');
        const out = new Int16Array(wasm.memory.buffer, pcmPointer, samples);
        if (index >= 0 && index < count) for (let k = 0; k < Math.min(samples, OPUS_FRAME_SAMPLES); k++) pcm[index * OPUS_FRAME_SAMPLES + k] = out[k] / 32768;
      }
      wasm.free(decoder);
      return pcm;
    },
  };
}

/** Decodes as the receive worker does; returns the signal and which lost packets the decoder concealed. */
export function decodeAsReceiver(opus: OpusPeer, packets: readonly Uint8Array[], lost: readonly boolean[]): { pcm: Float32Array; decoderConcealed: boolean[] } {
  const order: { index: number; data: Uint8Array }[] = [];
  const decoderConcealed = new Array<boolean>(packets.length).fill(false);
  // No reordering here: nothing comes 'late'.
  const sequencer = new DecodeSequencer((kind, sequence, _timestamp, _arrival, data) => {
    if (kind === 'late') return;
    order.push({ index: sequence, data: data.slice() });
    if (kind === 'placeholder') decoderConcealed[sequence] = true;
  });
  for (let k = 0; k < packets.length; k++) if (!lost[k]) sequencer.push(k, k * OPUS_FRAME_SAMPLES, k * 20, packets[k]);
  return { pcm: opus.decodeInOrder(order, packets.length), decoderConcealed };
}

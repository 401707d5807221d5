// The stand-alone packet-loss concealer from JS (fixed timing: each block is either real audio or
// lost), for offline evaluation and for packet sources that do their own buffering. The kernel is
// assembly/receive/concealer.ts (pitch extrapolation of the LPC residual through a continuing
// synthesis filter, comfort-noise fade, raised-cosine merge). process() never throws.
import { Float32View } from '../memory-view.js';
import { describeValue } from '../describe-value.js';
import { allFinite, clampSamples } from './receive-chain.js';
import { CONCEAL_STATUS, type ConcealStatus, hasReceiveExports, type ReceiveExports } from './receive-exports.js';

export class Concealer {
  readonly sampleRate: number;
  readonly maxBlock: number;
  private handle: number;
  private readonly inputView: Float32View;
  private readonly outputView: Float32View;

  constructor(private readonly exports: ReceiveExports, sampleRate: number, maxBlock: number) {
    if (!hasReceiveExports(exports)) throw new TypeError('this Wasm build has no receive kernels; rebuild with `npm run asbuild`');
    if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 96000 || sampleRate % 100 !== 0) {
      throw new RangeError(`concealer sample rate must be a multiple of 100 Hz from 8000 to 96000, got ${describeValue(sampleRate)}`);
    }
    const largest = (sampleRate * 120) / 1000;
    if (!Number.isInteger(maxBlock) || maxBlock < 1 || maxBlock > largest) throw new RangeError(`concealer block must be 1 to ${largest} samples, got ${describeValue(maxBlock)}`);
    const handle = exports.plcCreate(sampleRate, maxBlock);
    if (handle < 0) throw new RangeError(`the concealment kernel refused ${sampleRate} Hz, block ${maxBlock}`);
    this.handle = handle;
    this.sampleRate = sampleRate;
    this.maxBlock = maxBlock;
    this.inputView = new Float32View(exports.memory, exports.plcInputPtr(handle), maxBlock);
    this.outputView = new Float32View(exports.memory, exports.plcOutputPtr(handle), maxBlock);
  }

  /**
   * Processes one block: `block` holds real audio, or null when it was lost (then `length` samples
   * are synthesised). A block with NaN/Inf samples is treated as lost, so they never reach the
   * output or the concealer's history; samples beyond ±16 are clamped. Returns the status and a
   * view of the output (valid until the next call).
   */
  process(block: Float32Array | null, length = block?.length ?? this.maxBlock): { status: ConcealStatus; output: Float32Array } {
    const count = Math.min(Math.max(1, Math.trunc(length) || 1), this.maxBlock);
    const real = block !== null && allFinite(block, count);
    if (real) {
      const input = this.inputView.head(count);
      input.set(block.subarray(0, count));
      clampSamples(input);
    }
    const code = this.handle >= 0 ? this.exports.plcProcess(this.handle, real ? 1 : 0, count) : -1;
    return { status: CONCEAL_STATUS[code] ?? 'real', output: this.outputView.head(count) };
  }

  /**
   * Conceals one lost block toward `hint`, the codec decoder's own concealment of it (samples
   * `position` to `position + hint.length` of a lost packet of `total`): see ReceiveChain's
   * putDecoderConcealment. A hint with NaN/Inf samples is ignored (plain concealment).
   */
  processTowardHint(hint: Float32Array, position: number, total: number): { status: ConcealStatus; output: Float32Array } {
    const count = Math.min(Math.max(1, hint.length), this.maxBlock);
    if (!allFinite(hint, count) || !Number.isInteger(position) || !Number.isInteger(total) || position < 0 || total < count) return this.process(null, count);
    const input = this.inputView.head(count);
    input.set(hint.subarray(0, count));
    clampSamples(input);
    const code = this.handle >= 0 ? this.exports.plcProcessTowardHint(this.handle, count, position, total) : -1;
    return { status: CONCEAL_STATUS[code] ?? 'synthetic', output: this.outputView.head(count) };
  }

  get pitchLag(): number { return this.handle >= 0 ? this.exports.plcPitchLag(this.handle) : 0; }
  get voicing(): number { return this.handle >= 0 ? this.exports.plcVoicing(this.handle) : 0; }
  setSimd(on: boolean): void { if (this.handle >= 0) this.exports.plcSetSimd(this.handle, on ? 1 : 0); }
  reset(): void { if (this.handle >= 0) this.exports.plcReset(this.handle); }

  destroy(): void {
    if (this.handle < 0) return;
    this.exports.plcDestroy(this.handle);
    this.exports.collectGarbage();
    this.handle = -1;
  }
}

/**
 * Conceals a whole signal offline: `lost[i]` says whether block i (of `blockSamples`) was lost.
 * `decoderConcealed[i]` (optional) says that the signal holds the codec decoder's concealment of lost
 * block i, to be handed over to (Concealer.processTowardHint).
 */
export function concealSignal(concealer: Concealer, signal: Float32Array, blockSamples: number, lost: ArrayLike<boolean>, decoderConcealed?: ArrayLike<boolean>): Float32Array {
  const out = new Float32Array(signal.length);
  for (let start = 0, i = 0; start < signal.length; start += blockSamples, i++) {
    const end = Math.min(signal.length, start + blockSamples);
    // Concealment runs in 10 ms steps at most so a long block fades the same way as in the chain.
    for (let s = start; s < end; s += concealer.maxBlock) {
      const e = Math.min(end, s + concealer.maxBlock);
      const { output } = lost[i] && decoderConcealed?.[i] === true
        ? concealer.processTowardHint(signal.subarray(s, e), s - start, end - start)
        : concealer.process(lost[i] ? null : signal.subarray(s, e), e - s);
      out.set(output, s);
    }
  }
  return out;
}

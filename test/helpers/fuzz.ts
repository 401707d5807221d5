// Seeded fuzzing helpers: abnormal audio blocks for the kernels, byte/text mutators for the parsers,
// and the one check every parser outcome must pass (a value, or an Error whose message names the problem).

/** The kinds of abnormal audio a kernel must survive. */
export const AUDIO_KINDS = [
  'nan', 'inf', 'denormal', 'dc', 'clipping', 'silence', 'impulse', 'noise', 'mixture', 'huge',
] as const;
export type AudioKind = (typeof AUDIO_KINDS)[number];

/** Fills `out` with one block of `kind`, seeded by `random`. */
export function fillAbnormal(out: Float32Array, kind: AudioKind, random: () => number): void {
  const n = out.length;
  switch (kind) {
    case 'nan': for (let i = 0; i < n; i++) out[i] = random() < 0.5 ? NaN : (random() * 2 - 1) * 0.5; break;
    case 'inf': for (let i = 0; i < n; i++) out[i] = random() < 0.3 ? (random() < 0.5 ? Infinity : -Infinity) : (random() * 2 - 1) * 0.5; break;
    // Subnormal float32 values (below 1.18e-38): slow paths and flush-to-zero differences.
    case 'denormal': for (let i = 0; i < n; i++) out[i] = (random() * 2 - 1) * 1e-39; break;
    case 'dc': out.fill(random() < 0.5 ? 1 : -0.999 * random()); break;
    // Full-scale square wave: constant clipping.
    case 'clipping': { const period = 2 + Math.floor(random() * 200); for (let i = 0; i < n; i++) out[i] = (i % period) < period / 2 ? 1 : -1; break; }
    case 'silence': out.fill(0); break;
    case 'impulse': out.fill(0); out[Math.floor(random() * n)] = random() < 0.5 ? 1 : -1; break;
    case 'noise': for (let i = 0; i < n; i++) out[i] = random() * 2 - 1; break;
    // Anything goes in one block: a random kind per sample.
    case 'mixture': for (let i = 0; i < n; i++) out[i] = mixtureSample(random); break;
    // Far beyond full scale (the chain clamps to ±16), also ±FLT_MAX.
    case 'huge': for (let i = 0; i < n; i++) out[i] = random() < 0.1 ? (random() < 0.5 ? 3.4e38 : -3.4e38) : (random() * 2 - 1) * 1e6; break;
  }
}

function mixtureSample(random: () => number): number {
  const r = random();
  if (r < 0.05) return NaN;
  if (r < 0.1) return random() < 0.5 ? Infinity : -Infinity;
  if (r < 0.2) return 1e-39 * (random() * 2 - 1);
  if (r < 0.3) return random() < 0.5 ? 1 : -1;
  if (r < 0.4) return 0;
  return random() * 2 - 1;
}

/** A seeded integer in [low, high]. */
export function randomInt(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

/** Ways a byte input is mutated. */
export const BYTE_MUTATIONS = ['bit-flip', 'truncate', 'extend', 'field', 'random-bytes', 'splice', 'zero-run'] as const;
export type ByteMutation = (typeof BYTE_MUTATIONS)[number];

/**
 * One mutation of `bytes` (a new array). `fieldOffsets` are byte offsets of header fields worth
 * hitting (sizes, counts, rates): 'field' writes an extreme or random 16/32-bit little-endian value there.
 */
export function mutateBytes(bytes: Uint8Array, mutation: ByteMutation, random: () => number, fieldOffsets: readonly number[] = []): Uint8Array {
  switch (mutation) {
    case 'bit-flip': {
      const out = bytes.slice();
      const flips = 1 + Math.floor(random() * 8);
      // Flips land mostly in the first 256 bytes, where the headers are.
      for (let i = 0; i < flips && out.length > 0; i++) {
        const at = random() < 0.8 ? Math.floor(random() * Math.min(256, out.length)) : Math.floor(random() * out.length);
        out[at] ^= 1 << Math.floor(random() * 8);
      }
      return out;
    }
    case 'truncate': return bytes.slice(0, Math.floor(random() * bytes.length));
    case 'extend': {
      const extra = Math.floor(random() * 300);
      const out = new Uint8Array(bytes.length + extra);
      out.set(bytes);
      for (let i = bytes.length; i < out.length; i++) out[i] = Math.floor(random() * 256);
      return out;
    }
    case 'field': {
      const out = bytes.slice();
      if (fieldOffsets.length === 0 || out.length < 4) return mutateBytes(bytes, 'bit-flip', random);
      const at = pick(random, fieldOffsets);
      const view = new DataView(out.buffer);
      const value = pick(random, [0, 1, 2, 3, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
        Math.floor(random() * 0x100000000)]);
      if (at + 4 <= out.length && random() < 0.6) view.setUint32(at, value >>> 0, true);
      else if (at + 2 <= out.length) view.setUint16(at, value & 0xffff, true);
      return out;
    }
    case 'random-bytes': {
      const out = new Uint8Array(Math.floor(random() * 512));
      for (let i = 0; i < out.length; i++) out[i] = Math.floor(random() * 256);
      return out;
    }
    case 'splice': {
      // A block of the input copied over another place (repeated chunk headers, shuffled fields).
      const out = bytes.slice();
      if (out.length < 8) return out;
      const length = 1 + Math.floor(random() * Math.min(64, out.length / 2));
      const from = Math.floor(random() * (out.length - length));
      const to = Math.floor(random() * (out.length - length));
      out.copyWithin(to, from, from + length);
      return out;
    }
    case 'zero-run': {
      const out = bytes.slice();
      const from = Math.floor(random() * out.length);
      out.fill(0, from, Math.min(out.length, from + 1 + Math.floor(random() * 32)));
      return out;
    }
  }
}

/** Ways a text input is mutated. */
export const TEXT_MUTATIONS = ['char-flip', 'truncate', 'extend', 'delete-line', 'duplicate-line', 'field', 'random-text'] as const;
export type TextMutation = (typeof TEXT_MUTATIONS)[number];

const NASTY_FIELDS = ['', '-1', 'NaN', 'Infinity', '-0', '1e309', '0x10', '1.5', '99999999999999999999', ' ', 'abc', ',', '\t', '1e-400', '+5', '.5', '5.', '#', '\u0000', '１２'];

/** One mutation of a line-oriented text (CSV): the lines are split on '\n'. */
export function mutateText(text: string, mutation: TextMutation, random: () => number): string {
  const lines = text.split('\n');
  const line = Math.floor(random() * lines.length);
  switch (mutation) {
    case 'char-flip': {
      const chars = [...text];
      const flips = 1 + Math.floor(random() * 4);
      for (let i = 0; i < flips && chars.length > 0; i++) chars[Math.floor(random() * chars.length)] = String.fromCharCode(Math.floor(random() * 128));
      return chars.join('');
    }
    case 'truncate': return text.slice(0, Math.floor(random() * text.length));
    case 'extend': {
      let extra = '';
      const count = Math.floor(random() * 60);
      for (let i = 0; i < count; i++) extra += String.fromCharCode(Math.floor(random() * 128));
      return text + extra;
    }
    case 'delete-line': lines.splice(line, 1); return lines.join('\n');
    case 'duplicate-line': lines.splice(line, 0, lines[line]); return lines.join('\n');
    case 'field': {
      const fields = lines[line].split(',');
      fields[Math.floor(random() * fields.length)] = pick(random, NASTY_FIELDS);
      if (random() < 0.2) fields.push(pick(random, NASTY_FIELDS));
      lines[line] = fields.join(',');
      return lines.join('\n');
    }
    case 'random-text': {
      let out = '';
      const count = Math.floor(random() * 400);
      for (let i = 0; i < count; i++) out += random() < 0.3 ? pick(random, [',', '\n', '\r\n', '0', '1', '.']) : String.fromCharCode(Math.floor(random() * 128));
      return out;
    }
  }
}

/** Messages that come from a JavaScript engine failing deep inside a parser rather than from a check. */
const ENGINE_ERROR_PATTERNS = [
  /cannot read propert/i, /cannot set propert/i, /is not a function/i, /is not iterable/i,
  /(undefined|null) is not (an object|a function|iterable)/i, /cannot convert/i, /invalid array length/i, /out of memory/i, /maximum call stack/i,
  /offset is outside the bounds/i, /invalid typed array length/i, /reduce of empty array/i,
];

/** A one-line message longer than this quotes too much of its input. */
const MAX_MESSAGE_LENGTH = 400;

/**
 * Classifies a thrown value: 'clean' when it is an Error with a short, one-line, non-empty message
 * free of control characters that is not a JavaScript engine error (TypeError from a property read on undefined, RangeError from a
 * DataView read past the end, …). Returns the reason otherwise.
 */
export function checkThrown(error: unknown): { clean: true } | { clean: false; reason: string } {
  if (!(error instanceof Error)) return { clean: false, reason: `threw a non-Error: ${String(error)}` };
  const message = error.message;
  if (typeof message !== 'string' || message.trim() === '') return { clean: false, reason: `${error.name} with an empty message` };
  if (/[\u0000-\u001f\u007f-\u009f]/.test(message)) return { clean: false, reason: `${error.name} with control characters in its message: ${JSON.stringify(message)}` };
  if (message.length > MAX_MESSAGE_LENGTH) return { clean: false, reason: `${error.name} with a ${message.length}-character message: ${message.slice(0, 80)}…` };
  for (const pattern of ENGINE_ERROR_PATTERNS) {
    if (pattern.test(message)) return { clean: false, reason: `engine error ${error.name}: ${message}` };
  }
  return { clean: true };
}

/** Tallies parser outcomes: valid parses, clean errors by first words, and failures with an example input. */
export class OutcomeTally {
  valid = 0;
  errors = 0;
  failed = 0;
  /** The first few failures, each with the input that caused it. */
  readonly failures: string[] = [];
  private readonly messages = new Map<string, number>();

  /** Runs `parse()`; returns the value or undefined. */
  run<T>(parse: () => T, describeInput: () => string): T | undefined {
    try {
      const value = parse();
      this.valid++;
      return value;
    } catch (error) {
      const check = checkThrown(error);
      if (check.clean) {
        this.errors++;
        const key = (error as Error).message.replace(/\b\d+\b/g, 'N').slice(0, 48);
        this.messages.set(key, (this.messages.get(key) ?? 0) + 1);
      } else {
        this.failed++;
        if (this.failures.length < 10) this.failures.push(`${check.reason} (input: ${describeInput()})`);
      }
      return undefined;
    }
  }

  /** The `count` most frequent error messages (digits folded to N), most frequent first. */
  commonMessages(count: number): string[] {
    return [...this.messages].sort((a, b) => b[1] - a[1]).slice(0, count).map(([m, n]) => `${n}× ${m}`);
  }

  get distinctMessages(): number {
    return this.messages.size;
  }

  get total(): number {
    return this.valid + this.errors + this.failed;
  }
}

/** Peak JS heap growth helper: V8 heap used now, after a best-effort collection when exposed. */
export function heapUsedBytes(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

/**
 * Speech-like test audio at any rate: a glottal-pulse-like harmonic series (f0 wandering 100–220 Hz,
 * harmonics to 4 kHz with a −6 dB/octave tilt) under a 4 Hz syllable envelope with pauses, at about
 * −26 dBFS RMS while active. Clean input for "does the kernel recover" checks.
 */
export function speechLike(sampleRate: number, seconds: number, seed: number): Float32Array {
  const random = (() => { let s = seed >>> 0; return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32); })();
  const length = Math.round(sampleRate * seconds);
  const out = new Float32Array(length);
  const topHz = Math.min(4000, 0.45 * sampleRate);
  let phase = 0;
  let f0 = 100 + 120 * random();
  for (let n = 0; n < length; n++) {
    if (n % Math.max(1, Math.round(sampleRate / 100)) === 0) f0 = Math.min(220, Math.max(100, f0 + (random() - 0.5) * 8));
    phase += (2 * Math.PI * f0) / sampleRate;
    if (phase > 2 * Math.PI * 1000) phase -= 2 * Math.PI * 1000;
    let v = 0;
    for (let k = 1; k * f0 < topHz; k++) v += Math.sin(k * phase) / k;
    const t = n / sampleRate;
    const syllable = Math.max(0, Math.sin(2 * Math.PI * 4 * t));
    const pause = Math.floor(t / 1.5) % 3 === 2 ? 0 : 1;
    out[n] = 0.05 * v * syllable * pause;
  }
  return out;
}

/** RMS in dB re full scale over [start, end). */
export function levelDb(x: ArrayLike<number>, start = 0, end = x.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += x[i] * x[i];
  return 10 * Math.log10(Math.max(sum / Math.max(1, end - start), 1e-20));
}

// Decides what a decoder that cannot be told a packet was lost (WebCodecs AudioDecoder) gets to
// decode, as encoded Opus packets arrive: each packet at once, in arrival order, and in front of a
// packet that follows a single missing one, a 1-byte placeholder in the missing one's place. Why:
// Opus decodes each packet from the state the previous one left. A decoder that never hears of a
// loss decodes the packet after it from the state before it (its first milliseconds come out
// wrong, the LSD at the join rises); fed a placeholder — the lost packet's TOC byte alone, a packet
// with a zero-length frame, which libopus decodes as "lost" and conceals with its own PLC — it keeps
// its state in step, and its concealment ends continuous with the next packet. The receive chain
// conceals the packet itself and hands over to the decoder's concealment across it
// (ReceiveChain.putDecoderConcealment). Longer gaps get no placeholders: Opus's PLC fades and
// attenuates its state over them, and the packet after decodes better from the state before the gap
// (measured: eval/receive/run.ts, join LSD and STOI on bursty loss).
//
// Nothing is held back: waiting for a missing packet before decoding the next one (until the chain
// needed it) was tried, and lost reordered packets the jitter buffer would still have played — in a
// simulated minute with bursty loss and 15 ms of independent jitter per packet, 6.9 s concealed vs
// 4.7 s when decoding on arrival; this way, 4.8 s. A missing packet that turns up later
// was only reordered: it is decoded then, and the chain plays it in place of the placeholder's
// concealment if its time has not passed. Such a packet is emitted as 'late' so the
// decoding side can keep it away from the main decoder (receive.worker.ts decodes it on a second
// decoder warmed up with the packets before it). Nothing is allocated per packet.

/** A packet this far behind the newest one means the sender restarted its sequence numbers. */
const RESTART_BEHIND = 1000;
/** Sequence numbers remembered to refuse a duplicate of a packet already decoded. */
const REMEMBERED = 256;

/** 'late': a packet that came after a later one (out of order). */
export type SequencedKind = 'packet' | 'placeholder' | 'late';
/** Receives what to decode, in order. `data` of a placeholder is a shared 1-byte buffer. */
export type DecodeSink = (kind: SequencedKind, sequence: number, timestamp: number, arrivalMs: number, data: Uint8Array) => void;

export interface DecodeSequencerStats {
  packetsIn: number;
  /** Placeholders decoded for single missing packets. */
  placeholders: number;
  /** Packets that came after a later one (decoded out of order). */
  outOfOrder: number;
  /** Packets refused as copies of one already decoded. */
  duplicates: number;
  /** Times the sequence numbers jumped back (a new stream). */
  restarts: number;
}

export class DecodeSequencer {
  private readonly decoded = new Int32Array(REMEMBERED).fill(-1);
  private readonly placeholder = new Uint8Array(1);
  private started = false;
  /** Sequence number after the newest packet decoded (16-bit). */
  private next = 0;
  /** Timestamp and TOC byte of the newest packet decoded. */
  private lastTimestamp = 0;
  private lastToc = -1;
  readonly stats: DecodeSequencerStats = { packetsIn: 0, placeholders: 0, outOfOrder: 0, duplicates: 0, restarts: 0 };

  constructor(private readonly sink: DecodeSink) {}

  /** Takes one arrived packet (RTP 16-bit `sequence`, 32-bit `timestamp`). Never throws; an empty packet is ignored. */
  push(sequence: number, timestamp: number, arrivalMs: number, data: Uint8Array): void {
    if (data.byteLength === 0) return;
    this.stats.packetsIn++;
    const seq = sequence & 0xffff, ts = timestamp >>> 0;
    if (this.decoded[seq % REMEMBERED] === seq) { this.stats.duplicates++; return; }
    if (!this.started) { this.started = true; this.next = seq; }
    const ahead = delta16(seq, this.next);
    if (ahead < 0 && ahead > -RESTART_BEHIND) {
      this.stats.outOfOrder++;
      this.decode('late', seq, ts, arrivalMs, data);
      return;
    }
    if (ahead < 0) {
      this.stats.restarts++;
      this.lastToc = -1;
    } else if (ahead === 1 && this.lastToc >= 0) {
      // One packet missing just before this one: the decoder conceals it itself.
      const missing = (seq - 1) & 0xffff;
      const missingTimestamp = (this.lastTimestamp + Math.round(delta32(ts, this.lastTimestamp) / 2)) >>> 0;
      this.placeholder[0] = this.lastToc & 0xfc;  // same mode/bandwidth/frame size, code 0: one frame of 0 bytes
      this.stats.placeholders++;
      this.sink('placeholder', missing, missingTimestamp, arrivalMs, this.placeholder);
    }
    this.decode('packet', seq, ts, arrivalMs, data);
    this.next = (seq + 1) & 0xffff;
    this.lastTimestamp = ts;
    this.lastToc = data[0];
  }

  /** Forgets everything (a new stream). */
  reset(): void {
    this.decoded.fill(-1);
    this.started = false;
    this.lastToc = -1;
  }

  private decode(kind: SequencedKind, seq: number, ts: number, arrivalMs: number, data: Uint8Array): void {
    this.decoded[seq % REMEMBERED] = seq;
    this.sink(kind, seq, ts, arrivalMs, data);
  }
}

/** a − b for 16-bit sequence numbers, in −32768 … 32767. */
function delta16(a: number, b: number): number {
  return ((((a - b) & 0xffff) + 0x8000) & 0xffff) - 0x8000;
}

/** a − b for 32-bit timestamps, signed. */
function delta32(a: number, b: number): number {
  return (a - b) | 0;
}

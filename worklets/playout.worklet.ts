// The "sazanami-playout" AudioWorkletProcessor: plays what the receive worker queued in a shared
// ring (src/core/receive/ring-buffer.ts), 128 samples per render quantum, mono copied to every
// output channel. When the ring has less than a quantum it outputs silence and counts an underrun
// (in shared Int32 counters the main thread reads). It never throws and never allocates in process().
import { FloatRingBuffer } from '../src/core/receive/ring-buffer.js';
import { PLAYOUT_COUNTER, PLAYOUT_PROCESSOR_NAME, type PlayoutWorkletOptions } from '../src/browser/receive-protocol.js';

declare function registerProcessor(name: string, ctor: new (options: AudioWorkletNodeOptions) => AudioWorkletProcessorBase): void;
declare class AudioWorkletProcessorBase {
  readonly port: MessagePort;
  constructor(options?: AudioWorkletNodeOptions);
}
const AudioWorkletProcessorClass = (globalThis as unknown as { AudioWorkletProcessor: typeof AudioWorkletProcessorBase }).AudioWorkletProcessor;
const RENDER_QUANTUM = 128;

class SazanamiPlayoutProcessor extends AudioWorkletProcessorClass {
  private readonly ring: FloatRingBuffer | null = null;
  private readonly counters: Int32Array | null = null;
  private readonly block = new Float32Array(RENDER_QUANTUM);
  private started = false;
  private stopped = false;

  constructor(options: AudioWorkletNodeOptions) {
    super(options);
    try {
      const { ring, counters } = options.processorOptions as PlayoutWorkletOptions;
      this.ring = new FloatRingBuffer(ring);
      this.counters = new Int32Array(counters);
    } catch {
      // Bad options: the node plays silence (the main thread validated them, so this is a bug).
    }
    this.port.onmessage = (event: MessageEvent<{ type?: string }>) => {
      if (event.data?.type === 'stop') this.stopped = true;
    };
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    try {
      const output = outputs[0];
      const frames = output?.[0]?.length ?? RENDER_QUANTUM;
      const counters = this.counters;
      const block = frames === RENDER_QUANTUM ? this.block : new Float32Array(frames);
      if (this.ring !== null && this.ring.pull(block, frames)) {
        if (!this.started && counters !== null) Atomics.store(counters, PLAYOUT_COUNTER.started, 1);
        this.started = true;
        if (counters !== null) Atomics.add(counters, PLAYOUT_COUNTER.quantaPlayed, 1);
        for (const channel of output ?? []) channel.set(block);
      } else {
        for (const channel of output ?? []) channel.fill(0);
        if (counters !== null) {
          Atomics.add(counters, PLAYOUT_COUNTER.underrunQuanta, 1);
          if (this.started) Atomics.add(counters, PLAYOUT_COUNTER.underrunsAfterStart, 1);
        }
      }
    } catch {
      if (this.counters !== null) Atomics.add(this.counters, PLAYOUT_COUNTER.errors, 1);
    }
    return !this.stopped;
  }
}

registerProcessor(PLAYOUT_PROCESSOR_NAME, SazanamiPlayoutProcessor);

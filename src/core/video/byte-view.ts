// A Uint8Array view over a kernel-owned Wasm buffer, re-created if memory grows (growth detaches the
// old ArrayBuffer). Cached, so a steady frame loop allocates nothing. The byte twin of Float32View.
export class ByteView {
  private buffer: ArrayBuffer | null = null;
  private view: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly pointer: number,
    private readonly length: number,
  ) {}

  get array(): Uint8Array {
    if (this.buffer !== this.memory.buffer) {
      this.buffer = this.memory.buffer as ArrayBuffer;
      this.view = new Uint8Array(this.buffer, this.pointer, this.length);
    }
    return this.view;
  }
}

// Float32Array views over kernel-owned Wasm buffers that are re-created if memory grows (growth
// detaches the old ArrayBuffer). Views are cached, so the hot path allocates nothing.
export class Float32View {
  private buffer: ArrayBuffer | null = null;
  private view: Float32Array = new Float32Array(0);

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly pointer: number,
    private readonly length: number,
  ) {}

  get array(): Float32Array {
    if (this.buffer !== this.memory.buffer) {
      this.buffer = this.memory.buffer as ArrayBuffer;
      this.view = new Float32Array(this.buffer, this.pointer, this.length);
    }
    return this.view;
  }
}

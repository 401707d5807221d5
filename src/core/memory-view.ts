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

  private headView: Float32Array = new Float32Array(0);

  get array(): Float32Array {
    if (this.buffer !== this.memory.buffer) {
      this.buffer = this.memory.buffer as ArrayBuffer;
      this.view = new Float32Array(this.buffer, this.pointer, this.length);
      this.headView = this.view;
    }
    return this.view;
  }

  /** The first `count` elements; the last such view is cached, so a steady block size allocates nothing. */
  head(count: number): Float32Array {
    const view = this.array;
    if (count === view.length) return view;
    if (this.headView.length !== count || this.headView.buffer !== view.buffer) this.headView = view.subarray(0, count);
    return this.headView;
  }
}

// Test-only recorder: posts the first input channel in 100 ms chunks.
class TestRecorder extends AudioWorkletProcessor {
  constructor() {
    super();
    this.chunk = new Float32Array(Math.round(sampleRate / 10));
    this.filled = 0;
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    const block = channel || new Float32Array(128);
    for (let i = 0; i < block.length; i++) {
      this.chunk[this.filled++] = block[i];
      if (this.filled === this.chunk.length) {
        this.port.postMessage(this.chunk);
        this.chunk = new Float32Array(this.chunk.length);
        this.filled = 0;
      }
    }
    return true;
  }
}
registerProcessor('test-recorder', TestRecorder);

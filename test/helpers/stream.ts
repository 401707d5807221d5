// Drives a block processor over a whole signal with fixed or seeded-random block sizes.

/** Calls `process(inputBlock, outputBlock)` over `input` in blocks whose sizes `nextBlockSize()` gives. */
export function processInBlocks(input: Float32Array, nextBlockSize: () => number,
  process: (inputBlock: Float32Array, outputBlock: Float32Array) => void): Float32Array {
  const output = new Float32Array(input.length);
  for (let offset = 0; offset < input.length;) {
    const count = Math.min(nextBlockSize(), input.length - offset);
    process(input.subarray(offset, offset + count), output.subarray(offset, offset + count));
    offset += count;
  }
  return output;
}

/** A block-size source that always returns `size`. */
export const fixedBlocks = (size: number) => () => size;

/** A block-size source with seeded sizes uniformly in [1, maxSize]. */
export function randomBlocks(maxSize: number, random: () => number): () => number {
  return () => 1 + Math.floor(random() * maxSize);
}

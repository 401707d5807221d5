// NV12 ↔ planar chroma: NV12 frames carry U and V interleaved in one plane; the kernels work on
// separate U and V planes, so NV12 chroma is split on the way in and merged on the way out
// (i8x16 shuffles; scalar twins).
import { SIMD_BUILD } from '../common';

/** Splits `n` UV pairs at `uv` into `u` and `v`. */
export function deinterleave(uv: usize, u: usize, v: usize, n: i32, useSimd: bool): void {
  let x = 0;
  if (SIMD_BUILD && useSimd) {
    const count = n & ~15;
    for (; x < count; x += 16) {
      const a = v128.load(uv + (<usize>x << 1)), b = v128.load(uv + (<usize>x << 1) + 16);
      v128.store(u + <usize>x, v128.shuffle<u8>(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30));
      v128.store(v + <usize>x, v128.shuffle<u8>(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31));
    }
  }
  for (; x < n; x++) {
    store<u8>(u + <usize>x, load<u8>(uv + (<usize>x << 1)));
    store<u8>(v + <usize>x, load<u8>(uv + (<usize>x << 1) + 1));
  }
}

/** Merges `n` samples of `u` and `v` into UV pairs at `uv`. */
export function interleave(u: usize, v: usize, uv: usize, n: i32, useSimd: bool): void {
  let x = 0;
  if (SIMD_BUILD && useSimd) {
    const count = n & ~15;
    for (; x < count; x += 16) {
      const a = v128.load(u + <usize>x), b = v128.load(v + <usize>x);
      v128.store(uv + (<usize>x << 1), v128.shuffle<u8>(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23));
      v128.store(uv + (<usize>x << 1) + 16, v128.shuffle<u8>(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31));
    }
  }
  for (; x < n; x++) {
    store<u8>(uv + (<usize>x << 1), load<u8>(u + <usize>x));
    store<u8>(uv + (<usize>x << 1) + 1, load<u8>(v + <usize>x));
  }
}

// Shared sizes and pixel formats for the video kernels: one place for the numbers they agree on.

/** Pixel formats of a frame buffer (codes shared with src/core/video/video-exports.ts). */
export const FORMAT_I420: i32 = 0;
export const FORMAT_NV12: i32 = 1;

/** Largest accepted side and area: 4K UHD in either orientation (4096 × 2160 DCI also fits). */
export const MAX_SIDE_PIXELS: i32 = 4096;
export const MAX_AREA_PIXELS: i32 = 4096 * 2160;
/** Smallest accepted side: the 3 × 3 filters need two rows and columns. */
export const MIN_SIDE_PIXELS: i32 = 2;
/** Every plane buffer is padded so an 8- or 16-lane load/store at the last pixel stays in bounds. */
export const PLANE_PADDING_BYTES: i32 = 32;

/** Fixed-point unit of the per-pixel blend weights (Q7: 128 = 1.0). */
export const Q7_ONE: i32 = 128;

export function isValidFormat(format: i32): bool {
  return format == FORMAT_I420 || format == FORMAT_NV12;
}

export function isValidSize(width: i32, height: i32): bool {
  return width >= MIN_SIDE_PIXELS && height >= MIN_SIDE_PIXELS && width <= MAX_SIDE_PIXELS && height <= MAX_SIDE_PIXELS
    && (width & 1) == 0 && (height & 1) == 0 && width * height <= MAX_AREA_PIXELS;
}

/** Bytes of a 4:2:0 frame (I420 and NV12 alike). */
export function frameBytes(width: i32, height: i32): i32 {
  return width * height + 2 * ((width >> 1) * (height >> 1));
}

// @ts-ignore: decorator
@inline export function clampI32(x: i32, lo: i32, hi: i32): i32 {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Scalar twin of i16x8.q15mulr_sat_s: (a·b + 2^14) >> 15, saturated to i16. */
// @ts-ignore: decorator
@inline export function q15mulr(a: i32, b: i32): i32 {
  return clampI32((a * b + 0x4000) >> 15, -32768, 32767);
}

/** Stores the low 8 lanes of an i16x8 as bytes with unsigned saturation. */
// @ts-ignore: decorator
@inline export function storeU8x8(p: usize, v: v128): void {
  v128.store64_lane(p, i8x16.narrow_i16x8_u(v, v), 0);
}

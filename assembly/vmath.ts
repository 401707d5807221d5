// Vectorisable elementary functions (ln, exp, exponential integral) as f32 scalar/f32x4 twins.
// Both twins evaluate the same polynomials so the SIMD and scalar builds agree to rounding.

const LN2: f32 = 0.6931471805599453;
const INV_LN2: f32 = 1.4426950408889634;
const SQRT2: f32 = 1.4142135623730951;

/** Natural log for x > 0 (caller guarantees a positive, finite input); relative error < 2e-7. */
// @ts-ignore: decorator
@inline export function lnScalar(x: f32): f32 {
  const bits = reinterpret<i32>(x);
  let e = <f32>(((bits >> 23) & 0xff) - 127);
  let m = reinterpret<f32>((bits & 0x7fffff) | 0x3f800000);
  if (m > SQRT2) { m *= 0.5; e += 1; }
  const t: f32 = (m - 1) / (m + 1);
  const t2 = t * t;
  const s: f32 = 1 + t2 * (<f32>0.33333333 + t2 * (<f32>0.2 + t2 * (<f32>0.14285714 + t2 * <f32>0.11111111)));
  return e * LN2 + 2 * t * s;
}

/** e^x, x clamped to [-87, 88]; relative error < 3e-7. */
// @ts-ignore: decorator
@inline export function expScalar(x: f32): f32 {
  x = min<f32>(max<f32>(x, -87), 88);
  const k = nearest<f32>(x * INV_LN2);
  const r = x - k * LN2;
  const p: f32 = 1 + r * (<f32>1 + r * (<f32>0.5 + r * (<f32>0.16666667 + r * (<f32>0.041666668 + r * (<f32>0.0083333338 + r * <f32>0.0013888889)))));
  return p * reinterpret<f32>((<i32>k + 127) << 23);
}

// A&S 5.1.53 (x <= 1) and 5.1.56 (x >= 1) coefficients for the exponential integral E1.
const E1_A0: f32 = -0.57721566; const E1_A1: f32 = 0.99999193; const E1_A2: f32 = -0.24991055;
const E1_A3: f32 = 0.05519968; const E1_A4: f32 = -0.00976004; const E1_A5: f32 = 0.00107857;
const E1_C1: f32 = 2.334733; const E1_C2: f32 = 0.250621; const E1_D1: f32 = 3.330657; const E1_D2: f32 = 1.681534;

/** Exponential integral E1(v) for v in [1e-10, 80] (absolute error < 2e-5 near 1, relative < 5e-5 above). */
// @ts-ignore: decorator
@inline export function expint1Scalar(v: f32): f32 {
  if (v <= 1) {
    return -lnScalar(v) + (E1_A0 + v * (E1_A1 + v * (E1_A2 + v * (E1_A3 + v * (E1_A4 + v * E1_A5)))));
  }
  const num = v * v + E1_C1 * v + E1_C2;
  const den = v * v + E1_D1 * v + E1_D2;
  return expScalar(-v) / v * (num / den);
}

// @ts-ignore: decorator
@inline export function lnSimd(x: v128): v128 {
  const bits = x;
  let e = f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(127)));
  let m = v128.or(v128.and(bits, i32x4.splat(0x7fffff)), i32x4.splat(0x3f800000));
  const big = f32x4.gt(m, f32x4.splat(SQRT2));
  m = v128.bitselect(f32x4.mul(m, f32x4.splat(0.5)), m, big);
  e = f32x4.add(e, v128.and(big, f32x4.splat(1)));
  const one = f32x4.splat(1);
  const t = f32x4.div(f32x4.sub(m, one), f32x4.add(m, one));
  const t2 = f32x4.mul(t, t);
  let s = f32x4.add(f32x4.splat(0.14285714), f32x4.mul(t2, f32x4.splat(0.11111111)));
  s = f32x4.add(f32x4.splat(0.2), f32x4.mul(t2, s));
  s = f32x4.add(f32x4.splat(0.33333333), f32x4.mul(t2, s));
  s = f32x4.add(one, f32x4.mul(t2, s));
  return f32x4.add(f32x4.mul(e, f32x4.splat(LN2)), f32x4.mul(f32x4.add(t, t), s));
}

// @ts-ignore: decorator
@inline export function expSimd(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-87)), f32x4.splat(88));
  const k = f32x4.nearest(f32x4.mul(x, f32x4.splat(INV_LN2)));
  const r = f32x4.sub(x, f32x4.mul(k, f32x4.splat(LN2)));
  let p = f32x4.add(f32x4.splat(0.0083333338), f32x4.mul(r, f32x4.splat(0.0013888889)));
  p = f32x4.add(f32x4.splat(0.041666668), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(0.16666667), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(0.5), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(1), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(1), f32x4.mul(r, p));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(k), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

// @ts-ignore: decorator
@inline export function expint1Simd(v: v128): v128 {
  let small = f32x4.add(f32x4.splat(E1_A4), f32x4.mul(v, f32x4.splat(E1_A5)));
  small = f32x4.add(f32x4.splat(E1_A3), f32x4.mul(v, small));
  small = f32x4.add(f32x4.splat(E1_A2), f32x4.mul(v, small));
  small = f32x4.add(f32x4.splat(E1_A1), f32x4.mul(v, small));
  small = f32x4.add(f32x4.splat(E1_A0), f32x4.mul(v, small));
  small = f32x4.sub(small, lnSimd(v));
  const v2 = f32x4.mul(v, v);
  const num = f32x4.add(f32x4.add(v2, f32x4.mul(v, f32x4.splat(E1_C1))), f32x4.splat(E1_C2));
  const den = f32x4.add(f32x4.add(v2, f32x4.mul(v, f32x4.splat(E1_D1))), f32x4.splat(E1_D2));
  const large = f32x4.mul(f32x4.div(expSimd(f32x4.neg(v)), v), f32x4.div(num, den));
  return v128.bitselect(small, large, f32x4.le(v, f32x4.splat(1)));
}

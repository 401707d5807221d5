// Automatic white balance: the illuminant is estimated as a blend of grey-world (Buchsbaum 1980),
// first-order grey-edge (J. van de Weijer, T. Gevers, A. Gijsenij, "Edge-based color constancy",
// IEEE TIP 2007, Minkowski p = 1) and white-patch (the brightest 3 % of samples) on a subsample of
// the frame in RGB (BT.601 full range), then von Kries gains g = (1/3)/e, normalised so a grey
// pixel keeps its luma, are smoothed over frames. The gains act on chroma only: U and V become
// linear in (Y, U, V) through the matrix C · diag(g) · C⁻¹, applied with i16 Q15 products
// (q15mulr) in both twins so they agree bit for bit. Luma is left to the exposure stage.
import { SIMD_BUILD } from '../common';
import { clampI32, q15mulr } from './video-common';

/** Blend weights of the three estimates (renormalised over the ones that have samples). */
const GREY_WORLD_WEIGHT: f64 = 0.5;
const GREY_EDGE_WEIGHT: f64 = 0.25;
const WHITE_PATCH_WEIGHT: f64 = 0.25;
/** Gains stay within this range: stronger casts are more likely scene colour than illuminant. */
const MIN_GAIN: f64 = 0.6;
const MAX_GAIN: f64 = 1.8;
/** Per-frame smoothing of the gains (≈ 1 s time constant at 30 frames/s). */
const GAIN_SMOOTHING: f64 = 0.035;
/** Samples at or above this level in any channel are clipped and say nothing about the illuminant. */
const CLIPPED_LEVEL: f64 = 248;
const DARK_LEVEL: f64 = 20;
/** Matrix coefficients are Q12; inputs are scaled by 8 so q15mulr(x·8, c) = round(x·c / 4096). */
const COEFFICIENT_SCALE: f64 = 4096;

export class WhiteBalance {
  useSimd: bool = SIMD_BUILD;
  gainRed: f64 = 1;
  gainGreen: f64 = 1;
  gainBlue: f64 = 1;
  /** U' = uy·Y + uu·(U − 128) + uv·(V − 128) + 128, V' likewise; Q12. */
  private uy: i32 = 0; private uu: i32 = 4096; private uv: i32 = 0;
  private vy: i32 = 0; private vu: i32 = 0; private vv: i32 = 4096;
  private primed: bool = false;

  reset(): void {
    this.primed = false;
    this.gainRed = 1; this.gainGreen = 1; this.gainBlue = 1;
    this.buildMatrix();
  }

  /**
   * Estimates the illuminant on every 2nd sample of every 4th chroma row and updates the gains.
   * `whiteLevel` is the luma above which a sample counts as white patch; `strength` is 0–1.
   */
  update(luma: usize, u: usize, v: usize, width: i32, height: i32, whiteLevel: i32, strength: f32): void {
    const chromaWidth = width >> 1, chromaHeight = height >> 1;
    let worldR: f64 = 0, worldG: f64 = 0, worldB: f64 = 0, worldN = 0;
    let edgeR: f64 = 0, edgeG: f64 = 0, edgeB: f64 = 0;
    let whiteR: f64 = 0, whiteG: f64 = 0, whiteB: f64 = 0, whiteN = 0;
    for (let cy = 0; cy < chromaHeight; cy += 4) {
      const lumaRow = luma + <usize>(2 * cy * width);
      const uRow = u + <usize>(cy * chromaWidth), vRow = v + <usize>(cy * chromaWidth);
      let lastR: f64 = -1, lastG: f64 = 0, lastB: f64 = 0;
      for (let cx = 0; cx < chromaWidth; cx += 2) {
        const yl = <f64>load<u8>(lumaRow + <usize>(2 * cx));
        const uc = <f64>load<u8>(uRow + <usize>cx) - 128.0, vc = <f64>load<u8>(vRow + <usize>cx) - 128.0;
        const r = yl + 1.402 * vc, g = yl - 0.344136 * uc - 0.714136 * vc, b = yl + 1.772 * uc;
        const usable = yl >= DARK_LEVEL && r < CLIPPED_LEVEL && g < CLIPPED_LEVEL && b < CLIPPED_LEVEL && r > 0 && g > 0 && b > 0;
        if (!usable) { lastR = -1; continue; }
        worldR += r; worldG += g; worldB += b; worldN++;
        if (lastR >= 0) { edgeR += Math.abs(r - lastR); edgeG += Math.abs(g - lastG); edgeB += Math.abs(b - lastB); }
        lastR = r; lastG = g; lastB = b;
        if (<i32>yl >= whiteLevel) { whiteR += r; whiteG += g; whiteB += b; whiteN++; }
      }
    }
    let eR: f64 = 0, eG: f64 = 0, eB: f64 = 0, weight: f64 = 0;
    const world = worldR + worldG + worldB;
    if (worldN > 16 && world > 0) {
      eR += GREY_WORLD_WEIGHT * worldR / world; eG += GREY_WORLD_WEIGHT * worldG / world; eB += GREY_WORLD_WEIGHT * worldB / world;
      weight += GREY_WORLD_WEIGHT;
    }
    const edge = edgeR + edgeG + edgeB;
    if (edge > 0) {
      eR += GREY_EDGE_WEIGHT * edgeR / edge; eG += GREY_EDGE_WEIGHT * edgeG / edge; eB += GREY_EDGE_WEIGHT * edgeB / edge;
      weight += GREY_EDGE_WEIGHT;
    }
    const white = whiteR + whiteG + whiteB;
    if (whiteN > 16 && white > 0) {
      eR += WHITE_PATCH_WEIGHT * whiteR / white; eG += WHITE_PATCH_WEIGHT * whiteG / white; eB += WHITE_PATCH_WEIGHT * whiteB / white;
      weight += WHITE_PATCH_WEIGHT;
    }
    let gR: f64 = 1, gG: f64 = 1, gB: f64 = 1;
    if (weight > 0) {
      eR /= weight; eG /= weight; eB /= weight;
      gR = clampGain((1.0 / 3.0) / max(eR, 1e-3));
      gG = clampGain((1.0 / 3.0) / max(eG, 1e-3));
      gB = clampGain((1.0 / 3.0) / max(eB, 1e-3));
      const lumaOfGrey = 0.299 * gR + 0.587 * gG + 0.114 * gB;
      gR /= lumaOfGrey; gG /= lumaOfGrey; gB /= lumaOfGrey;
    }
    const s = <f64>strength;
    gR = 1 + s * (gR - 1); gG = 1 + s * (gG - 1); gB = 1 + s * (gB - 1);
    if (this.primed) {
      this.gainRed += GAIN_SMOOTHING * (gR - this.gainRed);
      this.gainGreen += GAIN_SMOOTHING * (gG - this.gainGreen);
      this.gainBlue += GAIN_SMOOTHING * (gB - this.gainBlue);
    } else {
      this.gainRed = gR; this.gainGreen = gG; this.gainBlue = gB;
      this.primed = true;
    }
    this.buildMatrix();
  }

  /** Corrects chroma row `cy`: `lumaRow` is luma row 2·cy, u/v/outU/outV are chroma rows of `n` samples. */
  applyRow(lumaRow: usize, u: usize, v: usize, outU: usize, outV: usize, n: i32): void {
    let x = 0;
    if (SIMD_BUILD && this.useSimd) {
      const one = i16x8.splat(1), centre = i16x8.splat(128);
      const uy = i16x8.splat(<i16>this.uy), uu = i16x8.splat(<i16>this.uu), uv = i16x8.splat(<i16>this.uv);
      const vy = i16x8.splat(<i16>this.vy), vu = i16x8.splat(<i16>this.vu), vv = i16x8.splat(<i16>this.vv);
      const count = n & ~7;
      for (; x < count; x += 8) {
        const yl = i16x8.shl(i16x8.shr_u(i16x8.add(i16x8.extadd_pairwise_i8x16_u(v128.load(lumaRow + (<usize>x << 1))), one), 1), 3);
        const uc = i16x8.shl(i16x8.sub(v128.load8x8_u(u + <usize>x), centre), 3);
        const vc = i16x8.shl(i16x8.sub(v128.load8x8_u(v + <usize>x), centre), 3);
        const nu = i16x8.add(i16x8.add(i16x8.add(i16x8.q15mulr_sat_s(yl, uy), i16x8.q15mulr_sat_s(uc, uu)), i16x8.q15mulr_sat_s(vc, uv)), centre);
        const nv = i16x8.add(i16x8.add(i16x8.add(i16x8.q15mulr_sat_s(yl, vy), i16x8.q15mulr_sat_s(uc, vu)), i16x8.q15mulr_sat_s(vc, vv)), centre);
        v128.store64_lane(outU + <usize>x, i8x16.narrow_i16x8_u(nu, nu), 0);
        v128.store64_lane(outV + <usize>x, i8x16.narrow_i16x8_u(nv, nv), 0);
      }
    }
    for (; x < n; x++) {
      const yl = ((<i32>load<u8>(lumaRow + (<usize>x << 1)) + <i32>load<u8>(lumaRow + (<usize>x << 1) + 1) + 1) >> 1) << 3;
      const uc = (<i32>load<u8>(u + <usize>x) - 128) << 3, vc = (<i32>load<u8>(v + <usize>x) - 128) << 3;
      const nu = q15mulr(yl, this.uy) + q15mulr(uc, this.uu) + q15mulr(vc, this.uv) + 128;
      const nv = q15mulr(yl, this.vy) + q15mulr(uc, this.vu) + q15mulr(vc, this.vv) + 128;
      store<u8>(outU + <usize>x, <u8>clampI32(nu, 0, 255));
      store<u8>(outV + <usize>x, <u8>clampI32(nv, 0, 255));
    }
  }

  private buildMatrix(): void {
    const gR = this.gainRed, gG = this.gainGreen, gB = this.gainBlue;
    this.uy = coefficient(-0.168736 * gR - 0.331264 * gG + 0.5 * gB);
    this.uu = coefficient(0.331264 * 0.344136 * gG + 0.5 * 1.772 * gB);
    this.uv = coefficient(-0.168736 * 1.402 * gR + 0.331264 * 0.714136 * gG);
    this.vy = coefficient(0.5 * gR - 0.418688 * gG - 0.081312 * gB);
    this.vu = coefficient(0.418688 * 0.344136 * gG - 0.081312 * 1.772 * gB);
    this.vv = coefficient(0.5 * 1.402 * gR + 0.418688 * 0.714136 * gG);
  }
}

function clampGain(g: f64): f64 {
  return Math.min(Math.max(g, MIN_GAIN), MAX_GAIN);
}

function coefficient(c: f64): i32 {
  return clampI32(<i32>Math.round(c * COEFFICIENT_SCALE), -32767, 32767);
}

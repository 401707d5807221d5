// Procedurally generated test sequences for video correction (no files needed): a textured,
// panning background (gradient + bricks + fine sinusoid), moving saturated shapes, a skin-toned
// face-like ellipse, a static text label and a static neutral grey card, rendered in RGB and
// converted to I420 (BT.601 full range, 2 × 2 chroma average). Degradations: a colour cast and
// under-exposure applied in RGB, and seeded Gaussian noise added to the planes.
import { seededRandom } from '../../src/core/seeded-random.js';

export interface SequenceOptions {
  width: number;
  height: number;
  frames: number;
  /** RGB gains of a colour cast (gamma domain), e.g. [1.2, 1, 0.75]; default none. */
  cast?: [number, number, number];
  /** Scale of linear light (0.25 = two stops under); default 1. */
  exposure?: number;
  /** Background pan in pixels per frame; default 2 (set 0 for a static camera). */
  panPixelsPerFrame?: number;
}

export interface Rect { x: number; y: number; width: number; height: number }

export interface Sequence {
  width: number;
  height: number;
  frames: Uint8Array[];
  /** Luma-plane rectangles of the neutral grey card (their chroma should be 128). */
  neutralRects: Rect[];
}

const SKIN: [number, number, number] = [224, 172, 140];
const SHAPES: { colour: [number, number, number]; x: number; y: number; vx: number; vy: number; r: number; square: boolean }[] = [
  { colour: [205, 45, 40], x: 0.25, y: 0.35, vx: 0.006, vy: 0.004, r: 0.09, square: false },
  { colour: [45, 165, 70], x: 0.6, y: 0.6, vx: -0.005, vy: 0.006, r: 0.07, square: true },
  { colour: [55, 75, 205], x: 0.75, y: 0.25, vx: 0.004, vy: -0.005, r: 0.06, square: false },
];

function bounce(p: number, v: number, t: number, r: number): number {
  const span = 1 - 2 * r;
  let q = (p - r + v * t) % (2 * span);
  if (q < 0) q += 2 * span;
  return r + (q < span ? q : 2 * span - q);
}

/** A seeded 5 × 7 glyph bitmap per character cell (pseudo-text: strokes with text-like statistics). */
function glyphBit(cell: number, gx: number, gy: number): boolean {
  let h = Math.imul(cell + 1, 0x9e3779b1) ^ Math.imul(gx * 7 + gy + 3, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return ((h >>> 16) & 3) === 0 || gx === 0 && gy % 3 === 0;
}

export function generateSequence(options: SequenceOptions): Sequence {
  const { width: w, height: h, frames: count } = options;
  const cast = options.cast ?? [1, 1, 1];
  const exposure = options.exposure ?? 1;
  const pan = options.panPixelsPerFrame ?? 2;
  const unit = Math.max(1, Math.round(w / 320));
  const rgb = new Float32Array(w * h * 3);
  // Static overlays: text label (top left) and grey card (bottom right).
  const label: Rect = { x: 4 * unit, y: 4 * unit, width: Math.min(w - 8 * unit, 12 * 6 * unit + 4 * unit), height: 2 * 9 * unit + 4 * unit };
  const patch = Math.max(6, Math.round(w / 16));
  const greyLevels = [60, 118, 180, 228];
  const card: Rect[] = greyLevels.map((_, i) => ({ x: w - (greyLevels.length - i) * patch - 4 * unit, y: h - patch - 4 * unit, width: patch, height: patch }));
  const neutralRects = card.map((r) => ({ x: r.x + 2, y: r.y + 2, width: r.width - 4, height: r.height - 4 }));
  const out: Uint8Array[] = [];
  const lumaSize = w * h, cw = w >> 1, ch = h >> 1;
  for (let t = 0; t < count; t++) {
    const px = t * pan, py = t * pan * 0.25;
    const faceX = w * (0.42 + 0.05 * Math.sin(t * 0.07)), faceY = h * (0.55 + 0.03 * Math.sin(t * 0.05));
    const faceRx = w * 0.1, faceRy = h * 0.17;
    const shapes = SHAPES.map((s) => ({ ...s, cx: bounce(s.x, s.vx, t, s.r) * w, cy: bounce(s.y, s.vy, t, s.r) * h, rr: s.r * Math.min(w, h) }));
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const bx = x + px, by = y + py;
        const u = bx / w, v = by / h;
        const brickRow = Math.floor(by / (16 * unit));
        const mortar = (by % (16 * unit)) < unit || ((bx + (brickRow & 1) * 16 * unit) % (32 * unit)) < unit;
        const fine = 14 * Math.sin(bx * 0.35 / unit) * Math.sin(by * 0.27 / unit);
        let r = 95 + 70 * (0.5 + 0.5 * Math.sin(u * 2.1)) + fine;
        let g = 105 + 55 * (0.5 + 0.5 * Math.cos(v * 1.7)) + fine;
        let b = 115 + 45 * (0.5 + 0.5 * Math.sin(u * 1.3 + v)) + fine;
        if (mortar) { r *= 0.7; g *= 0.7; b *= 0.7; }
        // The face: skin tone with a soft shading toward the rim.
        const fx = (x - faceX) / faceRx, fy = (y - faceY) / faceRy;
        const fd = fx * fx + fy * fy;
        if (fd < 1) {
          const shade = 1 - 0.25 * fd;
          r = SKIN[0] * shade; g = SKIN[1] * shade; b = SKIN[2] * shade;
        }
        for (const s of shapes) {
          const dx = x - s.cx, dy = y - s.cy;
          const inside = s.square ? Math.abs(dx) < s.rr && Math.abs(dy) < s.rr : dx * dx + dy * dy < s.rr * s.rr;
          if (inside) { r = s.colour[0]; g = s.colour[1]; b = s.colour[2]; }
        }
        if (x >= label.x && x < label.x + label.width && y >= label.y && y < label.y + label.height) {
          const lx = Math.floor((x - label.x - 2 * unit) / unit), ly = Math.floor((y - label.y - 2 * unit) / unit);
          const cell = Math.floor(lx / 6) + 100 * Math.floor(ly / 9);
          const ink = lx >= 0 && ly >= 0 && lx % 6 < 5 && ly % 9 < 7 && glyphBit(cell, lx % 6, ly % 9);
          r = g = b = ink ? 28 : 236;
        }
        for (let i = 0; i < card.length; i++) {
          const c = card[i];
          if (x >= c.x && x < c.x + c.width && y >= c.y && y < c.y + c.height) r = g = b = greyLevels[i];
        }
        const o = 3 * (y * w + x);
        rgb[o] = r; rgb[o + 1] = g; rgb[o + 2] = b;
      }
    }
    out.push(rgbToI420(rgb, w, h, cast, exposure, lumaSize, cw, ch));
  }
  return { width: w, height: h, frames: out, neutralRects };
}

function degrade(value: number, gain: number, exposure: number): number {
  let v = Math.min(Math.max(value * gain, 0), 255);
  if (exposure !== 1) v = 255 * Math.pow(Math.pow(v / 255, 2.2) * exposure, 1 / 2.2);
  return v;
}

function rgbToI420(rgb: Float32Array, w: number, h: number, cast: number[], exposure: number, lumaSize: number, cw: number, ch: number): Uint8Array {
  const frame = new Uint8Array(lumaSize + 2 * cw * ch);
  const uSum = new Float32Array(cw * ch), vSum = new Float32Array(cw * ch);
  for (let i = 0; i < lumaSize; i++) {
    const r = degrade(rgb[3 * i], cast[0], exposure), g = degrade(rgb[3 * i + 1], cast[1], exposure), b = degrade(rgb[3 * i + 2], cast[2], exposure);
    frame[i] = Math.round(Math.min(255, Math.max(0, 0.299 * r + 0.587 * g + 0.114 * b)));
    const x = i % w, y = (i - x) / w;
    const c = (y >> 1) * cw + (x >> 1);
    uSum[c] += -0.168736 * r - 0.331264 * g + 0.5 * b;
    vSum[c] += 0.5 * r - 0.418688 * g - 0.081312 * b;
  }
  for (let c = 0; c < cw * ch; c++) {
    frame[lumaSize + c] = Math.round(Math.min(255, Math.max(0, 128 + uSum[c] / 4)));
    frame[lumaSize + cw * ch + c] = Math.round(Math.min(255, Math.max(0, 128 + vSum[c] / 4)));
  }
  return frame;
}

/** mulberry32 normals (Box–Muller), seeded. */
function gaussianSource(seed: number): () => number {
  let spare: number | null = null;
  const uniform = seededRandom(seed);
  return () => {
    if (spare !== null) { const s = spare; spare = null; return s; }
    const u1 = Math.max(uniform(), 1e-12), u2 = uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  };
}

/** Adds Gaussian noise of σ (8-bit levels) to luma and σ/2 to chroma (a 2 × 2 average halves it). */
export function addNoise(sequence: Sequence, sigma: number, seed: number): Sequence {
  const normal = gaussianSource(seed);
  const lumaSize = sequence.width * sequence.height;
  const frames = sequence.frames.map((frame) => {
    const noisy = new Uint8Array(frame.length);
    for (let i = 0; i < frame.length; i++) {
      const s = i < lumaSize ? sigma : sigma / 2;
      noisy[i] = Math.min(255, Math.max(0, Math.round(frame[i] + s * normal())));
    }
    return noisy;
  });
  return { ...sequence, frames };
}

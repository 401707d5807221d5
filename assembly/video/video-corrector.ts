// The video correction chain on one 4:2:0 frame (I420 or NV12), fused so each plane is read and
// written once per frame: luma rows go denoise → exposure curve → sharpen with the sharpener one row
// behind (it needs the row below); chroma rows go denoise → white balance. Analysis (histogram,
// noise level, illuminant) runs on sparse subsamples. Every buffer is allocated here; process()
// allocates nothing and cannot fail on a frame of the size given at creation.
import { SIMD_BUILD } from '../common';
import { FORMAT_NV12, PLANE_PADDING_BYTES, frameBytes } from './video-common';
import { deinterleave, interleave } from './chroma-layout';
import { ExposureCurve } from './exposure';
import { NoiseEstimator } from './noise-estimator';
import { Sharpener } from './sharpener';
import { TemporalDenoiser } from './temporal-denoiser';
import { WhiteBalance } from './white-balance';

/** The share of luma noise left after denoising at a typical strength (sets the sharpening threshold). */
const RESIDUAL_NOISE_AFTER_DENOISE: f32 = 0.4;
/** Luma percentile that marks white-patch candidates. */
const WHITE_PATCH_PERCENTILE: f64 = 0.97;

export class VideoCorrector {
  readonly width: i32;
  readonly height: i32;
  readonly format: i32;
  readonly chromaWidth: i32;
  readonly chromaHeight: i32;
  readonly frameBytes: i32;
  readonly input: StaticArray<u8>;
  readonly output: StaticArray<u8>;
  exposureStrength: f32 = 0;
  whiteBalanceStrength: f32 = 0;
  denoiseStrength: f32 = 0;
  sharpenStrength: f32 = 0;
  frames: i32 = 0;
  readonly exposure: ExposureCurve = new ExposureCurve();
  readonly whiteBalance: WhiteBalance = new WhiteBalance();
  readonly lumaNoise: NoiseEstimator = new NoiseEstimator();
  readonly denoiseY: TemporalDenoiser;
  readonly denoiseU: TemporalDenoiser;
  readonly denoiseV: TemporalDenoiser;
  readonly sharpener: Sharpener;
  private simd: bool = SIMD_BUILD;
  /** Exposure-mapped luma rows y−2, y−1, y for the sharpener. */
  private readonly lumaRing: StaticArray<u8>;
  // Planar chroma for NV12 frames (unused, zero-length, for I420).
  private readonly planarIn: StaticArray<u8>;
  private readonly planarOut: StaticArray<u8>;

  constructor(width: i32, height: i32, format: i32) {
    this.width = width;
    this.height = height;
    this.format = format;
    const cw = width >> 1, ch = height >> 1;
    this.chromaWidth = cw;
    this.chromaHeight = ch;
    const bytes = frameBytes(width, height);
    this.frameBytes = bytes;
    this.input = new StaticArray<u8>(bytes + PLANE_PADDING_BYTES);
    this.output = new StaticArray<u8>(bytes + PLANE_PADDING_BYTES);
    this.denoiseY = new TemporalDenoiser(width, height);
    this.denoiseU = new TemporalDenoiser(cw, ch);
    this.denoiseV = new TemporalDenoiser(cw, ch);
    this.sharpener = new Sharpener(width);
    this.lumaRing = new StaticArray<u8>(3 * width + PLANE_PADDING_BYTES);
    const planar = format == FORMAT_NV12 ? 2 * cw * ch + PLANE_PADDING_BYTES : 0;
    this.planarIn = new StaticArray<u8>(planar);
    this.planarOut = new StaticArray<u8>(planar);
  }

  get useSimd(): bool { return this.simd; }
  set useSimd(on: bool) {
    const simd = on && SIMD_BUILD;
    this.simd = simd;
    this.exposure.useSimd = simd;
    this.whiteBalance.useSimd = simd;
    this.denoiseY.useSimd = simd;
    this.denoiseU.useSimd = simd;
    this.denoiseV.useSimd = simd;
    this.sharpener.useSimd = simd;
  }

  reset(): void {
    this.frames = 0;
    this.exposure.reset();
    this.whiteBalance.reset();
    this.lumaNoise.reset();
    this.denoiseY.reset();
    this.denoiseU.reset();
    this.denoiseV.reset();
  }

  process(): void {
    const w = this.width, h = this.height, cw = this.chromaWidth, ch = this.chromaHeight;
    const chromaBytes = cw * ch;
    const inY = changetype<usize>(this.input), outY = changetype<usize>(this.output);
    let inU = inY + <usize>(w * h), inV = inU + <usize>chromaBytes;
    let outU = outY + <usize>(w * h), outV = outU + <usize>chromaBytes;
    const nv12 = this.format == FORMAT_NV12;
    if (nv12) {
      inU = changetype<usize>(this.planarIn); inV = inU + <usize>chromaBytes;
      outU = changetype<usize>(this.planarOut); outV = outU + <usize>chromaBytes;
      deinterleave(inY + <usize>(w * h), inU, inV, chromaBytes, this.simd);
    }
    const denoise = this.denoiseStrength > 0, exposure = this.exposureStrength > 0;
    const sharpen = this.sharpenStrength > 0, whiteBalance = this.whiteBalanceStrength > 0;
    if (exposure || whiteBalance) this.exposure.analyse(inY, w, h);
    if (exposure) this.exposure.update(this.exposureStrength);
    if (denoise) this.denoiseY.beginFrame(inY, this.denoiseStrength);
    if (sharpen) {
      let residual: f32;
      if (denoise) residual = this.denoiseY.noise.sigma * RESIDUAL_NOISE_AFTER_DENOISE;
      else { this.lumaNoise.update(inY, w, h); residual = this.lumaNoise.sigma; }
      this.sharpener.configure(this.sharpenStrength, residual);
    }

    // Luma: denoise → curve → sharpen (one row behind).
    const ring = changetype<usize>(this.lumaRing);
    let rowAbove: usize = 0, rowCentre: usize = 0;
    for (let y = 0; y < h; y++) {
      let source = inY + <usize>(y * w);
      if (denoise) {
        this.denoiseY.processRow(inY, y);
        source = changetype<usize>(this.denoiseY.current) + <usize>(y * w);
      }
      if (sharpen) {
        let mapped = source;
        if (exposure) {
          mapped = ring + <usize>((y % 3) * w);
          this.exposure.apply(source, mapped, w);
        }
        if (y == 0) { rowAbove = mapped; rowCentre = mapped; continue; }
        this.sharpener.processRow(rowAbove, rowCentre, mapped, outY + <usize>((y - 1) * w));
        rowAbove = rowCentre;
        rowCentre = mapped;
      } else if (exposure) {
        this.exposure.apply(source, outY + <usize>(y * w), w);
      } else {
        memory.copy(outY + <usize>(y * w), source, <usize>w);
      }
    }
    if (sharpen) this.sharpener.processRow(rowAbove, rowCentre, rowCentre, outY + <usize>((h - 1) * w));

    // Chroma: denoise → white balance, row by row. The illuminant is measured on the previous
    // frame's denoised planes (less noise; one frame of lag is nothing next to the 1 s smoothing).
    if (denoise) {
      this.denoiseU.beginFrame(inU, this.denoiseStrength);
      this.denoiseV.beginFrame(inV, this.denoiseStrength);
    }
    const lumaSource = denoise ? changetype<usize>(this.denoiseY.current) : inY;
    if (whiteBalance) {
      const useHistory = denoise && this.frames > 0;
      this.whiteBalance.update(
        useHistory ? changetype<usize>(this.denoiseY.previous) : inY,
        useHistory ? changetype<usize>(this.denoiseU.previous) : inU,
        useHistory ? changetype<usize>(this.denoiseV.previous) : inV,
        w, h, this.exposure.percentile(WHITE_PATCH_PERCENTILE), this.whiteBalanceStrength);
    }
    for (let cy = 0; cy < ch; cy++) {
      let rowU = inU + <usize>(cy * cw), rowV = inV + <usize>(cy * cw);
      if (denoise) {
        this.denoiseU.processRow(inU, cy);
        this.denoiseV.processRow(inV, cy);
        rowU = changetype<usize>(this.denoiseU.current) + <usize>(cy * cw);
        rowV = changetype<usize>(this.denoiseV.current) + <usize>(cy * cw);
      }
      const targetU = outU + <usize>(cy * cw), targetV = outV + <usize>(cy * cw);
      if (whiteBalance) {
        this.whiteBalance.applyRow(lumaSource + <usize>(2 * cy * w), rowU, rowV, targetU, targetV, cw);
      } else {
        memory.copy(targetU, rowU, <usize>cw);
        memory.copy(targetV, rowV, <usize>cw);
      }
    }
    if (nv12) interleave(outU, outV, outY + <usize>(w * h), chromaBytes, this.simd);
    if (denoise) {
      this.denoiseY.endFrame();
      this.denoiseU.endFrame();
      this.denoiseV.endFrame();
    }
    this.frames++;
  }
}

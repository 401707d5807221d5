// Voice activity detector on 10 ms frames: speech-band (200 Hz–4 kHz) log energy against a tracked
// background floor (fast to fall, ≈ 2 dB/s to rise — minimum-statistics style, Martin 2001), mapped
// to a probability by a logistic on the frame SNR and held over short pauses (hangover), in the
// manner of energy-based detectors such as ITU-T G.729 Annex B's first stage. Cheap and
// allocation-free; it gates the gain controller and is reported in the stats.
import { Biquad } from '../aec/biquad';
import { lnScalar } from '../vmath';

const BAND_LOW_HZ: f64 = 200;
const BAND_HIGH_HZ: f64 = 4000;
/** SNR (dB) at which the probability is one half, and the logistic's width. */
const SNR_MIDPOINT_DB: f32 = 7;
const SNR_WIDTH_DB: f32 = 1.5;
const FLOOR_RISE_DB: f32 = 0.02;
const FLOOR_FALL: f32 = 0.3;
const HANGOVER_FRAMES: i32 = 20;
const SILENCE_DB: f32 = -100;

export class VoiceActivityDetector {
  readonly frameSize: i32;
  /** Probability that the last frame holds speech, 0..1 (before the hangover). */
  speechProbability: f32 = 0;
  /** Speech decision with hangover. */
  voiceActive: bool = false;
  /** Speech-band level of the last frame and the tracked background, dBFS. */
  levelDbfs: f32 = SILENCE_DB;
  noiseFloorDbfs: f32 = -60;
  private highPass: Biquad;
  private lowPass: Biquad;
  private hangover: i32 = 0;
  private frames: i32 = 0;

  constructor(sampleRate: i32, frameSize: i32) {
    this.frameSize = frameSize;
    this.highPass = new Biquad(sampleRate, BAND_LOW_HZ, true);
    this.lowPass = new Biquad(sampleRate, BAND_HIGH_HZ, false);
  }

  reset(): void {
    this.highPass.reset(); this.lowPass.reset();
    this.speechProbability = 0; this.voiceActive = false; this.levelDbfs = SILENCE_DB;
    this.noiseFloorDbfs = -60; this.hangover = 0; this.frames = 0;
  }

  /** Analyses one frame at `frame` (not modified). */
  process(frame: usize): void {
    let energy: f32 = 0;
    for (let i = 0; i < this.frameSize; i++) {
      const y = this.lowPass.step(this.highPass.step(load<f32>(frame + (<usize>i << 2))));
      energy += y * y;
    }
    // dB re a full-scale sine (mean square 0.5).
    const level = max<f32>(SILENCE_DB, <f32>4.3429448 * lnScalar(2 * energy / <f32>this.frameSize + 1e-12));
    this.levelDbfs = level;
    if (level <= -90) {
      // Digital silence (e.g. the chain's priming) says nothing about the background.
    } else if (this.frames < 10) {
      // Start the floor at the first frames' level, so a noisy start is not taken for speech.
      this.noiseFloorDbfs = this.frames == 0 ? level : min<f32>(this.noiseFloorDbfs, level);
      this.frames++;
    } else if (level < this.noiseFloorDbfs) {
      this.noiseFloorDbfs += FLOOR_FALL * (level - this.noiseFloorDbfs);
    } else {
      // Rise faster the further the floor is below: a step up in noise is tracked in seconds.
      this.noiseFloorDbfs += FLOOR_RISE_DB * (1 + <f32>0.05 * min<f32>(60, level - this.noiseFloorDbfs));
    }
    const snr = level - max<f32>(this.noiseFloorDbfs, -90);
    const p: f32 = level <= -80 ? 0 : <f32>1 / (1 + Mathf.exp(-(snr - SNR_MIDPOINT_DB) / SNR_WIDTH_DB));
    this.speechProbability = p;
    if (p > 0.5) this.hangover = HANGOVER_FRAMES;
    else if (this.hangover > 0) this.hangover--;
    this.voiceActive = this.hangover > 0;
  }
}

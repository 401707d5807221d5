// Automatic gain control with a peak limiter, on 10 ms frames. The speech level is estimated only on
// frames the VAD marks as speech, so the gain never drifts up on noise or silence (no pumping); the
// gain moves towards target − level at a bounded rate (slow up, faster down), never so high that the
// background floor would exceed a ceiling (WebRTC AGC2's "max output noise level"), and a limiter
// with instant attack and 100 ms release keeps peaks under −1 dBFS. After WebRTC AGC2's adaptive
// digital controller (speech-level estimator gated by VAD + gain applier + limiter).
import { VoiceActivityDetector } from '../vad/voice-activity-detector';

const LEVEL_SMOOTHING: f32 = 0.97;
const GAIN_UP_DB_PER_FRAME: f32 = 0.06;
const GAIN_DOWN_DB_PER_FRAME: f32 = 0.3;
const MIN_GAIN_DB: f32 = -12;
const MAX_OUTPUT_NOISE_DBFS: f32 = -50;
const LIMITER_CEILING: f32 = 0.891; // −1 dBFS
const LIMITER_RELEASE: f32 = 0.9; // per frame ≈ 100 ms

export class GainController {
  readonly frameSize: i32;
  targetLevelDbfs: f32 = -18;
  maxGainDb: f32 = 30;
  /** Gain applied to the last frame (without the limiter), dB. */
  gainDb: f32 = 0;
  /** Speech level estimate, dBFS (speech-band RMS re a full-scale sine). */
  speechLevelDbfs: f32 = -100;
  /** Limiter gain in the last frame, linear (1 = not limiting). */
  limiterGain: f32 = 1;
  private previousGain: f32 = 1;
  private levelPower: f32 = 0;
  private haveLevel: bool = false;

  constructor(frameSize: i32) {
    this.frameSize = frameSize;
  }

  reset(): void {
    this.gainDb = 0; this.speechLevelDbfs = -100; this.limiterGain = 1; this.previousGain = 1;
    this.levelPower = 0; this.haveLevel = false;
  }

  /** Applies the gain to `frame` in place, steered by `vad` (already run on this frame). */
  process(frame: usize, vad: VoiceActivityDetector): void {
    const N = this.frameSize;
    if (vad.speechProbability > 0.7) {
      const power = Mathf.pow(10, vad.levelDbfs / 10);
      this.levelPower = this.haveLevel ? LEVEL_SMOOTHING * this.levelPower + (1 - LEVEL_SMOOTHING) * power : power;
      this.haveLevel = true;
      this.speechLevelDbfs = 10 * Mathf.log10(this.levelPower + 1e-12);
      let desired = this.targetLevelDbfs - this.speechLevelDbfs;
      desired = min<f32>(min<f32>(desired, this.maxGainDb), MAX_OUTPUT_NOISE_DBFS - vad.noiseFloorDbfs);
      desired = max<f32>(desired, MIN_GAIN_DB);
      const change = desired - this.gainDb;
      this.gainDb += change > 0 ? min<f32>(change, GAIN_UP_DB_PER_FRAME) : max<f32>(change, -GAIN_DOWN_DB_PER_FRAME);
    }
    const gain = Mathf.pow(10, this.gainDb / 20);
    // Peak of this frame after the gain decides the limiter gain (instant attack, smooth release).
    let peak: f32 = 0;
    const from = this.previousGain;
    const stepGain = (gain - from) / <f32>N;
    for (let i = 0; i < N; i++) {
      const a = Mathf.abs(load<f32>(frame + (<usize>i << 2)) * (from + stepGain * <f32>(i + 1)));
      if (a > peak) peak = a;
    }
    const prevLimiter = this.limiterGain;
    let limiter = LIMITER_RELEASE * prevLimiter + (1 - LIMITER_RELEASE);
    if (peak * limiter > LIMITER_CEILING) limiter = LIMITER_CEILING / peak;
    const stepLimiter = (limiter - prevLimiter) / <f32>N;
    for (let i = 0; i < N; i++) {
      const o = <usize>i << 2;
      const t = <f32>(i + 1);
      let y = load<f32>(frame + o) * (from + stepGain * t) * (prevLimiter + stepLimiter * t);
      // The ramp can lag an instant peak by a few samples; never let one through.
      if (y > LIMITER_CEILING) y = LIMITER_CEILING; else if (y < -LIMITER_CEILING) y = -LIMITER_CEILING;
      store<f32>(frame + o, y);
    }
    this.previousGain = gain;
    this.limiterGain = limiter;
  }
}

// Shared sizes and presets of the echo canceller (one place for the numbers its parts agree on),
// in the manner of WebRTC AEC3's aec3_common.h.

/** Longest output→input device delay the delay estimator searches, in ms. */
export const MAX_DELAY_MS: i32 = 500;
/** Echo tail the adaptive filter covers after the bulk delay, in ms (whole 10 ms partitions). */
export const FILTER_LENGTH_MS: i32 = 260;
/** The bulk delay is set this many frames before the estimated direct path (pre-echo margin). */
export const DELAY_MARGIN_FRAMES: i32 = 2;
/** Rate the delay estimator correlates at, in Hz (a low-passed, decimated copy of both signals). */
export const DELAY_ESTIMATOR_RATE_HZ: i32 = 2000;

export const AEC_OFF: i32 = 0;
export const AEC_LIGHT: i32 = 1;
export const AEC_BALANCED: i32 = 2;
export const AEC_STRONG: i32 = 3;

export function isValidAecPreset(preset: i32): bool {
  return preset >= AEC_OFF && preset <= AEC_STRONG;
}

/** Deepest residual-echo suppression, in dB (gain floor of the residual echo suppressor). */
export function aecGainFloorDb(preset: i32): f32 {
  switch (preset) {
    case AEC_LIGHT: return -30;
    case AEC_BALANCED: return -45;
    case AEC_STRONG: return -60;
    default: return 0;
  }
}

/** Over-suppression γ of the residual echo (G = 1 − γ·R/|E|²): larger removes more echo and more near end. */
export function aecOverSuppression(preset: i32): f32 {
  switch (preset) {
    case AEC_LIGHT: return 3;
    case AEC_BALANCED: return 8;
    case AEC_STRONG: return 16;
    default: return 0;
  }
}

/** γ while the frame is near-end dominated (double talk): keeps near-end speech bins. */
export function aecNearEndOverSuppression(preset: i32): f32 {
  switch (preset) {
    case AEC_LIGHT: return 0.25;
    case AEC_BALANCED: return 0.5;
    case AEC_STRONG: return 1;
    default: return 0;
  }
}

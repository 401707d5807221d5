// Noise-suppression presets: how deep noise-only bins may be attenuated and how small the
// a-priori SNR may go (a higher minimum keeps residual noise smoother, a lower one removes more).

export const PRESET_OFF: i32 = 0;
export const PRESET_LIGHT: i32 = 1;
export const PRESET_BALANCED: i32 = 2;
export const PRESET_STRONG: i32 = 3;

/** Gain floor under speech absence, in dB. */
export function presetGainFloorDb(preset: i32): f32 {
  switch (preset) {
    case PRESET_LIGHT: return -12;
    case PRESET_BALANCED: return -20;
    case PRESET_STRONG: return -28;
    default: return 0;
  }
}

/** Smallest a-priori SNR, in dB. */
export function presetMinPriorSnrDb(preset: i32): f32 {
  switch (preset) {
    case PRESET_LIGHT: return -15;
    case PRESET_BALANCED: return -20;
    case PRESET_STRONG: return -25;
    default: return -15;
  }
}

export function isValidPreset(preset: i32): bool {
  return preset >= PRESET_OFF && preset <= PRESET_STRONG;
}

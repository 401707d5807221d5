// A one-line progress bar on stderr, drawn only for an interactive terminal and a long file.

/** Shorter files finish before a bar would be worth reading. */
export const PROGRESS_MIN_DURATION_SEC = 10;

const BAR_MAX_WIDTH_CHARS = 40;
const CLEAR_LINE = '\r\x1b[2K';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** Terminal width; 0 or absent (unknown, e.g. under `script`) means 80. */
  columns?: number;
}

export interface ProgressBar {
  /** Redraws when the whole percentage changes; `fraction` is clamped to [0, 1]. */
  update(fraction: number): void;
  /** Erases the bar so the next line starts clean. */
  done(): void;
}

const SILENT: ProgressBar = { update() {}, done() {} };

/** Returns a bar that draws on `stream`, or one that does nothing when drawing would only add noise. */
export function createProgressBar(stream: ProgressStream, label: string, audioDurationSec: number,
  quiet = false): ProgressBar {
  if (quiet || stream.isTTY !== true || !(audioDurationSec > PROGRESS_MIN_DURATION_SEC)) return SILENT;
  let shownPercent = -1;
  return {
    update(fraction) {
      const percent = Math.floor(Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0)) * 100);
      if (percent === shownPercent) return;
      shownPercent = percent;
      stream.write(CLEAR_LINE + renderProgressLine(label, percent, stream.columns || 80));
    },
    done() {
      if (shownPercent >= 0) stream.write(CLEAR_LINE);
    },
  };
}

/** `label [#########...........]  42%`, with the bar shortened to fit `columns`. */
export function renderProgressLine(label: string, percent: number, columns: number): string {
  const suffix = ` ${String(percent).padStart(3)}%`;
  const barWidthChars = Math.max(0, Math.min(BAR_MAX_WIDTH_CHARS, columns - label.length - suffix.length - 4));
  if (barWidthChars < 10) return `${label}${suffix}`;
  const filled = Math.round((percent / 100) * barWidthChars);
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(barWidthChars - filled)}]${suffix}`;
}

import type { Output } from "./output.js";

const BAR_WIDTH = 30;
const REDRAW_INTERVAL_MS = 100;

/**
 * A progress reporter for long batches on stderr: a bar redrawn in place on a terminal,
 * a line every 10% otherwise (logs stay readable), nothing with --quiet.
 */
export function progressBar(output: Output, label: string): (done: number, total: number) => void {
  let lastDraw = 0;
  let lastTenth = -1;
  return (done, total) => {
    if (output.quiet) return;
    if (output.interactive) {
      const now = Date.now();
      if (done !== total && now - lastDraw < REDRAW_INTERVAL_MS) return;
      lastDraw = now;
      const filled = Math.round((done / total) * BAR_WIDTH);
      output.progress(
        `\r${label} [${"#".repeat(filled)}${" ".repeat(BAR_WIDTH - filled)}] ${done}/${total}${done === total ? "\n" : ""}`,
      );
      return;
    }
    const percent = Math.floor((done / total) * 100);
    const tenth = Math.floor(percent / 10);
    if (tenth !== lastTenth || done === total) {
      lastTenth = tenth;
      output.progress(`${label}: ${done}/${total} (${percent}%)\n`);
    }
  };
}

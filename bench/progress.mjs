// Progress output for the benchmark's long steps, on stderr: a redrawn bar on a terminal, a
// line every 10% otherwise (CI logs, pipes).
const WIDTH = 30;
const REDRAW_MS = 200;

/**
 * @param {{ label: string, total: number, unit: string, stream?: NodeJS.WriteStream }} options
 * @returns {{ tick: (n?: number) => void, set: (value: number) => void, done: () => void }}
 */
export function progressBar({ label, total, unit, stream = process.stderr }) {
  const started = Date.now();
  let value = 0;
  let drawnAt = 0;
  let lastDecile = -1;
  const line = () => {
    const share = total ? Math.min(1, value / total) : 1;
    const filled = Math.round(share * WIDTH);
    const rate = value / Math.max(0.001, (Date.now() - started) / 1000);
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(share * 100).toFixed(0).padStart(3)}% ` +
      `${value.toLocaleString('en')}/${total.toLocaleString('en')} ${unit} (${Math.round(rate).toLocaleString('en')}/s)`;
  };
  const draw = (force = false) => {
    if (stream.isTTY) {
      const now = Date.now();
      if (!force && now - drawnAt < REDRAW_MS) return;
      drawnAt = now;
      stream.write(`\r${line()}`);
      return;
    }
    const decile = Math.floor((value / Math.max(1, total)) * 10);
    if (force || decile > lastDecile) {
      lastDecile = decile;
      stream.write(`${line()}\n`);
    }
  };
  return {
    tick(n = 1) {
      value += n;
      draw();
    },
    set(next) {
      value = next;
      draw();
    },
    done() {
      value = Math.max(value, total);
      if (stream.isTTY) stream.write(`\r${line()} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      else stream.write(`${label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    },
  };
}

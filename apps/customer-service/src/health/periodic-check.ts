import { withTimeout } from './with-timeout';

/** How long one background check may take before its dependency counts as unreachable. */
export const HEALTH_CHECK_TIMEOUT_MS = 1500;

/** The outcome of the latest check, and when it was recorded. */
export type CheckResult<T> = { ok: true; value: T; at: number } | { ok: false; at: number };

export interface PeriodicCheckOptions {
  intervalMs: number;
  /** A check that has not answered by then counts as failed. */
  timeoutMs: number;
  /** Runs after a failed check has settled, before the next one (e.g. drop a stuck connection). */
  afterFailure?: () => Promise<void>;
  now?: () => number;
}

/**
 * Runs a check now and then every `intervalMs`, one at a time whatever the probe rate, each
 * bounded by `timeoutMs`, and keeps the latest result for readers (the readiness probe, the
 * metrics) that must not query the dependency themselves. A check that timed out is left to
 * settle before the next starts (a hung request is never duplicated); meanwhile each turn
 * records a fresh failure, since the dependency is still not answering.
 */
export class PeriodicCheck<T> {
  private latest?: CheckResult<T>;
  private running?: Promise<void>;
  private timedOut = false;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly now: () => number;

  constructor(
    private readonly check: () => Promise<T>,
    private readonly options: PeriodicCheckOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The latest result; undefined until the first check has finished. */
  get result(): CheckResult<T> | undefined {
    return this.latest;
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.turn();
  }

  /** Stops the turns and waits for a check in flight (so its connection can close cleanly). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private turn(): void {
    if (this.stopped) return;
    if (!this.running) this.running = this.runOnce().finally(() => (this.running = undefined));
    else if (this.timedOut) this.latest = { ok: false, at: this.now() };
    this.timer = setTimeout(() => this.turn(), this.options.intervalMs);
    this.timer.unref();
  }

  private async runOnce(): Promise<void> {
    const attempt = this.check();
    try {
      const value = await withTimeout(attempt, this.options.timeoutMs);
      this.latest = { ok: true, value, at: this.now() };
    } catch {
      this.latest = { ok: false, at: this.now() };
      this.timedOut = true;
      await attempt.catch(() => undefined);
      await this.options.afterFailure?.().catch(() => undefined);
    } finally {
      this.timedOut = false;
    }
  }
}

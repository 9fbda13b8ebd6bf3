/** Delay before retry `attempt` (1, 2, …): doubling from `firstMs`, capped at `capMs`. */
export function backoffMs(attempt: number, firstMs = 250, capMs = 5000): number {
  return Math.min(capMs, firstMs * 2 ** Math.min(Math.max(attempt - 1, 0), 20));
}

/**
 * An interruptible wait: `wait(ms)` ends after `ms`, or at once when `wake()` is called — also
 * when it was called since the last wait, so a NOTIFY that lands during a batch is not lost.
 * After `close()` every wait returns at once (shutdown).
 */
export class Wakeup {
  private pending = false;
  private closed = false;
  private waiter?: () => void;

  wake(): void {
    this.pending = true;
    this.waiter?.();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  async wait(ms: number): Promise<void> {
    if (!this.pending && !this.closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => this.waiter?.(), ms);
        this.waiter = () => {
          clearTimeout(timer);
          this.waiter = undefined;
          resolve();
        };
      });
    }
    this.pending = false;
  }
}

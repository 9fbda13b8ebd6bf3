interface Window {
  /** When this window's count started (ms epoch); it ends `windowMs` later. */
  startedAt: number;
  windowMs: number;
  hits: number;
  /** Past the limit: refused until then (ms epoch), 0 when not blocked. */
  blockedUntil: number;
}

/** The answer to one hit: refused or not, and when to retry. */
export interface Admission {
  refused: boolean;
  /** Seconds until the caller may be admitted again (0 when admitted). */
  retryAfterSeconds: number;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * Request counts in fixed windows per key: one small record per key, constant work per hit, no
 * timers (a timer per request held each request's async context for the whole window, and
 * under load the heap grew by ~90 MB a minute: nestjs/throttler#2629). A key over its limit is
 * refused for one window from that hit. Like express-rate-limit's memory store, a fixed window
 * lets a client reach up to twice the limit across a window boundary: the limit guards against
 * runaway clients, it is not a quota. Counts are per process. Idle keys are swept once a window.
 */
export class RateWindows {
  private readonly windows = new Map<string, Window>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  hit(key: string, limit: number, windowMs: number): Admission {
    const now = this.now();
    this.sweep(now, windowMs);
    let window = this.windows.get(key);
    if (!window || ended(window, now)) {
      window = { startedAt: now, windowMs, hits: 0, blockedUntil: 0 };
      this.windows.set(key, window);
    }
    if (window.blockedUntil > now) return { refused: true, retryAfterSeconds: seconds(window.blockedUntil - now) };
    window.hits += 1;
    if (window.hits <= limit) return { refused: false, retryAfterSeconds: 0 };
    window.blockedUntil = now + windowMs;
    return { refused: true, retryAfterSeconds: seconds(windowMs) };
  }

  /** Keys currently counted (for tests). */
  get size(): number {
    return this.windows.size;
  }

  /** Drops ended windows at most once per window: amortised O(1). */
  private sweep(now: number, windowMs: number): void {
    if (now - this.lastSweep < windowMs) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows) {
      if (ended(window, now)) this.windows.delete(key);
    }
  }
}

/** A blocked window ends with its block (the count starts again); any other after its length. */
function ended(window: Window, now: number): boolean {
  return window.blockedUntil > 0 ? now >= window.blockedUntil : now >= window.startedAt + window.windowMs;
}

import { backoffMs, Wakeup } from './relay-timing';

describe('backoffMs', () => {
  it('doubles from 250 ms and stays at 5 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50, 10_000].map((attempt) => backoffMs(attempt))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000, 5000]);
  });
});

describe('Wakeup', () => {
  const elapsed = async (work: Promise<void>) => {
    const start = Date.now();
    await work;
    return Date.now() - start;
  };

  it('waits the full time when nobody wakes it', async () => {
    expect(await elapsed(new Wakeup().wait(50))).toBeGreaterThanOrEqual(45);
  });

  it('ends a wait early on wake()', async () => {
    const wakeup = new Wakeup();
    setTimeout(() => wakeup.wake(), 10);
    expect(await elapsed(wakeup.wait(5000))).toBeLessThan(1000);
  });

  it('keeps a wake-up that came while nobody waited, once', async () => {
    const wakeup = new Wakeup();
    wakeup.wake();
    expect(await elapsed(wakeup.wait(5000))).toBeLessThan(100);
    expect(await elapsed(wakeup.wait(50))).toBeGreaterThanOrEqual(45);
  });

  it('returns at once from every wait after close()', async () => {
    const wakeup = new Wakeup();
    const pending = wakeup.wait(5000);
    wakeup.close();
    expect(await elapsed(pending)).toBeLessThan(100);
    expect(await elapsed(wakeup.wait(5000))).toBeLessThan(100);
    expect(await elapsed(wakeup.wait(5000))).toBeLessThan(100);
  });
});

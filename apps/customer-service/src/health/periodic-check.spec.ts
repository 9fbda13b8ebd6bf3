import { PeriodicCheck } from './periodic-check';

/** A check whose answers the test controls, counting how often it runs. */
function controlledCheck() {
  const pending: { resolve: (value: number) => void; reject: (error: Error) => void }[] = [];
  let calls = 0;
  const check = () => {
    calls += 1;
    return new Promise<number>((resolve, reject) => pending.push({ resolve, reject }));
  };
  return { check, pending, calls: () => calls };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('PeriodicCheck', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('checks at start and then every interval, keeping the latest answer', async () => {
    let now = 1000;
    const { check, pending, calls } = controlledCheck();
    const periodic = new PeriodicCheck(check, { intervalMs: 100, timeoutMs: 50, now: () => now });
    periodic.start();
    expect(calls()).toBe(1);
    expect(periodic.result).toBeUndefined();
    pending[0].resolve(7);
    await flush();
    expect(periodic.result).toEqual({ ok: true, value: 7, at: 1000 });
    now = 1100;
    jest.advanceTimersByTime(100);
    expect(calls()).toBe(2);
    pending[1].reject(new Error('connection refused'));
    await flush();
    expect(periodic.result).toEqual({ ok: false, at: 1100 });
    await periodic.stop();
  });

  it('never runs two checks at once: a hung check fails at its timeout and each later turn records a fresh failure until it settles', async () => {
    let now = 0;
    const { check, pending, calls } = controlledCheck();
    const afterFailure = jest.fn(() => Promise.resolve());
    const periodic = new PeriodicCheck(check, { intervalMs: 100, timeoutMs: 50, afterFailure, now: () => now });
    periodic.start();
    now = 50;
    jest.advanceTimersByTime(50);
    await flush();
    expect(periodic.result).toEqual({ ok: false, at: 50 });
    for (const turn of [100, 200, 300]) {
      now = turn;
      jest.advanceTimersByTime(100);
      expect(periodic.result).toEqual({ ok: false, at: turn });
    }
    expect(calls()).toBe(1);
    expect(afterFailure).not.toHaveBeenCalled();
    pending[0].resolve(1); // the hung request finally settles: only now is the connection dropped
    await flush();
    expect(afterFailure).toHaveBeenCalledTimes(1);
    now = 400;
    jest.advanceTimersByTime(100);
    expect(calls()).toBe(2);
    pending[1].resolve(2);
    await periodic.stop();
  });

  it('runs no check on its own after stop', async () => {
    const { check, pending, calls } = controlledCheck();
    const periodic = new PeriodicCheck(check, { intervalMs: 100, timeoutMs: 50 });
    periodic.start();
    pending[0].resolve(1);
    await periodic.stop();
    jest.advanceTimersByTime(1000);
    expect(calls()).toBe(1);
  });
});

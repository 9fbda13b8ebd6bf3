import { WindowThrottlerStorage } from './window-throttler.storage';

describe('WindowThrottlerStorage', () => {
  let now: number;
  let storage: WindowThrottlerStorage;
  const hit = (key = 'cp:employee', limit = 3, blockDuration = 60_000) => storage.increment(key, 60_000, limit, blockDuration, 'default');

  beforeEach(() => {
    now = 1_000_000;
    storage = new WindowThrottlerStorage(() => now);
  });

  it('counts hits in a window and blocks past the limit until the block ends', async () => {
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    await hit();
    now += 10_000;
    expect(await hit()).toMatchObject({ totalHits: 3, timeToExpire: 50, isBlocked: false });
    expect(await hit()).toEqual({ totalHits: 4, timeToExpire: 50, isBlocked: true, timeToBlockExpire: 60 });
    now += 55_000; // the window has ended, the block (60 s from the 4th hit) has not
    expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 5 });
    now += 5_000;
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('starts a new window once the previous one ended', async () => {
    for (let i = 0; i < 3; i += 1) await hit();
    now += 60_000;
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('keeps keys and throttler names apart', async () => {
    for (let i = 0; i < 4; i += 1) await hit('cp:a');
    expect(await hit('cp:b')).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(await storage.increment('cp:a', 60_000, 3, 60_000, 'other')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('starts counting again when a block shorter than the window ends', async () => {
    for (let i = 0; i < 4; i += 1) await hit('cp:a', 3, 10_000);
    now += 10_000;
    expect(await hit('cp:a', 3, 10_000)).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('sweeps each window by its own ttl, not the caller\'s', async () => {
    await hit('cp:a');
    now += 61_000;
    for (let i = 0; i < 2; i += 1) await hit('cp:c');
    now += 2000;
    await storage.increment('cp:b', 1000, 3, 1000, 'per-second'); // sweeps: cp:c's 60 s window is live
    expect(await hit('cp:c')).toMatchObject({ totalHits: 3, isBlocked: false });
  });

  it('forgets idle keys, so memory follows the active clients, not every client ever seen', async () => {
    for (let i = 0; i < 1000; i += 1) await hit(`cp:${i}`);
    expect(storage.size).toBe(1000);
    now += 61_000;
    await hit('cp:new');
    expect(storage.size).toBe(1);
  });
});

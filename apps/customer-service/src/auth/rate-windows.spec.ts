import { RateWindows } from './rate-windows';

describe('RateWindows', () => {
  let now: number;
  let windows: RateWindows;
  const hit = (key = 'cp:employee', limit = 3, windowMs = 60_000) => windows.hit(key, limit, windowMs);

  beforeEach(() => {
    now = 1_000_000;
    windows = new RateWindows(() => now);
  });

  it('counts hits in a window and refuses past the limit for one window from that hit', () => {
    expect(hit()).toEqual({ refused: false, retryAfterSeconds: 0 });
    hit();
    now += 10_000;
    expect(hit()).toEqual({ refused: false, retryAfterSeconds: 0 });
    expect(hit()).toEqual({ refused: true, retryAfterSeconds: 60 });
    now += 55_000; // the window has ended, the block (60 s from the 4th hit) has not
    expect(hit()).toEqual({ refused: true, retryAfterSeconds: 5 });
    now += 5_000;
    expect(hit()).toEqual({ refused: false, retryAfterSeconds: 0 });
  });

  it('starts a new window once the previous one ended', () => {
    for (let i = 0; i < 3; i += 1) hit();
    now += 60_000;
    expect(hit().refused).toBe(false);
  });

  it('keeps keys apart', () => {
    for (let i = 0; i < 4; i += 1) hit('cp:a');
    expect(hit('cp:b').refused).toBe(false);
    expect(hit('cp:a').refused).toBe(true);
  });

  it("sweeps each window by its own length, not the caller's", () => {
    hit('cp:a');
    now += 61_000;
    for (let i = 0; i < 2; i += 1) hit('cp:c');
    now += 2000;
    windows.hit('cp:b', 3, 1000); // sweeps: cp:c's 60 s window is live
    expect(hit('cp:c').refused).toBe(false);
    expect(hit('cp:c').refused).toBe(true);
  });

  it('forgets idle keys, so memory follows the active clients, not every client ever seen', () => {
    for (let i = 0; i < 1000; i += 1) hit(`cp:${i}`);
    expect(windows.size).toBe(1000);
    now += 61_000;
    hit('cp:new');
    expect(windows.size).toBe(1);
  });
});

// Jest globalTeardown: stops what global-setup.mjs started and deletes the run's folder,
// so Jest exits by itself with nothing left running.
import { rmSync } from 'node:fs';

export default async function globalTeardown() {
  const shared = /** @type {{ __testStack?: import('./global-setup.mjs').TestStack }} */ (globalThis);
  const run = shared.__testStack;
  if (!run) return;
  delete shared.__testStack;
  await run.stack.stop();
  rmSync(run.runDir, { recursive: true, force: true });
}

import { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { CheckResult, HEALTH_CHECK_TIMEOUT_MS, PeriodicCheck } from './periodic-check';

/**
 * A dependency checked in the background for the lifetime of the application (PeriodicCheck),
 * on a connection the check owns: `disconnect` drops it after a failed check (the next check
 * connects anew) and at shutdown. Readers take the latest `result` and never query themselves.
 */
export abstract class BackgroundCheck<T> implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly periodic: PeriodicCheck<T>;

  protected constructor(intervalMs: number) {
    this.periodic = new PeriodicCheck(() => this.run(), {
      intervalMs,
      timeoutMs: HEALTH_CHECK_TIMEOUT_MS,
      afterFailure: () => this.disconnect(),
    });
  }

  get result(): CheckResult<T> | undefined {
    return this.periodic.result;
  }

  onApplicationBootstrap(): void {
    this.periodic.start();
  }

  /** Runs before the clients close: a request still pending settles first. */
  async onModuleDestroy(): Promise<void> {
    await this.periodic.stop();
    await this.disconnect();
  }

  /** One check, on the check's own connection. */
  protected abstract run(): Promise<T>;

  protected abstract disconnect(): Promise<void>;
}

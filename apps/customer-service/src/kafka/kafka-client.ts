import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Admin, Kafka, logCreator, logLevel } from 'kafkajs';
import { AppConfig } from '../config/app-config';

/**
 * The one kafkajs client of the process. Roles create their own producers and consumers from
 * it; the admin connection here serves topic provisioning and the readiness check.
 */
@Injectable()
export class KafkaClient implements OnModuleDestroy {
  readonly kafka: Kafka;
  private admin?: Admin;
  private closed = false;

  constructor(@Inject(AppConfig) config: AppConfig) {
    this.kafka = new Kafka({
      clientId: config.kafka.clientId,
      brokers: config.kafka.brokers,
      connectionTimeout: 3000,
      requestTimeout: 10_000,
      logLevel: logLevel.WARN,
      logCreator: toNestLogger,
      // Roles retry on their own terms (the relay forever, with backoff); keep client retries short.
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2000 },
    });
  }

  /** A lazily connected admin client, reconnected after a failure. */
  async connectedAdmin(): Promise<Admin> {
    if (this.closed) throw new Error('Kafka client is closed');
    if (!this.admin) {
      const admin = this.kafka.admin({ retry: { retries: 0 } });
      await admin.connect();
      // Shut down while connecting: do not keep a connection nobody will close.
      if (this.closed) {
        await admin.disconnect();
        throw new Error('Kafka client is closed');
      }
      this.admin = admin;
    }
    return this.admin;
  }

  async resetAdmin(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await this.resetAdmin();
  }
}

/** kafkajs logs through the service's logger (one JSON format, one place to redact). */
const toNestLogger: logCreator = () => {
  const logger = new Logger('kafkajs');
  return ({ level, log }) => {
    const { message, broker, retryCount } = log;
    const line = { broker, retryCount, message };
    if (level <= logLevel.ERROR) logger.error(line);
    else logger.warn(line);
  };
};

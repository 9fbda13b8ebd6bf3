import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConnectionOptions } from 'node:tls';
import { Admin, Kafka, KafkaConfig as KafkaJsConfig, logCreator, logLevel, Partitioners, Producer, SASLOptions } from 'kafkajs';
import { AppConfig, KafkaConfig } from '../config/app-config';

/** How long to wait for a broker's TCP (and TLS) connection. */
export const KAFKA_CONNECTION_TIMEOUT_MS = 3000;
/** Every client of the service connects alike: the relay, the projector, the provisioner, readiness, the start-up check. */
export function kafkaConnectionOptions(config: KafkaConfig): Pick<KafkaJsConfig, 'brokers' | 'ssl' | 'sasl' | 'connectionTimeout'> {
  return {
    brokers: config.brokers,
    connectionTimeout: KAFKA_CONNECTION_TIMEOUT_MS,
    ...(config.ssl ? { ssl: kafkaTls(config.ssl) } : {}),
    ...(config.sasl ? { sasl: { ...config.sasl } as SASLOptions } : {}),
  };
}

/**
 * TLS with Node's defaults kept: the chain verified (against KAFKA_SSL_CA_FILE, or Node's public
 * CAs) and each broker's name checked against its certificate (kafkajs sends it as SNI too).
 */
function kafkaTls({ ca, cert, key, passphrase }: NonNullable<KafkaConfig['ssl']>): true | ConnectionOptions {
  const options: ConnectionOptions = { ...(ca ? { ca } : {}), ...(cert ? { cert, key, passphrase } : {}) };
  return Object.keys(options).length === 0 ? true : options;
}

/**
 * The one kafkajs client of the process. Roles create their own producers and consumers from
 * it; the admin connection here serves topic provisioning and the readiness check.
 */
@Injectable()
export class KafkaClient implements OnApplicationShutdown {
  readonly kafka: Kafka;
  private admin?: Promise<Admin>;
  private closed = false;

  constructor(@Inject(AppConfig) config: AppConfig) {
    this.kafka = new Kafka({
      clientId: config.kafka.clientId,
      ...kafkaConnectionOptions(config.kafka),
      requestTimeout: 10_000,
      logLevel: logLevel.WARN,
      logCreator: toNestLogger,
      // Roles retry on their own terms (the relay forever, with backoff); keep client retries short.
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2000 },
    });
  }

  /**
   * A lazily connected admin client, shared by concurrent callers (so a slow broker cannot make
   * each health probe open a connection of its own), reconnected after a reset.
   */
  connectedAdmin(): Promise<Admin> {
    if (this.closed) return Promise.reject(new Error('Kafka client is closed'));
    this.admin ??= this.connectAdmin();
    return this.admin;
  }

  /**
   * A producer for the outbox relay: idempotent with one request in flight (the broker drops a
   * retried duplicate and cannot reorder a partition), keys hashed like the Java client (murmur2)
   * so every client maps a customer to the same partition. Its kafkajs retries stay short: the
   * relay retries forever itself, with a fresh producer (and producer id) after each failure.
   * Transactional (ADR 8): a batch's events and snapshots commit together, and a new producer
   * with the same id fences an older one (a former leader's unfinished batch is aborted).
   */
  relayProducer(transactionalId: string): Producer {
    return this.kafka.producer({
      idempotent: true,
      transactionalId,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2000 },
    });
  }

  /** Drops the shared admin (after a failure); its connection is closed once it settles. */
  async resetAdmin(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((connected) => connected.disconnect()).catch(() => undefined);
  }

  private async connectAdmin(): Promise<Admin> {
    const admin = this.kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      return admin;
    } catch (error) {
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
  }

  /** The last shutdown phase: the roles using Kafka have stopped in their onModuleDestroy. */
  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.resetAdmin();
  }
}

const LIMITED_RETRIES_WARNING = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/** kafkajs logs through the service's logger (one JSON format, one place to redact). */
const toNestLogger: logCreator = () => {
  const logger = new Logger('kafkajs');
  return ({ level, log }) => {
    const { message, broker, retryCount } = log as { message: string; broker?: string; retryCount?: number };
    // Said of every relay producer (its kafkajs retries are bounded on purpose, see relayProducer).
    if (message === LIMITED_RETRIES_WARNING) return;
    const line = { broker, retryCount, message };
    if (level <= logLevel.ERROR) logger.error(line);
    else logger.warn(line);
  };
};

import { AppConfig } from '../config/app-config';
import { checkDatabase } from '../database/database-check';
import { checkKafka } from '../kafka/kafka-check';

/**
 * Before the service starts: one connection to PostgreSQL and one to Kafka, at once, with the
 * service's own settings. A misconfiguration that can never work (an untrusted certificate, a
 * host name the certificate does not cover, refused credentials, TLS on one side only) throws
 * a MisconfigurationError, a ConfigError: main.ts prints its one line and exits 1. A server
 * that is merely down passes: the service starts and its roles retry (and say so) as before.
 */
export async function checkConnections(config: AppConfig): Promise<void> {
  const results = await Promise.allSettled([checkDatabase(config.database), checkKafka(config.kafka)]);
  for (const result of results) if (result.status === 'rejected') throw result.reason;
}

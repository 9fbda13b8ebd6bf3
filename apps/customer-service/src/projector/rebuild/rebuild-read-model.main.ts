import 'reflect-metadata';
import { Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { ConfigError, KafkaConfig, loadDatabaseConfig, loadKafkaConfig, processEnvironment } from '../../config/app-config';
import { kafkaConnectionOptions } from '../../kafka/kafka-client';
import { checkDatabase } from '../../database/database-check';
import { runMigrationsLocked } from '../../database/run-migrations';
import { typeOrmOptions } from '../../database/typeorm-options';
import { guid } from '../../fields/field-rules';
import { rebuildHistory } from './history.rebuild';
import { rebuildReadModel } from './read-model.rebuild';

const USAGE = 'usage: npm run projection:rebuild [-- --counterparty <uuid>] [--batch-size <n>] [--skip-history]';

/** `npm run projection:rebuild`: rebuilds the read model from the write tables (see docs/read-model.md). */
async function main(args: string[]): Promise<number> {
  const options: { counterpartyGuid?: string; batchSize?: number } = {};
  const skipHistory = args.includes('--skip-history');
  args = args.filter((arg) => arg !== '--skip-history');
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    const counterparty = flag === '--counterparty' && value ? guid(value) : undefined;
    if (typeof counterparty === 'string') options.counterpartyGuid = counterparty;
    else if (flag === '--batch-size' && /^\d{1,7}$/.test(value ?? '') && Number(value) > 0) options.batchSize = Number(value);
    else {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
  }
  let config;
  let kafka: KafkaConfig | undefined;
  try {
    config = loadDatabaseConfig(processEnvironment());
    // The history is rebuilt from the events topic: without --skip-history, Kafka must be set too.
    if (!skipHistory) kafka = loadKafkaConfig(processEnvironment());
    await checkDatabase(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  const dataSource = await new DataSource(typeOrmOptions(config, 'customer-service-rebuild')).initialize();
  try {
    await runMigrationsLocked(dataSource);
    const log = (line: string) => process.stdout.write(`${line}\n`);
    await rebuildReadModel(dataSource, { ...options, log });
    if (kafka) {
      const client = new Kafka({ clientId: `${kafka.clientId}.rebuild`, ...kafkaConnectionOptions(kafka), logLevel: logLevel.ERROR });
      await rebuildHistory(dataSource, client, kafka.eventsTopic, { counterpartyGuid: options.counterpartyGuid, log });
    }
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`rebuild failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);

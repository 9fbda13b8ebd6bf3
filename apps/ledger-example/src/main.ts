import { Kafka, logLevel } from 'kafkajs';
import { ledgerConfig } from './ledger-config';
import { LedgerConsumer } from './ledger.consumer';
import { LedgerStore } from './ledger.store';

/** `node dist/apps/ledger-example/src/main.js`: KAFKA_BROKERS, LEDGER_DATABASE_URL, LEDGER_GROUP_ID, EVENTS_TOPIC, SNAPSHOTS_TOPIC. */
async function main(): Promise<void> {
  const log = (msg: string) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg })}\n`);
  const config = ledgerConfig(process.env);
  const kafka = new Kafka({ clientId: 'ledger-example', brokers: config.brokers, logLevel: logLevel.WARN });
  const store = await LedgerStore.open(config.databaseUrl);
  const consumer = new LedgerConsumer(kafka, store, config, log);
  const shutdown = () => {
    void consumer.stop().then(() => store.close()).then(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  await consumer.start();
}

main().catch((error: unknown) => {
  process.stderr.write(`ledger-example failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

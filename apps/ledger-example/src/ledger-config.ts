import { CUSTOMER_EVENTS_TOPIC, CUSTOMER_SNAPSHOTS_TOPIC } from '@app/contracts';

/** The reference ledger's settings, read once from the environment. */
export interface LedgerConfig {
  brokers: string[];
  databaseUrl: string;
  groupId: string;
  eventsTopic: string;
  snapshotsTopic: string;
}

export function ledgerConfig(env: NodeJS.ProcessEnv): LedgerConfig {
  const required = (name: string) => {
    const value = env[name]?.trim();
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  return {
    brokers: required('KAFKA_BROKERS').split(',').map((broker) => broker.trim()),
    databaseUrl: required('LEDGER_DATABASE_URL'),
    groupId: env.LEDGER_GROUP_ID?.trim() || 'ledger-example',
    eventsTopic: env.EVENTS_TOPIC?.trim() || CUSTOMER_EVENTS_TOPIC,
    snapshotsTopic: env.SNAPSHOTS_TOPIC?.trim() || CUSTOMER_SNAPSHOTS_TOPIC,
  };
}

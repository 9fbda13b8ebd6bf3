import { CustomerEntity } from '../customers/persistence/customer.entity';
import { WalletAccountEntity } from '../customers/persistence/wallet-account.entity';
import { IdempotencyKeyEntity } from '../idempotency/idempotency-key.entity';
import { OutboxEntity } from '../outbox/outbox.entity';

/** Every entity, listed explicitly so the service and the migration CLI see the same schema. */
export const ENTITIES = [CustomerEntity, WalletAccountEntity, OutboxEntity, IdempotencyKeyEntity];

import { CUSTOMER_SNAPSHOT_V1 } from './cloudevents';
import {
  CUSTOMER_EVENT_HEADERS_V1_SCHEMA,
  CUSTOMER_EVENT_V1_SCHEMAS,
  CUSTOMER_SNAPSHOT_HEADERS_V1_SCHEMA,
} from './events/customer-events.v1.schema';
import { CUSTOMER_SNAPSHOT_V1_SCHEMA } from './events/customer-snapshot.v1.schema';

/**
 * Every JSON Schema of the contract by name: the value of each event type and of the snapshot
 * record (named by their `ce_type`), and the headers of each topic. The package ships them as
 * `schemas/<name>.json` (the copies as last released), for consumers in any language.
 */
export const CONTRACT_SCHEMAS: Readonly<Record<string, object>> = {
  ...CUSTOMER_EVENT_V1_SCHEMAS,
  [CUSTOMER_SNAPSHOT_V1]: CUSTOMER_SNAPSHOT_V1_SCHEMA,
  'customer.events.v1.headers': CUSTOMER_EVENT_HEADERS_V1_SCHEMA,
  'customer.snapshots.v1.headers': CUSTOMER_SNAPSHOT_HEADERS_V1_SCHEMA,
};

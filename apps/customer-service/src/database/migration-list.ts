import { WriteTables1764057600000 } from './migrations/1764057600000-write-tables';
import { ReadModel1764316800000 } from './migrations/1764316800000-read-model';
import { OutboxNotify1764403200000 } from './migrations/1764403200000-outbox-notify';
import { ListCountsAndCovering1764489600000 } from './migrations/1764489600000-list-counts-and-covering';
import { ReadModelAutovacuum1764662400000 } from './migrations/1764662400000-read-model-autovacuum';
import { UnicodeText1764748800000 } from './migrations/1764748800000-unicode-text';
import { ListWalks1764835200000 } from './migrations/1764835200000-list-walks';
import { CustomerHistory1765008000000 } from './migrations/1765008000000-customer-history';
import { SearchCovering1765180800000 } from './migrations/1765180800000-search-covering';
import { CustomerSnapshots1765267200000 } from './migrations/1765267200000-customer-snapshots';
import { OutboxParking1765440000000 } from './migrations/1765440000000-outbox-parking';
import { ProjectionParked1765526400000 } from './migrations/1765526400000-projection-parked';

/** Every migration in order; listed explicitly so the compiled service needs no file globbing. */
export const MIGRATIONS = [
  WriteTables1764057600000,
  ReadModel1764316800000,
  OutboxNotify1764403200000,
  ListCountsAndCovering1764489600000,
  ReadModelAutovacuum1764662400000,
  UnicodeText1764748800000,
  ListWalks1764835200000,
  CustomerHistory1765008000000,
  SearchCovering1765180800000,
  CustomerSnapshots1765267200000,
  OutboxParking1765440000000,
  ProjectionParked1765526400000,
];

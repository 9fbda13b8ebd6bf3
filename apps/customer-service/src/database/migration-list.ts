import { WriteTables1764057600000 } from './migrations/1764057600000-write-tables';

/** Every migration in order; listed explicitly so the compiled service needs no file globbing. */
export const MIGRATIONS = [WriteTables1764057600000];

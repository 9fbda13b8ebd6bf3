import { DataSource, EntityManager } from 'typeorm';
import { inSpan } from './spans';

/**
 * A command's one transaction, traced as one span: a child of the HTTP request's span, the
 * parent of its statements (pg), and the context its outbox rows store (OutboxWriter), which
 * the relay's publish span links to and the projector continues.
 */
export function commandTransaction<T>(dataSource: DataSource, command: string, work: (db: EntityManager) => Promise<T>): Promise<T> {
  return inSpan(`${command} transaction`, { attributes: { 'customer_service.command': command } }, () => dataSource.transaction(work));
}

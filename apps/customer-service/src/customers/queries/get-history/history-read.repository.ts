import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessScope } from '../../../auth/access';
import { QUERIES_DATA_SOURCE } from '../../../database/database.module';
import { SqlParams, SqlQuery } from '../../../database/sql-params';
import { invalidCursor, ListPosition } from '../../../http/list-cursor';
import { HISTORY_SELECT, StoredHistoryRow } from '../../../read-model/history.table';
import { scoped } from '../customer-read.repository';
import { HistoryFilter, HistoryOrdering } from './history.params';

export interface HistoryPage {
  offset: number;
  limit: number;
  ordering: HistoryOrdering;
  after?: ListPosition;
}

/**
 * A customer's history from the read model (customer_history), only for a customer the scope
 * may see in customer_list_view — the same rule as GET one, so another counterparty's or
 * branch's customer is indistinguishable from a missing one.
 */
@Injectable()
export class HistoryReadRepository {
  constructor(@InjectDataSource(QUERIES_DATA_SOURCE) private readonly dataSource: DataSource) {}

  /** The newest version the history holds for a visible customer (0 when it holds none yet); undefined when not visible. */
  async newestVersion(scope: AccessScope, customerGuid: string): Promise<number | undefined> {
    const params = new SqlParams();
    const [row] = await this.run<{ newest: number }>({
      text: `SELECT coalesce((SELECT max(h.version) FROM customer_history h WHERE h.customer_guid = v.customer_guid), 0) AS newest
               FROM customer_list_view v WHERE ${scoped(params, scope, customerGuid)}`,
      values: params.values,
    });
    return row?.newest;
  }

  /** A page of a visible customer's events and the count of all that match. */
  async findPage(scope: AccessScope, customerGuid: string, filter: HistoryFilter, page: HistoryPage): Promise<{ rows: StoredHistoryRow[]; total: number }> {
    const params = new SqlParams();
    const where = [`customer_guid = ${params.add(customerGuid)}`, `counterparty_guid = ${params.add(scope.counterpartyGuid)}`];
    if (filter.min_occurred_at !== undefined) where.push(`occurred_at >= ${params.add(filter.min_occurred_at)}::timestamptz`);
    if (filter.max_occurred_at !== undefined) where.push(`occurred_at <= ${params.add(filter.max_occurred_at)}::timestamptz`);
    if (filter.actor !== undefined) where.push(`actor_sub = ${params.add(filter.actor)}`);
    if (filter.fields !== undefined) where.push(`changes::jsonb ?| ${params.add(filter.fields)}::text[]`);
    if (page.after && (page.after.key === null || !/^\d{1,10}$/.test(page.after.key))) throw invalidCursor();
    const count = { text: `SELECT count(*) AS total FROM customer_history WHERE ${where.join(' AND ')}`, values: params.values.slice() };
    const descending = page.ordering === '-version';
    if (page.after?.key) {
      where.push(`version ${descending ? '<' : '>'} ${params.add(Number(page.after.key))}`);
    }
    const rows = await this.run<StoredHistoryRow>({
      text: `SELECT ${HISTORY_SELECT} FROM customer_history WHERE ${where.join(' AND ')}
              ORDER BY version ${descending ? 'DESC' : 'ASC'} LIMIT ${params.add(page.limit)} OFFSET ${params.add(page.after ? 0 : page.offset)}`,
      values: params.values,
    });
    // Most histories fit one page: a page by offset that is not full, and not past the end, says the total itself.
    if (!page.after && rows.length < page.limit && (rows.length > 0 || page.offset === 0)) return { rows, total: page.offset + rows.length };
    const [{ total }] = await this.run<{ total: string }>(count);
    return { rows, total: Number(total) };
  }

  private run<T>(query: SqlQuery): Promise<T[]> {
    return this.dataSource.query(query.text, query.values);
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { QUERIES_DATA_SOURCE } from '../../database/database.module';
import { AccountView, CustomerView } from '../customer.views';
import { invalidCursor, ListPosition } from '../../http/list-cursor';
import { CustomerListPage, customerListSql, isTimestampText, SEARCH_TOTAL_CAP } from './find-customers/customer-list.sql';
import { CustomerListFilter } from './find-customers/customer-list.params';
import { TotalRelation } from './find-customers/find-customers.query';
import { AccessScope } from '../../auth/access';
import { SqlParams, SqlQuery } from '../../database/sql-params';
import { ACCOUNT_SELECT, CUSTOMER_SELECT, StoredAccountRow, StoredCustomerRow } from '../../read-model/read-model.tables';
import { accountViewOfRow, customerViewOfRow } from '../customer.mapper';

/** Reads the read-model tables only (never the write tables), always within a {@link AccessScope}. */
@Injectable()
export class CustomerReadRepository {
  constructor(@InjectDataSource(QUERIES_DATA_SOURCE) private readonly dataSource: DataSource) {}

  /**
   * The page and the total run at once, on two pooled connections. `next` is where the next
   * page starts when this one is full (more may follow), in the walk this page belongs to.
   */
  async findPage(scope: AccessScope, filter: CustomerListFilter, page: CustomerListPage): Promise<CustomerPage> {
    const sql = customerListSql(scope, filter, page);
    const [rows, [{ total }]] = await Promise.all([this.run<PageRow>(sql.page), this.run<{ total: string }>(sql.total)]);
    const last = rows.length === page.limit ? rows[rows.length - 1] : undefined;
    const next = last && { key: last.cursor_key, guid: last.customer_guid, snapshot: page.after?.snapshot ?? last.walk_snapshot };
    const counted = Number(total);
    return {
      customers: rows.map(customerViewOfRow),
      total: Math.min(counted, filter.search_string === undefined ? counted : SEARCH_TOTAL_CAP),
      totalRelation: filter.search_string !== undefined && counted > SEARCH_TOTAL_CAP ? 'gte' : 'eq',
      next,
    };
  }

  async findOne(scope: AccessScope, customerGuid: string): Promise<CustomerView | undefined> {
    const params = new SqlParams();
    const where = scoped(params, scope, customerGuid);
    const [row] = await this.run<StoredCustomerRow>({ text: `SELECT ${CUSTOMER_SELECT} FROM customer_list_view WHERE ${where}`, values: params.values });
    return row && customerViewOfRow(row);
  }

  /** A page of the customer's accounts, oldest first, and their count; undefined when the customer is not visible. */
  async findAccounts(scope: AccessScope, customerGuid: string, page: AccountPage): Promise<AccountsPage | undefined> {
    const visibility = new SqlParams();
    const visible = await this.run({
      text: `SELECT 1 FROM customer_list_view WHERE ${scoped(visibility, scope, customerGuid)}`,
      values: visibility.values,
    });
    if (visible.length === 0) return undefined;
    const params = new SqlParams();
    const where = [`counterparty_guid = ${params.add(scope.counterpartyGuid)}`, `customer_guid = ${params.add(customerGuid)}`];
    if (page.iban !== undefined) where.push(`iban = ${params.add(page.iban)}`);
    const all = where.join(' AND ');
    const [{ total }] = await this.run<{ total: string }>({ text: `SELECT count(*) AS total FROM account_view WHERE ${all}`, values: params.values.slice() });
    if (page.after && (page.after.key === null || !isTimestampText(page.after.key))) {
      throw invalidCursor();
    }
    if (page.after) where.push(`(created_at, wallet_account_guid) > (${params.add(page.after.key)}::timestamptz, ${params.add(page.after.guid)}::uuid)`);
    const rows = await this.run<StoredAccountRow & { cursor_key: string }>({
      text: `SELECT ${ACCOUNT_SELECT}, created_at::text AS cursor_key FROM account_view WHERE ${where.join(' AND ')}
              ORDER BY created_at, wallet_account_guid LIMIT ${params.add(page.limit)} OFFSET ${params.add(page.after ? 0 : page.offset)}`,
      values: params.values,
    });
    const last = rows.length === page.limit ? rows[rows.length - 1] : undefined;
    return {
      accounts: rows.map(accountViewOfRow),
      total: Number(total),
      next: last && { key: last.cursor_key, guid: last.wallet_account_guid },
    };
  }

  private run<T>(query: SqlQuery): Promise<T[]> {
    return this.dataSource.query(query.text, query.values);
  }
}

interface PageRow extends StoredCustomerRow {
  cursor_key: string | null;
  walk_snapshot: string;
}

export interface AccountPage {
  iban?: string;
  offset: number;
  limit: number;
  after?: ListPosition;
}

export interface AccountsPage {
  accounts: AccountView[];
  total: number;
  next?: ListPosition;
}

export interface CustomerPage {
  customers: CustomerView[];
  total: number;
  totalRelation: TotalRelation;
  next?: ListPosition;
}

/** counterparty = $1 AND customer_guid = $2 [AND branch_guid = $3]: the customers `scope` may see. */
export function scoped(params: SqlParams, scope: AccessScope, customerGuid: string): string {
  const where = [`counterparty_guid = ${params.add(scope.counterpartyGuid)}`, `customer_guid = ${params.add(customerGuid)}`];
  if (scope.branchGuid !== null) where.push(`branch_guid = ${params.add(scope.branchGuid)}`);
  return where.join(' AND ');
}

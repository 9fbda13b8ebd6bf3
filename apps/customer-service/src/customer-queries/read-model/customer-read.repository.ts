import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { QUERIES_DATA_SOURCE } from '../../database/database.module';
import { AccountView, CustomerView } from '../../customers/customer.views';
import { customerListSql } from '../find-customers/customer-list.sql';
import { CustomerListFilter, CustomerListPage } from '../find-customers/customer-list.params';
import {
  ACCOUNT_SELECT, AccountViewRow, CUSTOMER_SELECT, CustomerViewRow, ReadScope, SqlParams, SqlQuery, toAccountView,
  toCustomerView,
} from './read-model.sql';

/** Reads the read-model tables only (never the write tables), always within a {@link ReadScope}. */
@Injectable()
export class CustomerReadRepository {
  constructor(@InjectDataSource(QUERIES_DATA_SOURCE) private readonly dataSource: DataSource) {}

  /** The page and the total run at once, on two pooled connections. */
  async findPage(scope: ReadScope, filter: CustomerListFilter, page: CustomerListPage): Promise<{ customers: CustomerView[]; total: number }> {
    const sql = customerListSql(scope, filter, page);
    const [rows, [{ total }]] = await Promise.all([this.run<CustomerViewRow>(sql.page), this.run<{ total: string }>(sql.total)]);
    return { customers: rows.map(toCustomerView), total: Number(total) };
  }

  async findOne(scope: ReadScope, customerGuid: string): Promise<CustomerView | undefined> {
    const params = new SqlParams();
    const where = scoped(params, scope, customerGuid);
    const [row] = await this.run<CustomerViewRow>({ text: `SELECT ${CUSTOMER_SELECT} FROM customer_list_view WHERE ${where}`, values: params.values });
    return row && toCustomerView(row);
  }

  /** The customer's accounts, oldest first; undefined when the customer is not visible. */
  async findAccounts(scope: ReadScope, customerGuid: string, iban?: string): Promise<AccountView[] | undefined> {
    const visibility = new SqlParams();
    const visible = await this.run({
      text: `SELECT 1 FROM customer_list_view WHERE ${scoped(visibility, scope, customerGuid)}`,
      values: visibility.values,
    });
    if (visible.length === 0) return undefined;
    const params = new SqlParams();
    const where = [`counterparty_guid = ${params.add(scope.counterpartyGuid)}`, `customer_guid = ${params.add(customerGuid)}`];
    if (iban !== undefined) where.push(`iban = ${params.add(iban)}`);
    const rows = await this.run<AccountViewRow>({
      text: `SELECT ${ACCOUNT_SELECT} FROM account_view WHERE ${where.join(' AND ')} ORDER BY created_at, wallet_account_guid`,
      values: params.values,
    });
    return rows.map(toAccountView);
  }

  private run<T>(query: SqlQuery): Promise<T[]> {
    return this.dataSource.query(query.text, query.values);
  }
}

/** counterparty = $1 AND customer_guid = $2 [AND branch_guid = $3]. */
function scoped(params: SqlParams, scope: ReadScope, customerGuid: string): string {
  const where = [`counterparty_guid = ${params.add(scope.counterpartyGuid)}`, `customer_guid = ${params.add(customerGuid)}`];
  if (scope.branchGuid !== null) where.push(`branch_guid = ${params.add(scope.branchGuid)}`);
  return where.join(' AND ');
}

import { CustomerSnapshotV1, WalletAccountSnapshotV1 } from '@app/contracts';
import { Money } from '../fields/money';

/**
 * The shapes the API answers with (customer.responses.ts describes them for OpenAPI;
 * customer.mapper.ts makes them), owned by neither the commands nor the queries.
 */

/** `balance_allowed` stays a {@link Money} until serialised, so it is written as an exact number. */
type WithMoney<T> = Omit<T, 'balance_allowed'> & { balance_allowed: Money };

export type CustomerSnapshot = WithMoney<CustomerSnapshotV1>;

/** The customer as the API returns it (DESIGN §2: both guid names, accounts_total, no accounts). */
export type CustomerView = Omit<CustomerSnapshot, 'accounts'> & { wallet_user_guid: string; accounts_total: number };

export type AccountView = WalletAccountSnapshotV1 & { guid: string };

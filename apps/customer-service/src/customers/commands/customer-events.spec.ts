import { valueErrors } from '@test/support/event-contract';
import { ReadBackEvent } from '@test/support/events';
import { toOutboxMessages } from './customer-events';
import { Customer, CustomerProfile } from '../domain/customer';
import { Money } from '../../fields/money';

const ISSUER = 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7';
const T0 = new Date('2026-01-01T00:00:00Z');
const profile: CustomerProfile = {
  name: 'Ada', surname: null, paternal_name: null, phone_number: '+442079460958', kyc_level: 1, is_disabled: false,
  balance_allowed: Money.fromDecimal('899999999.9999999'), balance_asset_code: 'EURC', balance_asset_issuer: ISSUER,
  branch_guid: '2b1c8f0e-3d4a-4b5c-8d6e-7f8091a2b3c4', segment: 'PL', status: 'new',
};
const context = { actor: { sub: 'employee-1', branch_guid: null } };

function created(): Customer {
  return Customer.create(
    { counterparty_guid: '11111111-1111-4111-8111-111111111111', login: 'ada', profile, firstAccount: { iban: 'GB82WEST12345698765432', asset_code: 'EURC', asset_issuer: ISSUER } },
    T0,
  );
}

/** The outbox message of the customer's last change, parsed as a consumer would. */
function lastEvent(customer: Customer) {
  const messages = toOutboxMessages(customer, context);
  const message = messages[messages.length - 1];
  return { message, value: JSON.parse(message.payload) as ReadBackEvent };
}

describe('customer events against the published JSON Schemas', () => {
  it('writes a created event the schema accepts, money as an exact JSON number', () => {
    const { message, value } = lastEvent(created());
    expect(valueErrors(message.type, value)).toEqual([]);
    expect(message.payload).toContain('"balance_allowed":899999999.9999999');
    // The trace context is the OutboxWriter's to add, from the active span.
    expect(message.headers).toEqual({});
  });

  it('writes an updated event with typed changes, cleared fields included', () => {
    const customer = Customer.restore({ ...created().snapshot });
    customer.update({ surname: 'Lovelace', status: null, balance_asset_code: null, balance_asset_issuer: null, balance_allowed: Money.fromDecimal('0.0000001') }, T0);
    const { message, value } = lastEvent(customer);
    expect(valueErrors(message.type, value)).toEqual([]);
    expect(Object.keys(value.changes!).sort()).toEqual(['balance_allowed', 'balance_asset_code', 'balance_asset_issuer', 'status', 'surname']);
  });

  it('writes an account-opened event carrying the new account', () => {
    const customer = Customer.restore({ ...created().snapshot });
    customer.openAccount({ iban: null, asset_code: 'USDC', asset_issuer: ISSUER }, T0, 100);
    const { message, value } = lastEvent(customer);
    expect(valueErrors(message.type, value)).toEqual([]);
    expect(value.account!.asset_code).toBe('USDC');
  });

  it('keeps the event of a customer at the largest MAX_ACCOUNTS_PER_CUSTOMER (1000) well under Kafka\'s default 1 MB', () => {
    const customer = Customer.restore({ ...created().snapshot });
    // The longest values an account can hold: a 34-character IBAN, a 12-character asset code.
    for (let i = 1; i < 1000; i++) customer.openAccount({ iban: 'MT84MALT011000012345MTLCAST001S'.padEnd(34, '9'), asset_code: 'ABCDEFGHIJKL', asset_issuer: ISSUER }, T0, 1000);
    const { message, value } = lastEvent(customer);
    expect(value.customer.accounts).toHaveLength(1000);
    const bytes = Buffer.byteLength(message.payload);
    process.stdout.write(`event of a customer with 1000 accounts: ${bytes} bytes\n`);
    expect(bytes).toBeLessThan(800_000);
  });

  it('rejects what the contract does not allow: unknown fields, missing fields, an unknown type', () => {
    const { message, value } = lastEvent(created());
    expect(valueErrors(message.type, { ...value, extra: 1 })).toEqual(['/ must NOT have additional properties']);
    const { customer, ...withoutCustomer } = value;
    expect(customer).toBeDefined();
    expect(valueErrors(message.type, withoutCustomer)).toEqual(["/ must have required property 'customer'"]);
    expect(valueErrors(message.type, { ...value, customer: { ...value.customer, phone_number: '0790' } })).toHaveLength(1);
    expect(valueErrors('customer.deleted.v1', value)).toEqual(['unknown event type "customer.deleted.v1"']);
  });
});

import { randomUUID } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AppModule } from '../../../app.module';
import { loadConfig } from '../../../config/app-config';
import { OutboxWriter } from '../../../outbox/outbox.writer';
import { Money } from '../../../fields/money';
import { IbanTakenError } from '../../customer-errors';
import { CreateCustomerCommand } from './create-customer.command';

const ISSUER = 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7';
const config = () => loadConfig({ ...process.env, ROLES: 'api', LOG_LEVEL: 'silent' });
const profile = {
  name: null, surname: null, paternal_name: null, phone_number: null, kyc_level: 0, is_disabled: false,
  balance_allowed: Money.ZERO, balance_asset_code: null, balance_asset_issuer: null, branch_guid: null, segment: null, status: null,
};

function command(counterparty: string, login: string, iban: string | null = null) {
  return new CreateCustomerCommand(
    { counterpartyGuid: counterparty, branchGuid: null }, login, profile, { iban, asset_code: 'EURC', asset_issuer: ISSUER },
    { actor: { sub: 'test', branch_guid: null } },
  );
}

async function rowsOf(dataSource: DataSource, counterparty: string) {
  const [customers] = await dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM customers WHERE counterparty_guid = $1', [counterparty]);
  const [outbox] = await dataSource.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM outbox WHERE payload->>'counterparty_guid' = $1`, [counterparty],
  );
  return { customers: customers.n, outbox: outbox.n };
}

describe('CreateCustomerHandler on real PostgreSQL', () => {
  it('writes the customer and its outbox row in one commit', async () => {
    const module = await Test.createTestingModule({ imports: [AppModule.forRoot(config())] }).compile();
    await module.init();
    try {
      const counterparty = randomUUID();
      await module.get(CommandBus).execute(command(counterparty, 'one'));
      expect(await rowsOf(module.get(DataSource), counterparty)).toEqual({ customers: 1, outbox: 1 });
    } finally {
      await module.close();
    }
  });

  it('does not keep the customer when the outbox write fails', async () => {
    const failingOutbox = { append: () => Promise.reject(new Error('outbox unavailable')) };
    const module = await Test.createTestingModule({ imports: [AppModule.forRoot(config())] })
      .overrideProvider(OutboxWriter)
      .useValue(failingOutbox)
      .compile();
    await module.init();
    try {
      const counterparty = randomUUID();
      await expect(module.get(CommandBus).execute(command(counterparty, 'two'))).rejects.toThrow('outbox unavailable');
      expect(await rowsOf(module.get(DataSource), counterparty)).toEqual({ customers: 0, outbox: 0 });
    } finally {
      await module.close();
    }
  });

  it('does not keep the customer row when its account insert fails (second write of the transaction)', async () => {
    const module = await Test.createTestingModule({ imports: [AppModule.forRoot(config())] }).compile();
    await module.init();
    try {
      const counterparty = randomUUID();
      const bus = module.get(CommandBus);
      await bus.execute(command(counterparty, 'first', 'DE89370400440532013000'));
      await expect(bus.execute(command(counterparty, 'second', 'DE89370400440532013000'))).rejects.toBeInstanceOf(IbanTakenError);
      expect(await rowsOf(module.get(DataSource), counterparty)).toEqual({ customers: 1, outbox: 1 });
    } finally {
      await module.close();
    }
  });
});

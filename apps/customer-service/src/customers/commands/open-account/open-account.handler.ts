import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { canSee } from '../../../auth/access';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import { IdempotencyStore, WriteResult } from '../../../idempotency/idempotency.store';
import { OutboxWriter } from '../../../outbox/outbox.writer';
import { toOutboxMessages } from '../customer-events';
import { accountView } from '../../customer.mapper';
import { CustomerNotFoundError } from '../../customer-errors';
import { CustomerRepository } from '../persistence/customer.repository';
import { OpenAccountCommand } from './open-account.command';
import { commandTransaction } from '../../../tracing/command-transaction';

/** Adds a wallet account and raises the customer's version, with its outbox row, in one transaction. */
@CommandHandler(OpenAccountCommand)
export class OpenAccountHandler implements ICommandHandler<OpenAccountCommand, WriteResult> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly customers: CustomerRepository,
    private readonly outbox: OutboxWriter,
    private readonly idempotency: IdempotencyStore,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  execute(command: OpenAccountCommand): Promise<WriteResult> {
    return commandTransaction(this.dataSource, 'OpenAccount', async (db) => {
      // Visibility first: another branch's customer is as invisible to a branch-scoped employee
      // as a missing one — also to one who repeats another's Idempotency-Key (a replay, or a
      // 422 for another body, would say the customer exists).
      const customer = await this.customers.lockForUpdate(db, command.scope.counterpartyGuid, command.customerGuid);
      if (!customer || !canSee(command.scope, customer.snapshot)) throw new CustomerNotFoundError();
      const stored = command.idempotency && (await this.idempotency.claim(db, command.idempotency));
      if (stored) return IdempotencyStore.replay(stored);
      const account = customer.openAccount({ iban: command.iban, ...(command.asset ?? customer.primaryAsset) }, new Date(), this.config.commands.maxAccountsPerCustomer);
      await this.customers.addAccount(db, customer.snapshot, account);
      await this.outbox.append(db, toOutboxMessages(customer, command.context));
      const body = { ...accountView(customer.snapshot, account), version: customer.snapshot.version };
      return this.idempotency.complete(db, command.idempotency, body, customer.snapshot.version);
    });
  }
}

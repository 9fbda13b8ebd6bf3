import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { IdempotencyStore, WriteResult } from '../../../idempotency/idempotency.store';
import { OutboxWriter } from '../../../outbox/outbox.writer';
import { toOutboxMessages } from '../customer-events';
import { createdCustomerView } from '../../customer.mapper';
import { Customer } from '../../domain/customer';
import { CustomerRepository } from '../persistence/customer.repository';
import { CreateCustomerCommand } from './create-customer.command';
import { commandTransaction } from '../../../tracing/command-transaction';

/**
 * One transaction: the customer and its first account, the `customer.created.v1` outbox row
 * and the idempotency record. Uniqueness of login and IBAN is left to the database's indexes
 * (no read-before-insert), which also makes concurrent duplicates safe.
 */
@CommandHandler(CreateCustomerCommand)
export class CreateCustomerHandler implements ICommandHandler<CreateCustomerCommand, WriteResult> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly customers: CustomerRepository,
    private readonly outbox: OutboxWriter,
    private readonly idempotency: IdempotencyStore,
  ) {}

  execute(command: CreateCustomerCommand): Promise<WriteResult> {
    return commandTransaction(this.dataSource, 'CreateCustomer', async (db) => {
      const stored = command.idempotency && (await this.idempotency.claim(db, command.idempotency));
      if (stored) return IdempotencyStore.replay(stored);

      const customer = Customer.create(
        {
          counterparty_guid: command.scope.counterpartyGuid,
          login: command.login,
          profile: command.profile,
          firstAccount: command.firstAccount,
        },
        new Date(),
      );
      await this.customers.insertNew(db, customer.snapshot);
      await this.outbox.append(db, toOutboxMessages(customer, command.context));
      return this.idempotency.complete(db, command.idempotency, createdCustomerView(customer.snapshot), customer.snapshot.version);
    });
  }
}

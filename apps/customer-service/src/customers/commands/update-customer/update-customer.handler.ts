import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { canSee } from '../../../auth/access';
import { DataSource } from 'typeorm';
import { IdempotencyStore, WriteResult } from '../../../idempotency/idempotency.store';
import { OutboxWriter } from '../../../outbox/outbox.writer';
import { toOutboxMessages } from '../customer-events';
import { customerView } from '../../customer.mapper';
import { CustomerNotFoundError, VersionMismatchError } from '../../customer-errors';
import { CustomerRepository } from '../persistence/customer.repository';
import { UpdateCustomerCommand } from './update-customer.command';
import { commandTransaction } from '../../../tracing/command-transaction';

/**
 * Locks the customer's row for the transaction, so concurrent updates apply one after the
 * other and an `If-Match` check cannot race: of many PUTs sent with the same version, one
 * wins and the rest get 412. A patch that changes nothing writes nothing and raises no event.
 */
@CommandHandler(UpdateCustomerCommand)
export class UpdateCustomerHandler implements ICommandHandler<UpdateCustomerCommand, WriteResult> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly customers: CustomerRepository,
    private readonly outbox: OutboxWriter,
    private readonly idempotency: IdempotencyStore,
  ) {}

  execute(command: UpdateCustomerCommand): Promise<WriteResult> {
    return commandTransaction(this.dataSource, 'UpdateCustomer', async (db) => {
      const customer = await this.customers.lockForUpdate(db, command.scope.counterpartyGuid, command.customerGuid);
      // A customer the caller may not see (auth/access.ts) is as invisible as a missing one.
      if (!customer || !canSee(command.scope, customer.snapshot)) throw new CustomerNotFoundError();
      const current = customer.snapshot.version;
      if (command.expectedVersions && !command.expectedVersions.includes(current)) {
        throw new VersionMismatchError(current);
      }
      customer.update(command.patch, new Date());
      if (customer.pendingChanges.length > 0) {
        await this.customers.saveProfile(db, customer.snapshot);
        await this.outbox.append(db, toOutboxMessages(customer, command.context));
      }
      return this.idempotency.complete(db, undefined, customerView(customer.snapshot), customer.snapshot.version);
    });
  }
}

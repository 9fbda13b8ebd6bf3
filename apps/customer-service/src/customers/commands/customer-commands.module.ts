import { Module } from '@nestjs/common';
import { IdempotencyStore } from '../../idempotency/idempotency.store';
import { OutboxWriter } from '../../outbox/outbox.writer';
import { CreateCustomerController } from './create-customer/create-customer.controller';
import { CreateCustomerHandler } from './create-customer/create-customer.handler';
import { OpenAccountController } from './open-account/open-account.controller';
import { OpenAccountHandler } from './open-account/open-account.handler';
import { CustomerRepository } from './persistence/customer.repository';
import { UpdateCustomerController } from './update-customer/update-customer.controller';
import { UpdateCustomerHandler } from './update-customer/update-customer.handler';

/** The commands (write side): HTTP → CommandBus → handler → one PostgreSQL transaction (write tables, outbox, idempotency). */
@Module({
  controllers: [CreateCustomerController, UpdateCustomerController, OpenAccountController],
  providers: [
    CreateCustomerHandler,
    UpdateCustomerHandler,
    OpenAccountHandler,
    CustomerRepository,
    OutboxWriter,
    IdempotencyStore,
  ],
})
export class CustomerCommandsModule {}

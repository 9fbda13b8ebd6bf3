import { Module } from '@nestjs/common';
import { FindAccountsController } from './find-accounts/find-accounts.controller';
import { FindAccountsHandler } from './find-accounts/find-accounts.handler';
import { FindCustomersController } from './find-customers/find-customers.controller';
import { FindCustomersHandler } from './find-customers/find-customers.handler';
import { ListConcurrency } from './find-customers/list-concurrency';
import { GetCustomerController } from './get-customer/get-customer.controller';
import { GetCustomerHandler } from './get-customer/get-customer.handler';
import { GetHistoryController } from './get-history/get-history.controller';
import { GetHistoryHandler } from './get-history/get-history.handler';
import { HistoryReadRepository } from './get-history/history-read.repository';
import { CustomerReadRepository } from './customer-read.repository';

/** The read side's queries (api role): HTTP → QueryBus → handler → read-model tables only. */
@Module({
  controllers: [FindCustomersController, GetCustomerController, FindAccountsController, GetHistoryController],
  providers: [
    FindCustomersHandler, GetCustomerHandler, FindAccountsHandler, GetHistoryHandler, CustomerReadRepository, HistoryReadRepository, ListConcurrency,
  ],
})
export class CustomerQueriesModule {}

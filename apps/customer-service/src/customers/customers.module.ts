import { Module } from '@nestjs/common';
import { CustomerCommandsModule } from './commands/customer-commands.module';
import { CustomerQueriesModule } from './queries/customer-queries.module';

/**
 * The customers API (api role): commands (commands/: write tables + outbox, in one transaction)
 * and queries (queries/: the read model only), which never import each other. What both serve
 * lives here, owned by neither: the views and responses (customer.views.ts,
 * customer.responses.ts), their one mapper (customer.mapper.ts), the business errors and how
 * they are answered (customer-errors.ts, customers-api.ts).
 */
@Module({ imports: [CustomerCommandsModule, CustomerQueriesModule] })
export class CustomersModule {}

import { Controller, Get, Query, Req } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { RequiresScope } from '../../auth/auth.decorators';
import { SCOPE_READ } from '../../auth/principal';
import { GuidParam } from '../../customers/write-http';
import { ApiErrors } from '../../http/error-body.dto';
import { normaliseIban } from '../../http/validators';
import { Problem, RawQuery, readQuery, single } from '../http/query-params';
import { readScope } from '../http/read-http';
import { AccountListResponse } from '../http/read.responses';
import { AccountList, FindAccountsQuery } from './find-accounts.query';

const PARAMS = { iban: single((raw) => normaliseIban(raw) ?? new Problem('must be a valid IBAN (ISO 13616)')) };

@ApiTags('customers')
@Controller('counterparty/:counterparty_guid/customers')
export class FindAccountsController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':customer_guid/accounts')
  @RequiresScope(SCOPE_READ)
  @ApiOperation({ summary: "A customer's wallet accounts, oldest first (read model)." })
  @ApiQuery({ name: 'iban', required: false, description: 'Only the account with this IBAN (spaces and case ignored).' })
  @ApiOkResponse({ type: AccountListResponse })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  find(
    @GuidParam('counterparty_guid') _counterpartyGuid: string,
    @GuidParam('customer_guid') customerGuid: string,
    @Query() query: RawQuery,
    @Req() request: FastifyRequest,
  ): Promise<AccountList> {
    const { iban } = readQuery(query, PARAMS) as { iban?: string };
    return this.queries.execute(new FindAccountsQuery(readScope(request), customerGuid.toLowerCase(), iban));
  }
}

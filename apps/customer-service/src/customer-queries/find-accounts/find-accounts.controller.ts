import { Controller, Get, Req } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { RequiresScope } from '../../auth/auth.decorators';
import { SCOPE_READ } from '../../auth/principal';
import { GuidParam } from '../../http/guid-param';
import { ApiErrors } from '../../http/error-body.dto';
import * as rules from '../../fields/field-rules';
import { QueryValues, single } from '../../http/query-params';
import { AcceptsQuery, ParsedQuery } from '../../http/query.decorators';
import { readScope } from '../http/read-http';
import { AccountListResponse } from '../http/read.responses';
import { AccountList, FindAccountsQuery } from './find-accounts.query';

const PARAMS = {
  iban: single(rules.iban, { type: 'string', description: 'Only the account with this IBAN (spaces and case ignored).' }),
};

@ApiTags('customers')
@Controller('counterparty/:counterparty_guid/customers')
export class FindAccountsController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':customer_guid/accounts')
  @RequiresScope(SCOPE_READ)
  @ApiOperation({ summary: "A customer's wallet accounts, oldest first (read model)." })
  @AcceptsQuery(PARAMS)
  @ApiOkResponse({ type: AccountListResponse })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  find(
    @GuidParam('counterparty_guid') _counterpartyGuid: string,
    @GuidParam('customer_guid') customerGuid: string,
    @ParsedQuery() { iban }: QueryValues<typeof PARAMS>,
    @Req() request: FastifyRequest,
  ): Promise<AccountList> {
    return this.queries.execute(new FindAccountsQuery(readScope(request), customerGuid, iban));
  }
}

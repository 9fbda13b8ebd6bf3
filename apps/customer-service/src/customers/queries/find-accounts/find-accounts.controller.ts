import { Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AccessScope } from '../../../auth/access';
import { Access, RequiresScope } from '../../../auth/auth.decorators';
import { CustomersController } from '../../customers-api';
import { SCOPE_READ } from '../../../auth/principal';
import { GuidParam } from '../../../http/guid-param';
import { ApiErrors } from '../../../http/error-body.dto';
import * as rules from '../../../fields/field-rules';
import { ApiError } from '../../../http/api-error';
import { cursorText } from '../../../http/list-cursor';
import { QueryValues, single } from '../../../http/query-params';
import { AcceptsQuery, ParsedQuery } from '../../../http/query.decorators';
import { AccountListResponse } from '../../customer.responses';
import { AccountList, FindAccountsQuery } from './find-accounts.query';

export const MAX_ACCOUNTS_LIMIT = 500;

const PARAMS = {
  iban: single(rules.iban, { type: 'string', description: 'Only the account with this IBAN (spaces and case ignored).' }),
  offset: single(rules.integer(0, 1_000_000), { type: 'integer', description: 'Accounts to skip. Not with cursor.', schema: { minimum: 0, default: 0 } }),
  limit: single(rules.integer(1, MAX_ACCOUNTS_LIMIT), {
    type: 'integer',
    description: `Page size (1 … ${MAX_ACCOUNTS_LIMIT}); the default returns every account a customer can have.`,
    schema: { minimum: 1, maximum: MAX_ACCOUNTS_LIMIT, default: MAX_ACCOUNTS_LIMIT },
  }),
  cursor: single(cursorText, {
    type: 'string',
    description: "A previous page's next_cursor. Not with offset.",
  }),
};

@CustomersController()
export class FindAccountsController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':customer_guid/accounts')
  @RequiresScope(SCOPE_READ)
  @ApiOperation({ summary: "A customer's wallet accounts, oldest first (read model), paged by offset or cursor." })
  @AcceptsQuery(PARAMS)
  @ApiOkResponse({ type: AccountListResponse })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  find(
    @GuidParam('counterparty_guid') _counterpartyGuid: string,
    @GuidParam('customer_guid') customerGuid: string,
    @ParsedQuery() { iban, offset, limit = MAX_ACCOUNTS_LIMIT, cursor }: QueryValues<typeof PARAMS>,
    @Access() scope: AccessScope,
  ): Promise<AccountList> {
    if (offset !== undefined && cursor !== undefined) {
      throw ApiError.badRequest('Request is invalid.', [{ field: 'cursor', message: 'cannot be given with offset: a cursor says where the page starts' }]);
    }
    return this.queries.execute(new FindAccountsQuery(scope, customerGuid, iban, { offset: offset ?? 0, limit, cursor }));
  }
}

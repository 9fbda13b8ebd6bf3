import { Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiExtraModels, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AccessScope } from '../../../auth/access';
import { Access, RequiresScope } from '../../../auth/auth.decorators';
import { SCOPE_READ } from '../../../auth/principal';
import { ApiErrors } from '../../../http/error-body.dto';
import { GuidParam } from '../../../http/guid-param';
import { AcceptsQuery, ParsedQuery } from '../../../http/query.decorators';
import { CustomersController } from '../../customers-api';
import { ApiReadModelBehind } from '../read-your-writes';
import { GetHistoryQuery } from './get-history.query';
import { HistoryList } from './history-entry';
import { HISTORY_PARAMS, HistoryQueryValues, toHistoryRequest } from './history.params';
import { FieldChangeResponse, HistoryListResponse } from './history.responses';

@CustomersController()
@ApiExtraModels(FieldChangeResponse)
export class GetHistoryController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':customer_guid/history')
  @RequiresScope(SCOPE_READ)
  @ApiOperation({ summary: "The customer's events — who changed what, when — newest first (read model), paged by offset or cursor." })
  @AcceptsQuery(HISTORY_PARAMS)
  @ApiOkResponse({ type: HistoryListResponse })
  @ApiErrors(400, 401, 403, 404, 429)
  @ApiReadModelBehind()
  find(
    @GuidParam('counterparty_guid') _counterpartyGuid: string,
    @GuidParam('customer_guid') customerGuid: string,
    @ParsedQuery() query: HistoryQueryValues,
    @Access() scope: AccessScope,
  ): Promise<HistoryList> {
    return this.queries.execute(new GetHistoryQuery(scope, customerGuid, toHistoryRequest(query)));
  }
}

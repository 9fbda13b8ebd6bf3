import { Body, HttpCode, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { AccessScope } from '../../../auth/access';
import { Access, Caller, RequiresScope } from '../../../auth/auth.decorators';
import { Principal, SCOPE_WRITE } from '../../../auth/principal';
import { ApiError } from '../../../http/api-error';
import { ApiErrors } from '../../../http/error-body.dto';
import { GuidParam } from '../../../http/guid-param';
import { IdempotencyKey } from '../../../idempotency/idempotency-key.decorator';
import { IdempotencyRequest } from '../../../idempotency/idempotency.store';
import { OpenedAccountResponse } from '../../customer.responses';
import { CustomersController } from '../../customers-api';
import { eventContextOf } from '../customer-events';
import { sendWriteResult } from '../write-result';
import { OpenAccountCommand } from './open-account.command';
import { OpenAccountRequest } from './open-account.request';

@CustomersController()
export class OpenAccountController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':customer_guid/accounts')
  @HttpCode(200)
  @RequiresScope(SCOPE_WRITE)
  @ApiOperation({ summary: 'Open a further wallet account for a customer.' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retry-safe key (kept 24 h).' })
  @ApiOkResponse({ type: OpenedAccountResponse })
  @ApiErrors(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  async open(
    @GuidParam('counterparty_guid') _counterpartyGuid: string,
    @GuidParam('customer_guid') customerGuid: string,
    @Body() body: OpenAccountRequest,
    @Access() scope: AccessScope,
    @Caller() caller: Principal,
    @IdempotencyKey() idempotency: IdempotencyRequest | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const { iban, asset_code, asset_issuer } = body;
    if ((asset_code == null) !== (asset_issuer == null)) {
      const missing = asset_code == null ? 'asset_code' : 'asset_issuer';
      throw ApiError.badRequest('Request is invalid.', [{ field: missing, message: 'asset_code and asset_issuer must be given together' }]);
    }
    const asset = asset_code && asset_issuer ? { asset_code, asset_issuer } : null;
    const command = new OpenAccountCommand(scope, customerGuid, iban ?? null, asset, eventContextOf(caller), idempotency);
    return sendWriteResult(reply, await this.commands.execute(command));
  }
}

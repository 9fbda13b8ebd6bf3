import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../http/api-error';
import { ApiErrors } from '../../http/error-body.dto';
import { OpenedAccountResponse } from '../customer.response';
import { RequiresScope } from '../../auth/auth.decorators';
import { SCOPE_WRITE } from '../../auth/principal';
import { eventContext, idempotencyOf, sendWriteResult } from '../write-http';
import { GuidParam } from '../../http/guid-param';
import { OpenAccountCommand } from './open-account.command';
import { OpenAccountRequest } from './open-account.request';

@ApiTags('customers')
@Controller('counterparty/:counterparty_guid/customers')
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
    @GuidParam('counterparty_guid') counterpartyGuid: string,
    @GuidParam('customer_guid') customerGuid: string,
    @Body() body: OpenAccountRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const { iban, asset_code, asset_issuer } = body;
    if ((asset_code == null) !== (asset_issuer == null)) {
      const missing = asset_code == null ? 'asset_code' : 'asset_issuer';
      throw ApiError.badRequest('Request is invalid.', [{ field: missing, message: 'asset_code and asset_issuer must be given together' }]);
    }
    const command = new OpenAccountCommand(
      counterpartyGuid,
      customerGuid,
      iban ?? null,
      asset_code && asset_issuer ? { asset_code, asset_issuer } : null,
      eventContext(request),
      idempotencyOf(request, counterpartyGuid),
    );
    return sendWriteResult(reply, await this.commands.execute(command));
  }
}

import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { ApiErrors } from '../../http/error-body.dto';
import { Money } from '../../fields/money';
import { toProfilePatch } from '../profile-fields';
import { RequiresScope } from '../../auth/auth.decorators';
import { SCOPE_WRITE } from '../../auth/principal';
import { branchForCreate, eventContext, idempotencyOf, sendWriteResult } from '../write-http';
import { GuidParam } from '../../http/guid-param';
import { CreateCustomerCommand } from './create-customer.command';
import { CreateCustomerRequest } from './create-customer.request';
import { CreatedCustomerResponse } from './create-customer.response';

@ApiTags('customers')
@Controller('counterparty/:counterparty_guid/customers')
export class CreateCustomerController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(200)
  @RequiresScope(SCOPE_WRITE)
  @ApiOperation({ summary: 'Create a customer and their first wallet account.' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retry-safe key (kept 24 h); a replay returns the first response with Idempotent-Replayed: true.' })
  @ApiOkResponse({ type: CreatedCustomerResponse, description: 'The first account. ETag: the customer version.' })
  @ApiErrors(400, 401, 403, 409, 413, 415, 422, 429, 503)
  async create(
    @GuidParam('counterparty_guid') counterpartyGuid: string,
    @Body() body: CreateCustomerRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const { login, iban, asset_code, asset_issuer, ...profile } = body;
    const patch = toProfilePatch(profile);
    const command = new CreateCustomerCommand(
      counterpartyGuid,
      login ?? null,
      {
        name: null, surname: null, paternal_name: null, phone_number: null, kyc_level: 0, is_disabled: false,
        balance_allowed: Money.ZERO, balance_asset_code: null, balance_asset_issuer: null,
        segment: null, status: null,
        ...patch,
        branch_guid: branchForCreate(request, patch.branch_guid),
      },
      { iban: iban ?? null, asset_code, asset_issuer },
      eventContext(request),
      idempotencyOf(request, counterpartyGuid),
    );
    return sendWriteResult(reply, await this.commands.execute(command));
  }
}

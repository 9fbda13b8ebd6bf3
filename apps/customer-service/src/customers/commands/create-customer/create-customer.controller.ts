import { Body, HttpCode, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { AccessScope, branchForCreate } from '../../../auth/access';
import { Access, Caller, RequiresScope } from '../../../auth/auth.decorators';
import { Principal, SCOPE_WRITE } from '../../../auth/principal';
import { Money } from '../../../fields/money';
import { ApiErrors } from '../../../http/error-body.dto';
import { GuidParam } from '../../../http/guid-param';
import { IdempotencyKey } from '../../../idempotency/idempotency-key.decorator';
import { IdempotencyRequest } from '../../../idempotency/idempotency.store';
import { CreatedCustomerResponse } from '../../customer.responses';
import { CustomersController } from '../../customers-api';
import { eventContextOf } from '../customer-events';
import { toProfilePatch } from '../profile-fields';
import { sendWriteResult } from '../write-result';
import { CreateCustomerCommand } from './create-customer.command';
import { CreateCustomerRequest } from './create-customer.request';

@CustomersController()
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
    @GuidParam('counterparty_guid') _counterpartyGuid: string,
    @Body() body: CreateCustomerRequest,
    @Access() scope: AccessScope,
    @Caller() caller: Principal,
    @IdempotencyKey() idempotency: IdempotencyRequest | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const { login, iban, asset_code, asset_issuer, ...profile } = body;
    const patch = toProfilePatch(profile);
    const command = new CreateCustomerCommand(
      scope,
      login ?? null,
      {
        name: null, surname: null, paternal_name: null, phone_number: null, kyc_level: 0, is_disabled: false,
        balance_allowed: Money.ZERO, balance_asset_code: null, balance_asset_issuer: null,
        segment: null, status: null,
        ...patch,
        branch_guid: branchForCreate(scope, patch.branch_guid),
      },
      { iban: iban ?? null, asset_code, asset_issuer },
      eventContextOf(caller),
      idempotency,
    );
    return sendWriteResult(reply, await this.commands.execute(command));
  }
}

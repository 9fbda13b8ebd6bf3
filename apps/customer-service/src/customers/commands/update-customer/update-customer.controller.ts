import { Body, Put, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { AccessScope, branchForUpdate } from '../../../auth/access';
import { Access, Caller, RequiresScope } from '../../../auth/auth.decorators';
import { Principal, SCOPE_WRITE } from '../../../auth/principal';
import { ApiError } from '../../../http/api-error';
import { ApiErrors } from '../../../http/error-body.dto';
import { GuidParam } from '../../../http/guid-param';
import { IfMatch } from '../../../http/request-headers';
import { CustomerResponse } from '../../customer.responses';
import { CustomersController } from '../../customers-api';
import { eventContextOf } from '../customer-events';
import { toProfilePatch } from '../profile-fields';
import { sendWriteResult } from '../write-result';
import { UpdateCustomerCommand } from './update-customer.command';
import { UpdateCustomerRequest } from './update-customer.request';

@CustomersController()
export class UpdateCustomerController {
  constructor(private readonly commands: CommandBus) {}

  @Put(':customer_guid')
  @RequiresScope(SCOPE_WRITE)
  @ApiOperation({ summary: "Update a customer's profile; fields left out stay, null clears." })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag (version) last seen; 412 if the customer changed since.' })
  @ApiOkResponse({ type: CustomerResponse, description: 'The customer after the change. ETag: its version.' })
  @ApiErrors(400, 401, 403, 404, 412, 413, 415, 429, 503)
  async update(
    @GuidParam('counterparty_guid') _counterpartyGuid: string,
    @GuidParam('customer_guid') customerGuid: string,
    @Body() body: UpdateCustomerRequest,
    @Access() scope: AccessScope,
    @Caller() caller: Principal,
    @IfMatch() expectedVersions: number[] | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const { wallet_user_guid, ...profile } = body;
    if (wallet_user_guid !== undefined && wallet_user_guid !== customerGuid) {
      throw ApiError.badRequest('Request is invalid.', [
        { field: 'wallet_user_guid', message: 'must equal the customer_guid in the path' },
      ]);
    }
    const patch = toProfilePatch(profile);
    const branch = branchForUpdate(scope, patch.branch_guid);
    if (branch !== undefined) patch.branch_guid = branch;
    const command = new UpdateCustomerCommand(scope, customerGuid, patch, expectedVersions, eventContextOf(caller));
    return sendWriteResult(reply, await this.commands.execute(command));
  }
}

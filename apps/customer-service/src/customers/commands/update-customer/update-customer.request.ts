import { ApiPropertyOptional } from '@nestjs/swagger';
import { ProfileFieldsRequest } from '../profile-fields';
import * as rules from '../../../fields/field-rules';
import { Checked, NotNullIfPresent } from '../../../http/validators';

/**
 * Body of `PUT /counterparty/{c}/customers/{customer_guid}`: only the seed's update fields.
 * Fields left out are untouched; `null` clears a clearable field.
 */
export class UpdateCustomerRequest extends ProfileFieldsRequest {
  @ApiPropertyOptional({ description: "The customer's guid; if sent, must equal the path's customer_guid.", format: 'uuid' })
  @NotNullIfPresent()
  @Checked(rules.guid)
  wallet_user_guid?: string;
}

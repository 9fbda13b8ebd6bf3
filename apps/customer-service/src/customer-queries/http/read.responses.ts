import { ApiProperty } from '@nestjs/swagger';
import { AccountResponse, CustomerResponse } from '../../customers/customer.response';

export class CustomerListResponse {
  @ApiProperty({ type: [CustomerResponse] }) customers!: CustomerResponse[];
  @ApiProperty({ example: 1, description: 'Every match of the filters, independent of offset and limit.' }) total!: number;
}

export class AccountListResponse {
  @ApiProperty({ type: [AccountResponse] }) accounts!: AccountResponse[];
  @ApiProperty({ example: 1 }) total!: number;
}

/** The 503 of a `min_version` read that the read model did not reach in time. */
export const READ_MODEL_BEHIND_EXAMPLE = {
  error: 'The read model has not reached the requested version yet; retry after Retry-After seconds.',
  code: 'READ_MODEL_BEHIND',
  details: [{ field: 'min_version', message: 'not reached yet' }],
  request_id: '0b7c3f0e-5f7a-4d47-9a55-2f0c1f7e9d21',
};

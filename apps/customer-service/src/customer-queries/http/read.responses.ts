import { ApiProperty } from '@nestjs/swagger';
import { AccountResponse, CustomerResponse } from '../../customers/customer.response';

export class CustomerListResponse {
  @ApiProperty({ type: [CustomerResponse] }) customers!: CustomerResponse[];
  @ApiProperty({
    example: 1,
    description: 'Every match of the filters, independent of offset, cursor and limit; with search_string, at most 10000 (see total_relation).',
  })
  total!: number;
  @ApiProperty({ enum: ['eq', 'gte'], example: 'eq', description: 'eq: total is exact; gte: there are at least total matches (a search_string with more than 10000).' })
  total_relation!: 'eq' | 'gte';
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null at the end of the list.' })
  next_cursor!: string | null;
}

export class AccountListResponse {
  @ApiProperty({ type: [AccountResponse] }) accounts!: AccountResponse[];
  @ApiProperty({ example: 1, description: 'Every account matching the filter, independent of offset, cursor and limit.' }) total!: number;
  @ApiProperty({ enum: ['eq'], example: 'eq', description: 'Always eq: the total is exact.' }) total_relation!: 'eq';
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null at the end.' }) next_cursor!: string | null;
}

/** The 503 of a `min_version` read that the read model did not reach in time. */
export const READ_MODEL_BEHIND_EXAMPLE = {
  error: 'The read model has not reached the requested version yet; retry after Retry-After seconds.',
  code: 'READ_MODEL_BEHIND',
  details: [{ field: 'min_version', message: 'not reached yet' }],
  request_id: '0b7c3f0e-5f7a-4d47-9a55-2f0c1f7e9d21',
};

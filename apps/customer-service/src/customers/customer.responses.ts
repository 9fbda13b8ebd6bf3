import { ApiProperty } from '@nestjs/swagger';

/**
 * The API's response shapes (OpenAPI), owned by neither the commands nor the queries: both
 * answer with them. The values come from customer.mapper.ts.
 */

/** A customer as the API returns it; optional fields with no value are null. */
export class CustomerResponse {
  @ApiProperty({ format: 'uuid' }) customer_guid!: string;
  @ApiProperty({ format: 'uuid', description: 'Same as customer_guid (the seed uses both names).' }) wallet_user_guid!: string;
  @ApiProperty({ format: 'uuid' }) counterparty_guid!: string;
  @ApiProperty({ type: String, nullable: true, example: 'ada@example.com' }) login!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Ada' }) name!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Lovelace' }) surname!: string | null;
  @ApiProperty({ type: String, nullable: true }) paternal_name!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '+12025550123' }) phone_number!: string | null;
  @ApiProperty({ example: 1 }) kyc_level!: number;
  @ApiProperty({ example: false }) is_disabled!: boolean;
  @ApiProperty({ example: 1500.25, description: 'Exact JSON number, at most 7 decimals.' }) balance_allowed!: number;
  @ApiProperty({ type: String, nullable: true, example: 'EURC' }) balance_asset_code!: string | null;
  @ApiProperty({ type: String, nullable: true }) balance_asset_issuer!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) branch_guid!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: ['PL', 'PI'] }) segment!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'active' }) status!: string | null;
  @ApiProperty({ example: 1 }) accounts_total!: number;
  @ApiProperty({ example: 2, description: 'Starts at 1, +1 per change; also the ETag.' }) version!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

/** A wallet account as the API returns it. */
export class AccountResponse {
  @ApiProperty({ format: 'uuid' }) wallet_account_guid!: string;
  @ApiProperty({ format: 'uuid', description: 'Same as wallet_account_guid.' }) guid!: string;
  @ApiProperty({ format: 'uuid' }) customer_guid!: string;
  @ApiProperty({ format: 'uuid' }) counterparty_guid!: string;
  @ApiProperty({ type: String, nullable: true, example: 'GB82WEST12345698765432' }) iban!: string | null;
  @ApiProperty({ example: 'EURC' }) asset_code!: string;
  @ApiProperty({ example: 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7' }) asset_issuer!: string;
  @ApiProperty({ example: true }) activated!: boolean;
  @ApiProperty({ example: true }) registered!: boolean;
  @ApiProperty({ example: false }) blocked!: boolean;
  @ApiProperty({ example: 'customer' }) type!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class OpenedAccountResponse extends AccountResponse {
  @ApiProperty({ example: 2, description: "The customer's version after opening the account." }) version!: number;
}

class AssetResponse {
  @ApiProperty({ example: 'EURC' }) code!: string;
  @ApiProperty({ example: 'EURC' }) stellar_code!: string;
  @ApiProperty({ example: 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7' }) stellar_issuer!: string;
  @ApiProperty({ example: 7 }) minor_unit!: number;
  @ApiProperty({ example: 0 }) balance!: number;
  @ApiProperty({ example: 'stellar' }) platform!: string;
  @ApiProperty({ example: true }) activated!: boolean;
}

/** The seed's create response: the customer's first wallet account. */
export class CreatedCustomerResponse {
  @ApiProperty({ example: true }) activated!: boolean;
  @ApiProperty({ type: [AssetResponse] }) assets!: AssetResponse[];
  @ApiProperty({ example: 1 }) assets_total!: number;
  @ApiProperty({ example: false }) blocked!: boolean;
  @ApiProperty({ format: 'uuid' }) customer_guid!: string;
  @ApiProperty({ format: 'uuid', description: 'Same as wallet_account_guid.' }) guid!: string;
  @ApiProperty({ type: String, nullable: true, example: 'DE89370400440532013000' }) iban!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Ada' }) name!: string | null;
  @ApiProperty({ example: 'stellar' }) platform!: string;
  @ApiProperty({ example: true }) registered!: boolean;
  @ApiProperty({ example: 'customer' }) type!: string;
  @ApiProperty({ format: 'uuid', description: 'Same as guid.' }) wallet_account_guid!: string;
  @ApiProperty({ example: 1, description: "The customer's version (also the ETag)." }) version!: number;
}

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

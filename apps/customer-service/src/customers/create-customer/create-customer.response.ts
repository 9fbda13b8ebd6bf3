import { ApiProperty } from '@nestjs/swagger';

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

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ProfileFieldsRequest } from '../profile-fields';
import { IsCleanText, IsIban, IsStellarAccountId, IsStellarAssetCode, Nullable, Trimmed } from '../../http/validators';

/** Body of `POST /counterparty/{counterparty_guid}/customers` (the seed's create fields). */
export class CreateCustomerRequest extends ProfileFieldsRequest {
  @ApiProperty({ description: "Asset code of the first account's e-money currency.", example: 'EURC' })
  @IsStellarAssetCode()
  asset_code!: string;

  @ApiProperty({ description: 'Stellar account id that issues the asset.', example: 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7' })
  @IsStellarAccountId()
  asset_issuer!: string;

  @ApiPropertyOptional({ description: 'Unique per counterparty, case-insensitively (phone, e-mail or other).', type: String, nullable: true, maxLength: 255, example: 'ada@example.com' })
  @Trimmed()
  @Nullable()
  @IsCleanText(255)
  login?: string | null;

  @ApiPropertyOptional({ description: "The first account's IBAN; unique per counterparty, stored without spaces in upper case.", type: String, nullable: true, example: 'DE89370400440532013000' })
  @Nullable()
  @IsIban()
  iban?: string | null;
}

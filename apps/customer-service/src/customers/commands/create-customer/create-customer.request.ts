import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ProfileFieldsRequest } from '../profile-fields';
import * as rules from '../../../fields/field-rules';
import { Checked, Nullable } from '../../../http/validators';

/** Body of `POST /counterparty/{counterparty_guid}/customers` (the seed's create fields). */
export class CreateCustomerRequest extends ProfileFieldsRequest {
  @ApiProperty({ description: "Asset code of the first account's e-money currency.", example: 'EURC' })
  @Checked(rules.assetCode)
  asset_code!: string;

  @ApiProperty({ description: 'Stellar account id that issues the asset.', example: 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7' })
  @Checked(rules.stellarAccountId)
  asset_issuer!: string;

  @ApiPropertyOptional({ description: 'Unique per counterparty, case-insensitively (phone, e-mail or other).', type: String, nullable: true, maxLength: 255, example: 'ada@example.com' })
  @Nullable()
  @Checked(rules.text(255))
  login?: string | null;

  @ApiPropertyOptional({ description: "The first account's IBAN; unique per counterparty, stored without spaces in upper case.", type: String, nullable: true, example: 'DE89370400440532013000' })
  @Nullable()
  @Checked(rules.iban)
  iban?: string | null;
}

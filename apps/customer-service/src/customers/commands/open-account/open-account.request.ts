import { ApiPropertyOptional } from '@nestjs/swagger';
import * as rules from '../../../fields/field-rules';
import { Checked, Nullable } from '../../../http/validators';

/**
 * Body of `POST /counterparty/{c}/customers/{customer_guid}/accounts`. The seed has only
 * `iban`; the asset pair is optional and defaults to the customer's first account's asset.
 */
export class OpenAccountRequest {
  @ApiPropertyOptional({ description: 'IBAN of the new account; unique per counterparty.', type: String, nullable: true, example: 'GB82WEST12345698765432' })
  @Nullable()
  @Checked(rules.iban)
  iban?: string | null;

  @ApiPropertyOptional({ description: "Asset code; with asset_issuer. Default: the first account's asset.", example: 'EURC' })
  @Nullable()
  @Checked(rules.assetCode)
  asset_code?: string | null;

  @ApiPropertyOptional({ description: "Asset issuer; with asset_code. Default: the first account's asset.", example: 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7' })
  @Nullable()
  @Checked(rules.stellarAccountId)
  asset_issuer?: string | null;
}

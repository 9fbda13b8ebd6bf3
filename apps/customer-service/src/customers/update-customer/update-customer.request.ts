import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import {
  BalanceAllowedField,
  BalanceAssetCodeField,
  BalanceAssetIssuerField,
  BranchGuidField,
  IsDisabledField,
  KycLevelField,
  NameField,
  PhoneNumberField,
  SegmentField,
  StatusField,
} from '../profile-fields';
import { NotNullIfPresent } from '../../http/validators';

/**
 * Body of `PUT /counterparty/{c}/customers/{customer_guid}`: only the seed's update fields.
 * Fields left out are untouched; `null` clears a clearable field.
 */
export class UpdateCustomerRequest {
  @ApiPropertyOptional({ description: "The customer's guid; if sent, must equal the path's customer_guid.", format: 'uuid' })
  @IsUUID('all')
  @NotNullIfPresent()
  wallet_user_guid?: string;

  @NameField("Customer's name") name?: string | null;
  @NameField("Customer's surname") surname?: string | null;
  @NameField("Customer's paternal name") paternal_name?: string | null;
  @PhoneNumberField() phone_number?: string | null;
  @KycLevelField() kyc_level?: number;
  @IsDisabledField() is_disabled?: boolean;
  @BalanceAllowedField() balance_allowed?: unknown;
  @BalanceAssetCodeField() balance_asset_code?: string | null;
  @BalanceAssetIssuerField() balance_asset_issuer?: string | null;
  @BranchGuidField() branch_guid?: string | null;
  @SegmentField() segment?: 'PL' | 'PI' | null;
  @StatusField() status?: string | null;
}

import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';
import * as rules from '../../fields/field-rules';
import { Money } from '../../fields/money';
import { CustomerProfile } from '../domain/customer';
import { Checked, NotNullIfPresent, Nullable, numberInput } from '../../http/validators';

/**
 * The decorators of the profile fields create and update share, so both validate one way.
 * `Nullable` fields may be sent as null to clear them; `NotNullIfPresent` fields may not.
 */
export const NameField = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ description, type: String, nullable: true, maxLength: 255, example: 'Ada' }),
    Nullable(),
    Checked(rules.text(255)),
  );

export const PhoneNumberField = () =>
  applyDecorators(
    ApiPropertyOptional({ description: 'International phone number; stored as E.164.', type: String, nullable: true, example: '+12025550123' }),
    Nullable(),
    Checked(rules.phone),
  );

export const KycLevelField = () =>
  applyDecorators(
    ApiPropertyOptional({ description: "Customer's level of verification (KYC), ≥ 0. Default 0.", type: Number, minimum: 0, example: 1 }),
    NotNullIfPresent(),
    IsInt(),
    Min(0),
    Max(2_147_483_647),
  );

export const IsDisabledField = () =>
  applyDecorators(
    ApiPropertyOptional({ description: 'Disables the customer. Default false.', type: Boolean, example: false }),
    NotNullIfPresent(),
    IsBoolean(),
  );

export const BalanceAllowedField = () =>
  applyDecorators(
    ApiPropertyOptional({
      description: "Customer's allowed balance: a JSON number, at most 7 decimals, 0 … 900000000 (read losslessly). Default 0.",
      type: Number,
      minimum: 0,
      maximum: 900_000_000,
      example: 1500.25,
    }),
    NotNullIfPresent(),
    Checked(rules.money, numberInput),
  );

export const BalanceAssetCodeField = () =>
  applyDecorators(
    ApiPropertyOptional({ description: "Balance's Stellar asset code; given together with balance_asset_issuer.", type: String, nullable: true, example: 'EURC' }),
    Nullable(),
    Checked(rules.assetCode),
  );

export const BalanceAssetIssuerField = () =>
  applyDecorators(
    ApiPropertyOptional({ description: "Balance's asset issuer (Stellar account id); given together with balance_asset_code.", type: String, nullable: true, example: 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7' }),
    Nullable(),
    Checked(rules.stellarAccountId),
  );

export const BranchGuidField = () =>
  applyDecorators(
    ApiPropertyOptional({ description: "The customer's branch (any letter case; stored in lower case).", type: String, format: 'uuid', nullable: true }),
    Nullable(),
    Checked(rules.guid),
  );

export const SegmentField = () =>
  applyDecorators(
    ApiPropertyOptional({ description: 'Public Liability (PL) or Professional Indemnity (PI).', enum: ['PL', 'PI'], nullable: true }),
    Nullable(),
    Checked(rules.oneOf(['PL', 'PI'])),
  );

export const StatusField = () =>
  applyDecorators(
    ApiPropertyOptional({ description: "Customer's status (free text).", type: String, nullable: true, maxLength: 64 }),
    Nullable(),
    Checked(rules.text(64)),
  );

/** The profile fields of both the create and the update body (the seed's update fields). */
export class ProfileFieldsRequest {
  @NameField("Customer's name") name?: string | null;
  @NameField("Customer's surname") surname?: string | null;
  @NameField("Customer's paternal name") paternal_name?: string | null;
  @PhoneNumberField() phone_number?: string | null;
  @KycLevelField() kyc_level?: number;
  @IsDisabledField() is_disabled?: boolean;
  @BalanceAllowedField() balance_allowed?: Money;
  @BalanceAssetCodeField() balance_asset_code?: string | null;
  @BalanceAssetIssuerField() balance_asset_issuer?: string | null;
  @BranchGuidField() branch_guid?: string | null;
  @SegmentField() segment?: 'PL' | 'PI' | null;
  @StatusField() status?: string | null;
}

/**
 * The profile fields that were sent (already normalised by their rules): fields left out stay
 * left out, so an update touches only what was sent.
 */
export function toProfilePatch(input: ProfileFieldsRequest): Partial<CustomerProfile> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsUUID, Max, Min } from 'class-validator';
import { CustomerProfile } from './domain/customer';
import {
  IsCleanText,
  IsMoney,
  IsPhoneNumber,
  IsStellarAccountId,
  IsStellarAssetCode,
  normalisePhone,
  NotNullIfPresent,
  Nullable,
  toMoney,
  Trimmed,
  Untouched,
} from '../http/validators';

/**
 * The decorators of the profile fields create and update share, so both validate one way.
 * `Nullable` fields may be sent as null to clear them; `NotNullIfPresent` fields may not.
 */
export const NameField = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ description, type: String, nullable: true, maxLength: 255, example: 'Ada' }),
    Trimmed(),
    Nullable(),
    IsCleanText(255),
  );

export const PhoneNumberField = () =>
  applyDecorators(
    ApiPropertyOptional({ description: 'International phone number; stored as E.164.', type: String, nullable: true, example: '+12025550123' }),
    Trimmed(),
    Nullable(),
    IsPhoneNumber(),
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
    Untouched(),
    NotNullIfPresent(),
    IsMoney(),
  );

export const BalanceAssetCodeField = () =>
  applyDecorators(
    ApiPropertyOptional({ description: "Balance's Stellar asset code; given together with balance_asset_issuer.", type: String, nullable: true, example: 'EURC' }),
    Nullable(),
    IsStellarAssetCode(),
  );

export const BalanceAssetIssuerField = () =>
  applyDecorators(
    ApiPropertyOptional({ description: "Balance's asset issuer (Stellar account id); given together with balance_asset_code.", type: String, nullable: true, example: 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7' }),
    Nullable(),
    IsStellarAccountId(),
  );

export const BranchGuidField = () =>
  applyDecorators(
    ApiPropertyOptional({ description: "The customer's branch.", type: String, format: 'uuid', nullable: true }),
    Nullable(),
    IsUUID('all'),
  );

export const SegmentField = () =>
  applyDecorators(
    ApiPropertyOptional({ description: 'Public Liability (PL) or Professional Indemnity (PI).', enum: ['PL', 'PI'], nullable: true }),
    Nullable(),
    IsIn(['PL', 'PI']),
  );

export const StatusField = () =>
  applyDecorators(
    ApiPropertyOptional({ description: "Customer's status (free text).", type: String, nullable: true, maxLength: 64 }),
    Trimmed(),
    Nullable(),
    IsCleanText(64),
  );

/** The profile fields of both the create and the update body (the seed's update fields). */
export class ProfileFieldsRequest {
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

/** The validated body fields, as the DTO holds them before normalisation. */
export type ProfileInput = { [K in keyof CustomerProfile]?: unknown };

/**
 * Turns validated input into domain values (E.164 phones, exact money); fields left out stay
 * left out, so an update touches only what was sent.
 */
export function toProfilePatch(input: ProfileInput): Partial<CustomerProfile> {
  const patch: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (field === 'phone_number') patch[field] = value === null ? null : normalisePhone(value);
    else if (field === 'balance_allowed') patch[field] = toMoney(value);
    else patch[field] = value;
  }
  return patch as Partial<CustomerProfile>;
}

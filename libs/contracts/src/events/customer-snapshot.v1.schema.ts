/**
 * JSON Schemas (draft-07, the dialect AsyncAPI 3.0 schemas extend) of the parts every customer
 * event carries. `docs/asyncapi.yaml` holds the same schemas; a unit test keeps them equal.
 */

const uuid = { type: 'string', format: 'uuid' } as const;
const nullableUuid = { type: ['string', 'null'], format: 'uuid' } as const;
const timestamp = { type: 'string', format: 'date-time', description: 'RFC 3339, UTC.' } as const;
const nullableText = (maxLength: number) => ({ type: ['string', 'null'], maxLength }) as const;

/** Field schemas shared by the snapshot and the `changes` of an update. */
export const CUSTOMER_PROFILE_FIELD_SCHEMAS = {
  name: nullableText(255),
  surname: nullableText(255),
  paternal_name: nullableText(255),
  phone_number: { type: ['string', 'null'], pattern: '^\\+[1-9][0-9]{1,14}$', description: 'E.164.' },
  kyc_level: { type: 'integer', minimum: 0 },
  is_disabled: { type: 'boolean' },
  balance_allowed: {
    type: 'number',
    minimum: 0,
    maximum: 900000000,
    description:
      'At most 7 decimal places. Parse it losslessly (as a decimal): a double cannot hold every such value above ~5e8.',
  },
  balance_asset_code: { type: ['string', 'null'], pattern: '^[A-Za-z0-9]{1,12}$', description: 'Stellar asset code.' },
  balance_asset_issuer: {
    type: ['string', 'null'],
    pattern: '^G[A-Z2-7]{55}$',
    description: 'Stellar account id (StrKey) of the issuer.',
  },
  branch_guid: nullableUuid,
  segment: { enum: ['PL', 'PI', null], description: 'Public Liability (PL) or Professional Indemnity (PI).' },
  status: nullableText(64),
} as const;

export const WALLET_ACCOUNT_SNAPSHOT_V1_SCHEMA = {
  title: 'WalletAccountSnapshotV1',
  description: 'A wallet account as carried in events.',
  type: 'object',
  additionalProperties: false,
  required: [
    'wallet_account_guid', 'customer_guid', 'counterparty_guid', 'iban', 'asset_code', 'asset_issuer',
    'activated', 'registered', 'blocked', 'type', 'created_at', 'updated_at',
  ],
  properties: {
    wallet_account_guid: uuid,
    customer_guid: uuid,
    counterparty_guid: uuid,
    iban: {
      type: ['string', 'null'],
      pattern: '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$',
      description: 'ISO 13616, electronic format (no spaces, upper case).',
    },
    asset_code: { type: 'string', pattern: '^[A-Za-z0-9]{1,12}$', description: 'Stellar asset code.' },
    asset_issuer: { type: 'string', pattern: '^G[A-Z2-7]{55}$', description: 'Stellar account id (StrKey) of the issuer.' },
    activated: { type: 'boolean' },
    registered: { type: 'boolean' },
    blocked: { type: 'boolean' },
    type: { const: 'customer' },
    created_at: timestamp,
    updated_at: timestamp,
  },
} as const;

export const CUSTOMER_SNAPSHOT_V1_SCHEMA = {
  title: 'CustomerSnapshotV1',
  description: 'The whole customer after the change, accounts included.',
  type: 'object',
  additionalProperties: false,
  required: [
    'customer_guid', 'counterparty_guid', 'login', 'name', 'surname', 'paternal_name', 'phone_number', 'kyc_level',
    'is_disabled', 'balance_allowed', 'balance_asset_code', 'balance_asset_issuer', 'branch_guid', 'segment', 'status',
    'version', 'created_at', 'updated_at', 'accounts',
  ],
  properties: {
    customer_guid: uuid,
    counterparty_guid: uuid,
    login: nullableText(255),
    ...CUSTOMER_PROFILE_FIELD_SCHEMAS,
    version: { type: 'integer', minimum: 1, description: 'Starts at 1, +1 per event.' },
    created_at: timestamp,
    updated_at: timestamp,
    accounts: { type: 'array', minItems: 1, items: WALLET_ACCOUNT_SNAPSHOT_V1_SCHEMA },
  },
} as const;

export const ACTOR_V1_SCHEMA = {
  title: 'ActorV1',
  description: 'Who caused the change.',
  type: 'object',
  additionalProperties: false,
  required: ['sub', 'branch_guid'],
  properties: {
    sub: { type: 'string', minLength: 1, description: "The employee (the token's `sub`)." },
    branch_guid: { ...nullableUuid, description: "The employee's branch when the token is branch-scoped." },
  },
} as const;

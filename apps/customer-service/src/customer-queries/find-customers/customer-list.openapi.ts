import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { DEFAULT_LIMIT, MAX_LIMIT, ORDERINGS } from './customer-list.params';

const LIST_NOTE = 'Repeat the parameter (a=1&a=2) or use brackets (a[]=1&a[]=2); matches any of the values.';

/** [name, list?, type, description] of every list query parameter, for OpenAPI. */
const PARAMS: [string, boolean, 'string' | 'integer' | 'number' | 'boolean', string, Record<string, unknown>?][] = [
  ['wallet_user_guids', true, 'string', 'Customer guids.', { format: 'uuid' }],
  ['logins', true, 'string', 'Logins, compared case-insensitively.'],
  ['kyc_levels', true, 'integer', 'KYC levels.'],
  ['is_disabled', false, 'boolean', 'Include disabled customers: true lists enabled and disabled; absent or false lists enabled only.'],
  ['min_balance_allowed', false, 'number', 'Lowest balance_allowed, inclusive; exact decimal, at most 7 places.'],
  ['max_balance_allowed', false, 'number', 'Highest balance_allowed, inclusive; exact decimal, at most 7 places.'],
  ['balance_asset_codes', true, 'string', 'Balance asset codes, exact.'],
  ['balance_asset_issuers', true, 'string', 'Balance asset issuers (Stellar account ids), exact.'],
  ['branch_guids', true, 'string', 'Branch guids.', { format: 'uuid' }],
  ['names', true, 'string', 'Names, exact.'],
  ['paternal_names', true, 'string', 'Paternal names, exact.'],
  ['phone_numbers', true, 'string', 'Phone numbers, normalised to E.164 before matching.'],
  ['segments', true, 'string', 'Segments.', { enum: ['PL', 'PI'] }],
  ['statuses', true, 'string', 'Statuses, exact.'],
  ['surnames', true, 'string', 'Surnames, exact.'],
  ['search_string', false, 'string', 'Case-insensitive substring of name, surname, paternal_name or login.'],
  ['min_created_at', false, 'string', 'Created at or after (RFC 3339, inclusive).', { format: 'date-time' }],
  ['max_created_at', false, 'string', 'Created at or before (RFC 3339, inclusive).', { format: 'date-time' }],
  ['min_updated_at', false, 'string', 'Updated at or after (RFC 3339, inclusive).', { format: 'date-time' }],
  ['max_updated_at', false, 'string', 'Updated at or before (RFC 3339, inclusive).', { format: 'date-time' }],
  ['offset', false, 'integer', 'Matches to skip (0 … 1000000).', { minimum: 0, default: 0 }],
  ['limit', false, 'integer', `Page size (1 … ${MAX_LIMIT}).`, { minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }],
  ['ordering', false, 'string', 'Sort order; a leading - is descending; ties are broken by customer_guid.', { enum: [...ORDERINGS], default: '-created_at' }],
];

export const ApiCustomerListQuery = () =>
  applyDecorators(
    ...PARAMS.map(([name, isList, type, description, extra = {}]) =>
      ApiQuery({
        name,
        required: false,
        description: isList ? `${description} ${LIST_NOTE}` : description,
        ...(isList ? { isArray: true, schema: { type: 'array', items: { type, ...extra } } } : { schema: { type, ...extra } }),
      }),
    ),
  );

import { ArgumentMetadata } from '@nestjs/common';
import { ApiError } from '../../http/api-error';
import { parseJsonBody } from '../../http/json-body';
import { validationPipe } from '../../http/validation';
import { CreateCustomerRequest } from './create-customer/create-customer.request';
import { OpenAccountRequest } from './open-account/open-account.request';
import { UpdateCustomerRequest } from './update-customer/update-customer.request';

const ISSUER = 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7';
const VALID_CREATE = { asset_code: 'EURC', asset_issuer: ISSUER };

async function validate(metatype: ArgumentMetadata['metatype'], json: string): Promise<unknown> {
  return validationPipe().transform(parseJsonBody(json), { type: 'body', metatype });
}

async function problems(metatype: ArgumentMetadata['metatype'], body: object): Promise<Record<string, string>> {
  try {
    await validate(metatype, JSON.stringify(body));
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return Object.fromEntries((error as ApiError).details.map((d) => [d.field, d.message]));
  }
  throw new Error('expected the body to be refused');
}

describe('create customer request', () => {
  it('accepts the minimal body', async () => {
    await expect(validate(CreateCustomerRequest, JSON.stringify(VALID_CREATE))).resolves.toBeInstanceOf(CreateCustomerRequest);
  });

  it('accepts every field at its limits', async () => {
    const body = {
      ...VALID_CREATE, login: 'x'.repeat(255), name: 'é'.repeat(255), surname: null, paternal_name: '  Ivanovich ',
      phone_number: '+44 20 7946 0958', kyc_level: 2_147_483_647, is_disabled: true, balance_asset_code: 'ABCDEFGHIJKL',
      balance_asset_issuer: ISSUER, branch_guid: '2b1d4a8e-8f63-4c8e-9b0a-3c2d1e0f9a8b', iban: 'gb82 west 1234 5698 7654 32',
      segment: 'PI', status: 's'.repeat(64),
    };
    const text = JSON.stringify(body).replace('"kyc_level"', '"balance_allowed":900000000,"kyc_level"');
    const request = (await validate(CreateCustomerRequest, text)) as CreateCustomerRequest;
    expect(request.paternal_name).toBe('Ivanovich');
  });

  it.each([
    [{}, 'asset_code', 'is required'],
    [{ asset_code: 'EUR-C' }, 'asset_code', 'must be a Stellar asset code'],
    [{ asset_code: 'ABCDEFGHIJKLM' }, 'asset_code', 'must be a Stellar asset code'],
    [{ asset_code: 12 }, 'asset_code', 'must be a string'],
    [{ asset_issuer: 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN6' }, 'asset_issuer', 'valid checksum'],
    [{ asset_issuer: 'SAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7' }, 'asset_issuer', 'Stellar account id'],
    [{ login: '' }, 'login', 'must not be empty'],
    [{ login: '   ' }, 'login', 'must not be empty'],
    [{ login: 'x'.repeat(256) }, 'login', 'at most 255'],
    [{ login: 'a\u0007b' }, 'login', 'control characters'],
    [{ login: 42 }, 'login', 'must be a string'],
    [{ name: 'a\u2028b' }, 'name', 'control characters'],
    [{ surname: 'ø'.repeat(256) }, 'surname', 'at most 255'],
    [{ status: 's'.repeat(65) }, 'status', 'at most 64'],
    [{ iban: 'DE89370400440532013001' }, 'iban', 'valid IBAN'],
    [{ iban: 'DE8937040044053201300' }, 'iban', 'valid IBAN'],
    [{ phone_number: '2025550123' }, 'phone_number', 'international phone number'],
    [{ phone_number: '+1 999' }, 'phone_number', 'international phone number'],
    [{ segment: 'pl' }, 'segment', 'PL, PI'],
    [{ kyc_level: -1 }, 'kyc_level', 'less than 0'],
    [{ kyc_level: 1.5 }, 'kyc_level', 'integer'],
    [{ kyc_level: '1' }, 'kyc_level', 'integer'],
    [{ kyc_level: null }, 'kyc_level', 'must not be null'],
    [{ is_disabled: null }, 'is_disabled', 'must not be null'],
    [{ is_disabled: 'true' }, 'is_disabled', 'boolean'],
    [{ balance_allowed: null }, 'balance_allowed', 'must not be null'],
    [{ balance_allowed: '10' }, 'balance_allowed', 'must be a number'],
    [{ balance_allowed: -0.5 }, 'balance_allowed', 'negative'],
    [{ balance_allowed: 0.00000001 }, 'balance_allowed', '7 decimal places'],
    [{ balance_allowed: 900000001 }, 'balance_allowed', 'must not exceed'],
    [{ balance_asset_code: 'EUR$' }, 'balance_asset_code', 'asset code'],
    [{ balance_asset_issuer: 'G' }, 'balance_asset_issuer', 'account id'],
    [{ branch_guid: 'branch-1' }, 'branch_guid', 'UUID'],
    [{ customer_guid: '2b1d4a8e-8f63-4c8e-9b0a-3c2d1e0f9a8b' }, 'customer_guid', 'not a known field'],
    [{ version: 3 }, 'version', 'not a known field'],
    [{ counterparty_guid: '2b1d4a8e-8f63-4c8e-9b0a-3c2d1e0f9a8b' }, 'counterparty_guid', 'not a known field'],
  ])('refuses %p: %s %s', async (override, field, message) => {
    const body = { ...VALID_CREATE, ...override };
    if (Object.keys(override).length === 0) delete (body as Record<string, unknown>).asset_code;
    expect((await problems(CreateCustomerRequest, body))[field]).toContain(message);
  });
});

describe('update customer request', () => {
  it('accepts an empty body and nulls for clearable fields', async () => {
    await expect(validate(UpdateCustomerRequest, '{}')).resolves.toBeInstanceOf(UpdateCustomerRequest);
    const cleared = { name: null, surname: null, paternal_name: null, phone_number: null, branch_guid: null, segment: null, status: null, balance_asset_code: null, balance_asset_issuer: null };
    await expect(validate(UpdateCustomerRequest, JSON.stringify(cleared))).resolves.toMatchObject(cleared);
  });

  it.each([
    [{ login: 'x' }, 'login', 'not a known field'],
    [{ asset_code: 'EURC' }, 'asset_code', 'not a known field'],
    [{ iban: 'DE89370400440532013000' }, 'iban', 'not a known field'],
    [{ created_at: '2026-01-01T00:00:00Z' }, 'created_at', 'not a known field'],
    [{ wallet_user_guid: 'abc' }, 'wallet_user_guid', 'UUID'],
    [{ wallet_user_guid: null }, 'wallet_user_guid', 'must not be null'],
    [{ kyc_level: null }, 'kyc_level', 'must not be null'],
  ])('refuses %p: %s %s', async (body, field, message) => {
    expect((await problems(UpdateCustomerRequest, body))[field]).toContain(message);
  });
});

describe('open account request', () => {
  it('accepts an empty body, an IBAN and an asset pair', async () => {
    await expect(validate(OpenAccountRequest, '{}')).resolves.toBeInstanceOf(OpenAccountRequest);
    await expect(validate(OpenAccountRequest, JSON.stringify({ iban: 'GB82WEST12345698765432', asset_code: 'USDC', asset_issuer: ISSUER }))).resolves.toBeDefined();
  });

  it.each([
    [{ iban: 'GB82WEST1234569876543X' }, 'iban', 'valid IBAN'],
    [{ asset_code: 'TOO-LONG-CODE' }, 'asset_code', 'asset code'],
    [{ name: 'x' }, 'name', 'not a known field'],
  ])('refuses %p: %s %s', async (body, field, message) => {
    expect((await problems(OpenAccountRequest, body))[field]).toContain(message);
  });
});

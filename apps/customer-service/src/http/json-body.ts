import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LosslessNumber, parse as parseLossless } from 'lossless-json';
import { stringifyJson } from '../customers/domain/money';
import { ApiError } from './api-error';

/** Fields whose JSON numbers must keep their exact text (money, Stellar's 7 decimals). */
const EXACT_NUMBER_FIELDS = new Set(['balance_allowed']);

/**
 * A JSON number kept as its exact text. A class of our own (not lossless-json's) because
 * class-transformer rebuilds class instances with a no-argument constructor; and since JSON
 * cannot produce class instances, a client cannot forge one with an object.
 */
export class ExactNumber {
  constructor(readonly text: string = '') {}
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Request bodies: JSON only (anything else is 415), parsed so that money keeps its exact
 * digits (a JavaScript number would round some 7-decimal amounts above ~5·10⁸), and with
 * prototype-polluting keys rejected. Responses: money written back as exact numbers.
 */
export function useJsonBodies(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  fastify.setReplySerializer((payload) => (typeof payload === 'string' ? payload : stringifyJson(payload)));
}

export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw ApiError.badRequest('Request body is empty; send a JSON object.', [], 'INVALID_JSON');
  let forbidden: string | undefined;
  let parsed: unknown;
  try {
    // The native parser validates the syntax and shows keys such as "__proto__" as own keys,
    // which the lossless parser would instead apply as the object's prototype.
    parsed = JSON.parse(text, (key, value) => {
      if (FORBIDDEN_KEYS.has(key)) forbidden = key;
      return value;
    });
  } catch {
    throw ApiError.badRequest('Request body is not valid JSON.', [], 'INVALID_JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw ApiError.badRequest('Request body must be a JSON object.', [], 'INVALID_JSON');
  }
  if (forbidden) throw ApiError.badRequest('Request body has a forbidden field.', [{ field: forbidden, message: 'is not a known field' }]);
  return parseLossless(text, (key, value) => {
    if (!(value instanceof LosslessNumber)) return value;
    if (EXACT_NUMBER_FIELDS.has(key)) return new ExactNumber(value.value);
    // Other numbers become plain numbers; one that a double cannot hold stays lossless and
    // fails its field's validation instead of being silently rounded.
    return safeNumber(value);
  });
}

function safeNumber(value: LosslessNumber): number | ExactNumber {
  try {
    const number = value.valueOf(); // a bigint for integers beyond 2^53
    if (typeof number === 'number') return number;
  } catch {
    // an unsafe number: keep its text
  }
  return new ExactNumber(value.value);
}

import { HttpStatus } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyRequest } from 'fastify';
import { LosslessNumber, parse as parseLossless } from 'lossless-json';
import { isStorableText } from '../fields/field-rules';
import { stringifyJson } from '../fields/money';
import { ApiError, FieldProblem } from './api-error';

/** The largest request body read (DESIGN §2: 64 kB, else 413). */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * A body over the limit is still read, and dropped, up to this size before the 413 is sent:
 * clients that read the answer only after sending their whole body (Node's fetch, Java's
 * HttpClient, .NET's HttpClient) would otherwise see a reset connection (EPIPE) instead of
 * the 413. Past this size — or when Content-Length already says more — the 413 goes out at
 * once and the connection is closed: reading is cheap, but not unlimited.
 */
export const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;

/** Deepest nesting a body may have (ours are flat objects; the lossless parser recurses). */
const MAX_DEPTH = 32;

/** Fields whose JSON numbers must keep their exact text (money, Stellar's 7 decimals). */
const EXACT_NUMBER_FIELDS = new Set(['balance_allowed']);

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A JSON number kept as its exact text. A class of our own (not lossless-json's) because
 * class-transformer rebuilds class instances with a no-argument constructor; and since JSON
 * cannot produce class instances, a client cannot forge one with an object.
 */
export class ExactNumber {
  constructor(readonly text: string = '') {}
}

/**
 * Request bodies: JSON only (anything else is 415), UTF-8 only (a BOM, as some .NET writers
 * add, is dropped), read with a size limit, parsed so that money keeps its exact digits (a
 * JavaScript number would round some 7-decimal amounts above ~5·10⁸), with prototype-polluting
 * keys, duplicate keys and text PostgreSQL cannot store refused. An empty body is no body.
 * Responses: money written back as exact numbers.
 */
export function useJsonBodies(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', (request, payload, done) => {
    readBody(request, payload)
      .then((bytes) => parseJsonBody(decodeUtf8(bytes)))
      .then(
        (body) => done(null, body),
        (error: Error) => done(error, undefined),
      );
  });
  fastify.setReplySerializer((payload) => (typeof payload === 'string' ? payload : stringifyJson(payload)));
}

async function readBody(request: FastifyRequest, payload: AsyncIterable<Buffer>): Promise<Buffer> {
  assertJsonEncoding(request.headers);
  const declared = Number(request.headers['content-length']);
  if (declared > DRAIN_LIMIT_BYTES) throw tooLarge({ connection: 'close' }); // never read: close after the answer
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload) {
    size += chunk.length;
    if (size <= BODY_LIMIT_BYTES) chunks.push(chunk);
    else if (size > DRAIN_LIMIT_BYTES) throw tooLarge(); // leaving the loop destroys the request: the connection closes
  }
  if (size > BODY_LIMIT_BYTES) throw tooLarge();
  return Buffer.concat(chunks, size);
}

/** `charset` other than UTF-8 (RFC 8259 §8.1) and compressed bodies are 415, not garbage to parse. */
export function assertJsonEncoding(headers: { 'content-type'?: string; 'content-encoding'?: string }): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new ApiError(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'UNSUPPORTED_MEDIA_TYPE', 'Request body must be JSON in UTF-8 (charset=utf-8).');
  }
  const encoding = headers['content-encoding']?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    throw new ApiError(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'UNSUPPORTED_MEDIA_TYPE', 'Compressed request bodies are not accepted; send the JSON uncompressed.');
  }
}

function tooLarge(headers: Record<string, string> = {}): ApiError {
  return new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, 'PAYLOAD_TOO_LARGE', `Request body is larger than ${BODY_LIMIT_BYTES / 1024} kB.`, [], headers);
}

/** Strict UTF-8 (a leading BOM is dropped); anything else is a 400, never replacement characters. */
export function decodeUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw ApiError.badRequest('Request body is not valid UTF-8.', [], 'INVALID_JSON');
  }
}

/** Parses a decoded body; undefined for an empty one (a POST may omit its body). */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  // Before any parser: the reviver below and the lossless parser both recurse.
  if (depthOf(text) > MAX_DEPTH) throw ApiError.badRequest(`Request body is nested deeper than ${MAX_DEPTH} levels.`, [], 'INVALID_JSON');
  const problems: FieldProblem[] = [];
  let parsed: unknown;
  try {
    // The native parser validates the syntax and shows keys such as "__proto__" as own keys,
    // which the lossless parser would instead apply as the object's prototype.
    parsed = JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) problems.push({ field: key, message: 'is not a known field' });
      else if (!isStorableText(key)) problems.push({ field: 'body', message: 'field names must be well-formed Unicode without NUL' });
      else if (typeof value === 'string' && !isStorableText(value)) problems.push({ field: key, message: 'must be well-formed Unicode text without NUL' });
      return value;
    });
  } catch {
    throw ApiError.badRequest('Request body is not valid JSON.', [], 'INVALID_JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw ApiError.badRequest('Request body must be a JSON object.', [], 'INVALID_JSON');
  }
  if (problems.length > 0) throw ApiError.badRequest('Request is invalid.', problems);
  try {
    return parseLossless(text, (key, value) => {
      if (!(value instanceof LosslessNumber)) return value;
      if (EXACT_NUMBER_FIELDS.has(key)) return new ExactNumber(value.value);
      // Other numbers become plain numbers; one that a double cannot hold stays lossless and
      // fails its field's validation instead of being silently rounded.
      return safeNumber(value);
    });
  } catch (error) {
    // The syntax is valid (the native parser said so): what remains is a key given twice,
    // which parsers disagree about (first wins, last wins), so it is refused.
    const duplicate = error instanceof Error && error.message.startsWith('Duplicate key');
    throw ApiError.badRequest(duplicate ? 'Request body has a field more than once.' : 'Request body is not valid JSON.', [], 'INVALID_JSON');
  }
}

/** Deepest bracket nesting outside strings; one linear pass (any text: invalid JSON fails the parser after). */
function depthOf(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
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

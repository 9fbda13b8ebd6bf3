import { HttpStatus, Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyInstance, FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config';
import { ApiError } from '../http/api-error';
import { sendError } from '../http/error-body.filter';
import { attachPrincipal } from './auth.decorators';
import { bearerTokenOf, unauthenticated } from './bearer';
import { Admission, RateWindows } from './rate-windows';
import { TokenVerifier } from './token-verifier';

const MINUTE_MS = 60_000;

/**
 * The API's front door, run for every request under API_PREFIX as soon as it is routed —
 * before its body is read or parsed (Nest's guards run only after that):
 *  1. a rate limit per client address (RATE_LIMIT_PER_ADDRESS_PER_MINUTE; the address is the
 *     socket's, or X-Forwarded-For's as TRUST_PROXY allows), so unauthenticated floods are
 *     limited too;
 *  2. authentication: a valid bearer token, else 401 — nothing of the request is parsed first;
 *  3. the rate limit per employee (RATE_LIMIT_PER_MINUTE, the token's counterparty and sub).
 * What the route needs beyond a valid token (its counterparty, a scope) is the AuthGuard's.
 */
@Injectable()
export class RequestGate implements OnModuleInit {
  private readonly windows = new RateWindows();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly verifier: TokenVerifier,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return; // an application context without HTTP (tests of one role)
    const prefix = `${this.config.apiPrefix}/`;
    fastify.addHook('onRequest', async (request, reply) => {
      if (!request.url.startsWith(prefix)) return;
      const refusal = await this.admit(request);
      if (!refusal) return;
      // Answered before its body was read: close the connection after the answer, or a client
      // that stops sending once it sees it would leave the server waiting for the rest.
      if (request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined) {
        void reply.header('connection', 'close');
      }
      sendError(refusal, request, reply);
      return reply; // an async hook that answered must return the reply, or the request goes on
    });
  }

  /** The error to answer with, or undefined when the request may go on. */
  private async admit(request: FastifyRequest): Promise<ApiError | undefined> {
    const { rateLimitPerAddressPerMinute, rateLimitPerMinute } = this.config.http;
    const byAddress = this.windows.hit(`address ${request.ip}`, rateLimitPerAddressPerMinute, MINUTE_MS);
    if (byAddress.refused) return tooManyRequests(byAddress, 'from this address');
    const token = bearerTokenOf(request.headers.authorization);
    const principal = token === null ? null : await this.verifier.verify(token).catch(() => null);
    if (!principal) return unauthenticated();
    attachPrincipal(request, principal);
    const byEmployee = this.windows.hit(`employee ${principal.counterpartyGuid} ${principal.sub}`, rateLimitPerMinute, MINUTE_MS);
    if (byEmployee.refused) return tooManyRequests(byEmployee, 'from this employee');
    return undefined;
  }
}

function tooManyRequests(admission: Admission, whose: string): ApiError {
  return new ApiError(HttpStatus.TOO_MANY_REQUESTS, 'TOO_MANY_REQUESTS', `Too many requests ${whose}; retry after Retry-After seconds.`, [], {
    'retry-after': String(admission.retryAfterSeconds),
  });
}

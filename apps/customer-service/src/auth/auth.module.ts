import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { RequestGate } from './request-gate';
import { TokenVerifier } from './token-verifier';

/**
 * Who may call: the request gate authenticates and rate-limits every API request before its
 * body is read; the guard then checks what the route needs (counterparty, scope).
 */
@Module({
  providers: [TokenVerifier, RequestGate, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class AuthModule {}

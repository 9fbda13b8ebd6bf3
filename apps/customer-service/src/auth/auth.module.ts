import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';
import { AuthGuard } from './auth.guard';
import { EmployeeThrottlerGuard } from './employee-throttler.guard';
import { TokenVerifier } from './token-verifier';
import { WindowThrottlerStorage } from './window-throttler.storage';

/** Authentication first, then the per-employee rate limit (guards run in this order). */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        throttlers: [{ ttl: 60_000, limit: config.http.rateLimitPerMinute }],
        storage: new WindowThrottlerStorage(),
      }),
    }),
  ],
  providers: [
    TokenVerifier,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: EmployeeThrottlerGuard },
  ],
})
export class AuthModule {}

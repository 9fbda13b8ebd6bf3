import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { ManagementServer } from './management.server';

/** The management listener: health, metrics and OpenAPI, apart from the API (management.server.ts). */
@Module({
  imports: [HealthModule],
  providers: [ManagementServer],
  exports: [ManagementServer],
})
export class ManagementModule {}

import { Writable } from 'node:stream';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { LOG_DESTINATION } from '../logging/logging.module';
import { AppConfig } from './app-config';

/** Process-level options that are not configuration (set by tests, never by the environment). */
export interface RuntimeOptions {
  /** Log lines go here instead of stdout. */
  logDestination?: Writable;
}

/** Makes the validated {@link AppConfig} (and runtime options) injectable everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, options: RuntimeOptions = {}): DynamicModule {
    const providers = [
      { provide: AppConfig, useValue: config },
      ...(options.logDestination ? [{ provide: LOG_DESTINATION, useValue: options.logDestination }] : []),
    ];
    return { module: ConfigModule, providers, exports: providers.map((provider) => provider.provide) };
  }
}

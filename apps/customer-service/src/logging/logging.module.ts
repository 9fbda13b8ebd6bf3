import { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { requestIdFor } from '../http/request-id';
import { prettyStdout, usePrettyLogs } from './log-format';

/** Where logs go instead of stdout (tests capture them to look for leaked personal data). */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

/**
 * Structured JSON logs with the request id on every line. Request logs carry the method, the
 * route path without its query string (list filters hold logins, names and phones) and the
 * status; headers are not logged at all, so bearer tokens never reach a log line. At a
 * terminal (LOG_FORMAT=auto and stdout a TTY, or LOG_FORMAT=pretty) the same records are
 * printed as readable lines instead.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig, { token: LOG_DESTINATION, optional: true }],
      useFactory: async (config: AppConfig, destination?: Writable) => ({
        forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
        pinoHttp: withDestination(destination ?? (await terminalDestination(config)), {
          level: config.logLevel,
          genReqId: (req: IncomingMessage) => requestIdFor(req),
          customProps: () => ({ service: 'customer-service' }),
          serializers: {
            req: (req: { id: string; method: string; url: string }) => ({
              id: req.id,
              method: req.method,
              path: req.url.split('?')[0],
            }),
            res: (res: { statusCode: number }) => ({ status: res.statusCode }),
          },
          redact: { paths: ['req.headers', 'err.detail', 'err.parameters', 'err.query'], remove: true },
        }),
      }),
    }),
  ],
})
export class LoggingModule {}

/** pino-pretty on stdout for people, or undefined: JSON on stdout (pino's default). */
async function terminalDestination(config: AppConfig): Promise<Writable | undefined> {
  return usePrettyLogs(config.logFormat, process.stdout.isTTY === true) ? prettyStdout() : undefined;
}

function withDestination<T>(destination: Writable | undefined, options: T): T | [T, Writable] {
  return destination ? [options, destination] : options;
}

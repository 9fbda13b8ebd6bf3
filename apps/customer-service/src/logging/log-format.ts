import { Writable } from 'node:stream';
import { LogFormat } from '../config/app-config';

/** Pretty lines for people at a terminal; JSON lines for everything else (collectors, files, pipes). */
export function usePrettyLogs(format: LogFormat, stdoutIsTty: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && stdoutIsTty);
}

/**
 * A pino-pretty stream on stdout: one coloured line per record, request lines as
 * `GET /api/v1/… → 200`. It prints the same fields the JSON would (same serializers and
 * redaction), so it shows no more personal data than the JSON does. Loaded only when used.
 */
export async function prettyStdout(): Promise<Writable> {
  const { default: pretty } = await import('pino-pretty');
  return pretty({
    colorize: true,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,context,req,res,responseTime',
    messageFormat: '{if context}[{context}] {end}{if req.method}{req.method} {req.path} → {res.status} ({responseTime} ms) {end}{msg}',
    singleLine: true,
  });
}

import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { Principal } from './principal';

/** Rate limits per employee (the token's `sub` within its counterparty), by IP before auth. */
@Injectable()
export class EmployeeThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const principal = request.principal as Principal | undefined;
    return principal ? `${principal.counterpartyGuid}:${principal.sub}` : `ip:${String(request.ip)}`;
  }

  /** One count per employee across every route (the library's default counts each route apart). */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }
}

import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AdminKeyVerifier } from './api-key';
import type { RequestWithPrincipal } from './principal';

const REASONS = {
  missing: 'missing API key: send "Authorization: Bearer <key>"',
  invalid: 'invalid API key',
  unconfigured: 'no API key is configured on this server: set FLINT_ADMIN_API_KEY',
} as const;

@Injectable()
export class AdminKeyGuard implements CanActivate {
  constructor(private readonly verifier: AdminKeyVerifier) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest & RequestWithPrincipal>();
    const verdict = this.verifier.verify(request.headers.authorization);
    if (verdict === 'ok') {
      request.principal = { keyId: 'bootstrap', role: 'admin' };
      return true;
    }
    throw new UnauthorizedException({ error: { code: 'unauthorized', message: REASONS[verdict] } });
  }
}

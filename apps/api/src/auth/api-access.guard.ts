import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyAuthenticator } from './api-key';
import { isApiPath } from './api-paths';
import { type ApiRole, hasRole, type Principal, type RequestWithPrincipal } from './principal';
import { TokenBucketLimiter } from './rate-limiter';
import { PUBLIC_ROUTE, REQUIRED_ROLE } from './route-access';

/**
 * Every `/api/*` route, unless marked `@Public()`: authenticates the key (401), spends a token of the
 * key's rate limit (429 with Retry-After), checks the route's `@RequireRole` (403) and leaves the
 * principal on the request for `@CurrentPrincipal()`. Health and metrics are not API routes.
 */
@Injectable()
export class ApiAccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly limiter: TokenBucketLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & RequestWithPrincipal>();
    if (!isApiPath(request.url)) return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const authentication = await this.authenticator.authenticate(request.headers.authorization);
    if (!authentication.ok) {
      throw new UnauthorizedException({
        error: { code: 'unauthorized', message: this.refusal(authentication.reason) },
      });
    }
    const { principal } = authentication;

    const decision = this.limiter.take(principal.keyId);
    if (!decision.allowed) {
      const reply = context.switchToHttp().getResponse<FastifyReply>();
      reply.header('retry-after', String(decision.retryAfterSeconds));
      throw new HttpException(
        {
          error: {
            code: 'rate_limited',
            message: `too many requests with this API key; retry in ${decision.retryAfterSeconds} s`,
          },
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }

    const required = this.reflector.getAllAndOverride<ApiRole | undefined>(REQUIRED_ROLE, targets);
    if (required && !hasRole(principal, required)) {
      throw new ForbiddenException({
        error: { code: 'forbidden', message: roleRefusal(principal, required) },
      });
    }
    request.principal = principal;
    return true;
  }

  private refusal(reason: 'missing' | 'invalid' | 'revoked'): string {
    switch (reason) {
      case 'missing':
        return 'missing API key: send "Authorization: Bearer <key>"';
      case 'revoked':
        return 'this API key was revoked; ask an admin for a new one';
      case 'invalid':
        return this.authenticator.hasBootstrapKey
          ? 'invalid API key'
          : 'invalid API key (FLINT_ADMIN_API_KEY is not set on this server, so only keys created through /api/keys are accepted)';
    }
  }
}

function roleRefusal(principal: Principal, required: ApiRole): string {
  return `this needs ${article(required)} ${required} key; this is ${article(principal.role)} ${principal.role} key`;
}

function article(role: ApiRole): string {
  return role === 'viewer' ? 'a' : 'an';
}

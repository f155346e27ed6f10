import {
  createParamDecorator,
  type ExecutionContext,
  ForbiddenException,
  NotFoundException,
} from '@nestjs/common';
import { API_ROLES, type ApiRole } from '@flint/contracts';

export { API_ROLES, type ApiRole };

/** Who sent a request, as established by the API key guard. */
export interface Principal {
  /** The API key's id (never the key itself); `bootstrap` for FLINT_ADMIN_API_KEY. */
  keyId: string;
  role: ApiRole;
  /** The team whose sources, triggers, runs and secrets the key may see; unset for admins (all owners). */
  owner?: string;
}

/** Where the guard leaves the principal on the Fastify request. */
export interface RequestWithPrincipal {
  principal?: Principal;
}

export function hasRole(principal: Principal, role: ApiRole): boolean {
  return API_ROLES.indexOf(principal.role) >= API_ROLES.indexOf(role);
}

/** The owner a listing is limited to: the key's own for editors and viewers, none for admins. */
export function ownerScope(principal: Principal): string | undefined {
  return principal.role === 'admin' ? undefined : principal.owner;
}

/**
 * Another owner's object is reported as missing rather than forbidden, so a key cannot probe which
 * ids exist outside its team.
 */
export function assertCanSee(principal: Principal, owner: string, what: string): void {
  const scope = ownerScope(principal);
  if (scope !== undefined && scope !== owner) {
    throw new NotFoundException({ error: { code: 'not_found', message: `${what} not found` } });
  }
}

/** Changing something needs at least `editor`, and an editor only changes its own owner's objects. */
export function assertCanChange(principal: Principal, owner: string, what: string): void {
  if (!hasRole(principal, 'editor')) {
    throw new ForbiddenException({
      error: { code: 'forbidden', message: `a ${principal.role} key cannot change ${what}` },
    });
  }
  const scope = ownerScope(principal);
  if (scope !== undefined && scope !== owner) {
    throw new ForbiddenException({
      error: {
        code: 'forbidden',
        message: `${what} belongs to owner "${owner}"; this key may only change owner "${scope}"`,
      },
    });
  }
}

/** The request's principal; only valid on routes behind the API key guard. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const request = context.switchToHttp().getRequest<RequestWithPrincipal>();
    if (!request.principal) throw new Error('CurrentPrincipal used on a route without the guard');
    return request.principal;
  },
);

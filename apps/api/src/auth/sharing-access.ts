import { isDeepStrictEqual } from 'node:util';
import { ForbiddenException } from '@nestjs/common';
import type { Principal } from './principal';

/**
 * `fromOwners` lets other owners' events reach a trigger, which crosses the line between teams, so
 * only an admin may set or change it. An editor may still change the rest of a trigger an admin
 * shared, as long as it sends the sharing unchanged.
 */
export function assertCanShare(
  principal: Principal,
  sent: unknown,
  stored: unknown,
  what: string,
): void {
  if (principal.role === 'admin' || sent === undefined || isDeepStrictEqual(sent, stored)) return;
  throw new ForbiddenException({
    error: {
      code: 'forbidden',
      message: `only an admin key may set fromOwners (events of other owners reaching ${what})`,
    },
  });
}

import { SetMetadata } from '@nestjs/common';
import type { ApiRole } from './principal';

export const PUBLIC_ROUTE = 'flint:public-route';
export const REQUIRED_ROLE = 'flint:required-role';

/** The route needs no API key (the OpenAPI document and its page). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/**
 * The least role a route (or every route of a controller) needs; without it any valid key may call
 * it. Owner checks stay in the handlers (`assertCanSee`, `assertCanChange`).
 */
export const RequireRole = (role: ApiRole) => SetMetadata(REQUIRED_ROLE, role);

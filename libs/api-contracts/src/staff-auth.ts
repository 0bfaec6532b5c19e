import { AUTH_ERROR_CODES } from '@manga-assist/identity';
import type { ResponseSpec, RouteSpec } from './openapi';

const ADMIN_DISABLED = 'ADMIN_DISABLED';

/**
 * A route behind identity's `requireRole(staff)` guard: adds the answers the guard gives before the
 * route runs (401 bad or missing token, 403 no staff role, 503 identity not configured) and the
 * bearer security requirement.
 */
export function withStaffAuth(route: RouteSpec): RouteSpec {
  const unavailable = route.responses[503];
  const closed: ResponseSpec = unavailable
    ? {
        ...unavailable,
        description: `${unavailable.description} Or identity is not configured: the admin API stays closed (${ADMIN_DISABLED}).`,
        errorCodes: [...(unavailable.errorCodes ?? []), ADMIN_DISABLED],
        // The guard's refusal carries none of the route's own headers.
        headers: unavailable.headers?.map((header) => ({ ...header, required: false })),
      }
    : {
        description: `Identity is not configured: the admin API stays closed (${ADMIN_DISABLED}).`,
        errorCodes: [ADMIN_DISABLED],
      };
  return {
    ...route,
    security: 'bearer',
    responses: {
      ...route.responses,
      401: {
        description: 'No bearer token, or one that is not valid.',
        errorCodes: AUTH_ERROR_CODES,
        headers: [{ name: 'www-authenticate', description: '`Bearer`.', required: true }],
      },
      403: { description: 'The token carries no staff role.', errorCodes: ['FORBIDDEN'] },
      503: closed,
    },
  };
}

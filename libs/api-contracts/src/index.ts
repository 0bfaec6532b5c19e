export {
  buildOpenApiDocument,
  jsonSchemaOf,
  errorBodySchema,
  type RouteSpec,
  type ResponseSpec,
  type HeaderSpec,
} from './openapi';
export { opsRoutes } from './ops-routes';
export { withStaffAuth } from './staff-auth';
export { openApiHandler } from './serve';

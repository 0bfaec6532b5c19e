export {
  buildOpenApiDocument,
  jsonSchemaOf,
  errorBodySchema,
  type DocumentSpec,
  type RouteSpec,
  type ResponseSpec,
  type HeaderSpec,
  type HttpMethod,
} from './openapi';
export { opsRoutes } from './ops-routes';
export { withStaffAuth } from './staff-auth';
export { openApiHandler } from './serve';

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
export { openApiHandler } from './serve';

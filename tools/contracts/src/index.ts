export { OPENAPI_DOCUMENTS } from './documents';

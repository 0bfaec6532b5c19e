import { z } from 'zod';
import type { RouteSpec } from './openapi';

const readinessReportSchema = z.object({
  status: z.enum(['ok', 'degraded', 'unavailable']),
  checks: z.array(
    z.object({
      name: z.string(),
      ok: z.boolean(),
      critical: z.boolean(),
      error: z.string().optional(),
      ms: z.number(),
    }),
  ),
});

/** The routes every service has from the service skeleton: health, readiness, metrics, its own document. */
export function opsRoutes(): RouteSpec[] {
  const tags = ['ops'];
  return [
    {
      method: 'get',
      path: '/healthz',
      operationId: 'healthz',
      summary: 'Liveness: the process answers.',
      tags,
      responses: { 200: { description: 'Alive.', schema: z.object({ status: z.literal('ok') }) } },
    },
    {
      method: 'get',
      path: '/readyz',
      operationId: 'readyz',
      summary: 'Readiness: every dependency check, run concurrently with a timeout.',
      tags,
      responses: {
        200: {
          description: 'Ready (status ok, or degraded when only non-critical checks fail).',
          schema: readinessReportSchema,
        },
        503: {
          description: 'A critical check fails, or the service is stopping.',
          schema: readinessReportSchema,
        },
      },
    },
    {
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics (text exposition format).',
      tags,
      responses: { 200: { description: 'Metrics.', contentType: 'text/plain' } },
    },
    {
      method: 'get',
      path: '/openapi.json',
      operationId: 'openapi',
      summary: 'This document.',
      tags,
      responses: {
        200: {
          description: 'The OpenAPI 3.1 document of this service.',
          schema: z.record(z.string(), z.unknown()),
        },
      },
    },
  ];
}

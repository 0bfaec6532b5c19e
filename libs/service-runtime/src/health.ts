import { Router, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import { sendJson } from './send-json';

export interface ReadinessCheck {
  name: string;
  /** A failing critical check makes the service unready (503); a non-critical one only "degraded". */
  critical?: boolean;
  check: (signal: AbortSignal) => Promise<void>;
}

type CheckStatus = { name: string; ok: boolean; critical: boolean; error?: string; ms: number };
type ReadinessReport = { status: 'ok' | 'degraded' | 'unavailable'; checks: CheckStatus[] };

/** Runs every check concurrently, each bounded by `timeoutMs`, and summarises them. */
export async function runReadinessChecks(
  checks: ReadinessCheck[],
  { timeoutMs = 2000, shuttingDown = false } = {},
): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async ({ name, critical = true, check }): Promise<CheckStatus> => {
      const started = performance.now();
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        await Promise.race([
          check(signal),
          new Promise((_, reject) =>
            signal.addEventListener('abort', () => reject(new Error(`timed out after ${timeoutMs} ms`)), {
              once: true,
            }),
          ),
        ]);
        return { name, ok: true, critical, ms: Math.round(performance.now() - started) };
      } catch (error) {
        return {
          name,
          ok: false,
          critical,
          error: error instanceof Error ? error.message : String(error),
          ms: Math.round(performance.now() - started),
        };
      }
    }),
  );
  const criticalDown = results.some((r) => !r.ok && r.critical);
  const status =
    shuttingDown || criticalDown ? 'unavailable' : results.some((r) => !r.ok) ? 'degraded' : 'ok';
  return { status, checks: results };
}

interface OpsRouterOptions {
  registry: Registry;
  checks?: ReadinessCheck[];
  isShuttingDown?: () => boolean;
  checkTimeoutMs?: number;
}

/** `/healthz` (process alive), `/readyz` (dependencies reachable) and `/metrics` (Prometheus). */
export function createOpsRouter({
  registry,
  checks = [],
  isShuttingDown = () => false,
  checkTimeoutMs,
}: OpsRouterOptions): Router {
  const router = Router();
  router.get('/healthz', (_req: Request, res: Response) => {
    sendJson(res, 200, { status: 'ok' });
  });
  router.get('/readyz', async (_req: Request, res: Response) => {
    const report = await runReadinessChecks(checks, {
      timeoutMs: checkTimeoutMs,
      shuttingDown: isShuttingDown(),
    });
    sendJson(res, report.status === 'unavailable' ? 503 : 200, report);
  });
  router.get('/metrics', async (_req: Request, res: Response) => {
    res.set('content-type', registry.contentType).send(await registry.metrics());
  });
  return router;
}

import express from 'express';
import { Counter } from 'prom-client';
import { createOpsRouter, runReadinessChecks } from './health';
import { startHttpServer } from './http-server';
import { createMetricsRegistry } from './metrics';

const ok = (name: string, critical = true) => ({ name, critical, check: async () => undefined });
const failing = (name: string, critical = true) => ({
  name,
  critical,
  check: async () => {
    throw new Error(`${name} down`);
  },
});

describe('readiness', () => {
  it('is ok when every check passes', async () => {
    expect((await runReadinessChecks([ok('a'), ok('b')])).status).toBe('ok');
  });

  it('is degraded when only a non-critical dependency fails, unavailable when a critical one does', async () => {
    expect((await runReadinessChecks([ok('db'), failing('redis', false)])).status).toBe('degraded');
    const report = await runReadinessChecks([failing('db'), ok('redis', false)]);
    expect(report.status).toBe('unavailable');
    expect(report.checks[0]).toMatchObject({ name: 'db', ok: false, error: 'db down' });
  });

  it('bounds a check that hangs', async () => {
    const hang = { name: 'hang', check: () => new Promise<void>(() => undefined) };
    const report = await runReadinessChecks([hang], { timeoutMs: 50 });
    expect(report.checks[0]).toMatchObject({ ok: false, error: 'timed out after 50 ms' });
  });

  it('is unavailable while shutting down', async () => {
    expect((await runReadinessChecks([ok('a')], { shuttingDown: true })).status).toBe('unavailable');
  });
});

describe('ops router over HTTP', () => {
  it('serves /healthz, /readyz with status codes and Prometheus /metrics', async () => {
    const registry = createMetricsRegistry('svc', { defaults: false });
    new Counter({ name: 'things_total', help: 'things', registers: [registry] }).inc(3);
    let redisUp = true;
    const app = express().use(
      createOpsRouter({
        registry,
        checks: [
          {
            name: 'redis',
            critical: false,
            check: async () => {
              if (!redisUp) throw new Error('ECONNREFUSED');
            },
          },
        ],
      }),
    );
    const http = await startHttpServer(app, { host: '127.0.0.1' });
    try {
      expect(await (await fetch(`${http.url}/healthz`)).json()).toEqual({ status: 'ok' });
      expect((await fetch(`${http.url}/readyz`)).status).toBe(200);
      redisUp = false;
      const degraded = await fetch(`${http.url}/readyz`);
      expect(degraded.status).toBe(200);
      expect((await degraded.json()).status).toBe('degraded');
      const metrics = await fetch(`${http.url}/metrics`);
      expect(metrics.headers.get('content-type')).toContain('text/plain');
      expect(await metrics.text()).toContain('things_total{service="svc"} 3');
    } finally {
      await http.close();
    }
  });
});

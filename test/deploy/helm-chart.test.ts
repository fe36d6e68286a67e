import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';

// What can be checked of the Helm chart without a cluster or the helm binary: the chart
// metadata and values parse, every `.Values.x.y` a template uses is defined in values.yaml,
// the config the ConfigMap carries is one the gateway accepts, and the probes point at the
// gateway's real health routes.

const CHART = 'deploy/helm/tollgate';
const read = (file: string) => readFileSync(join(CHART, file), 'utf8');
const values = parse(read('values.yaml')) as Record<string, unknown>;
const templates = readdirSync(join(CHART, 'templates')).map((file) => ({ file, text: read(join('templates', file)) }));

/** `.Values.a.b.c` paths, including inside `with` / `range` heads (relative `.x` paths are not followed). */
function valuePaths(text: string): string[] {
  return [...text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)].map((m) => m[1]!.slice(1));
}

function hasPath(root: unknown, path: string): boolean {
  let node = root;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object' || !(key in (node as object))) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}

describe('the Helm chart', () => {
  it('has chart metadata and values that parse', () => {
    const chart = parse(read('Chart.yaml')) as Record<string, unknown>;
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'tollgate', type: 'application' });
    expect(String(chart.version)).toMatch(/^\d+\.\d+\.\d+/);
    expect(values).toHaveProperty('config');
  });

  it('refers only to values defined in values.yaml', () => {
    const used = templates.flatMap((t) => valuePaths(t.text).map((path) => ({ file: t.file, path })));
    expect(used.length).toBeGreaterThan(30);
    expect(used.filter((u) => !hasPath(values, u.path))).toEqual([]);
    expect(hasPath(values, 'no.such.value')).toBe(false);
  });

  it('has a Deployment with probes on /healthz and /readyz, a Service, ConfigMap, HPA, PDB and ServiceMonitor', () => {
    const kinds = templates.map((t) => /^kind: (\w+)$/m.exec(t.text)?.[1]).filter(Boolean);
    expect(kinds).toEqual(expect.arrayContaining(['Deployment', 'Service', 'ConfigMap', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ServiceMonitor']));
    expect(values).toMatchObject({ probes: { liveness: { path: '/healthz' }, readiness: { path: '/readyz' } } });
    const deployment = templates.find((t) => t.file === 'deployment.yaml')!.text;
    expect(deployment).toContain('secretKeyRef');
    expect(deployment).toContain('mountPath: /etc/tollgate');
  });

  it('carries a config the gateway accepts, in memory and with Redis', () => {
    const config = values.config as Record<string, unknown>;
    const env = { OPENAI_API_KEY: 'sk-test', TOLLGATE_REDIS_URL: 'redis://redis:6379' };
    expect(parseConfig(JSON.stringify(config), 'values.yaml', env).config.telemetry.metrics).toBe(true);
    const withRedis = { ...config, state: { kind: 'redis', url: '${TOLLGATE_REDIS_URL}', onUnavailable: (values.redis as { onUnavailable: string }).onUnavailable } };
    expect(parseConfig(JSON.stringify(withRedis), 'values.yaml', env).config.state).toMatchObject({ kind: 'redis', url: 'redis://redis:6379' });
    // The Service targets the port the config listens on.
    expect((values.service as { targetPort: number }).targetPort).toBe((config.server as { port: number }).port);
  });

  it('ships the same alerts as deploy/prometheus/alerts.yaml', () => {
    expect(read('files/alerts.yaml')).toBe(readFileSync('deploy/prometheus/alerts.yaml', 'utf8'));
  });
});

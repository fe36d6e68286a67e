import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/config/keys.ts';
import { startHarness, type Harness } from '../e2e/harness.ts';
import { familiesOf, familyOf } from '../support/prometheus-text.ts';
import { metricNamesIn } from '../support/promql-names.ts';

// Every metric the Grafana dashboard and the Prometheus alerts query is one the gateway
// really exports (after a few requests), so neither silently shows "no data".

interface Panel {
  targets?: Array<{ expr: string }>;
  panels?: Panel[];
}

const dashboard = JSON.parse(readFileSync('deploy/grafana/tollgate.json', 'utf8')) as { panels: Panel[]; templating: { list: Array<{ query?: unknown }> } };
const alerts = parse(readFileSync('deploy/prometheus/alerts.yaml', 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };

function dashboardExprs(): string[] {
  const exprs: string[] = [];
  const walk = (panels: Panel[]) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) exprs.push(t.expr);
      walk(p.panels ?? []);
    }
  };
  walk(dashboard.panels);
  for (const v of dashboard.templating.list) {
    const query = (v.query as { query?: string } | undefined)?.query;
    const m = typeof query === 'string' ? /label_values\(([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(query) : null;
    if (m) exprs.push(m[1]!);
  }
  return exprs;
}

let h: Harness;
let families: Set<string>;
beforeAll(async () => {
  h = await startHarness({
    tenants: `  runner:\n    keys: ["${hashKey('tg-runner-key')}"]\n    models: [chat]\n    runs: { maxSteps: 5 }\n    budgets: [{ window: day, usd: 5 }]\n`,
  });
  await h.client('tg-runner-key').chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-tollgate-run-id': 'r1' } });
  const stream = await h.client().chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], stream: true });
  for await (const _ of stream);
  families = familiesOf(await (await fetch(`${h.gateway.url}/metrics`)).text());
});
afterAll(() => h.close());

describe('deploy/ queries only exported metrics', () => {
  it('reads names out of PromQL', () => {
    expect(metricNamesIn('histogram_quantile(0.95, sum by (le, alias) (rate(a_bucket{x="y",code!=""}[5m]))) / b > 0.5 and on(t) c')).toEqual(['a_bucket', 'b', 'c']);
  });

  it('the dashboard', () => {
    const exprs = dashboardExprs();
    expect(exprs.length).toBeGreaterThan(20);
    const names = new Set(exprs.flatMap(metricNamesIn));
    expect(names.size).toBeGreaterThan(20);
    expect([...names].filter((n) => familyOf(n, families) === undefined)).toEqual([]);
  });

  it('the alerts', () => {
    const rules = alerts.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining(['TollgateBudgetNearlySpent', 'TollgateHighErrorRate', 'TollgateBreakerOpen', 'TollgateOverheadRegression', 'TollgateAgentLoops']));
    const names = new Set(rules.flatMap((r) => metricNamesIn(r.expr)));
    expect([...names].filter((n) => familyOf(n, families) === undefined)).toEqual([]);
  });

  it('catches a metric that is not exported', () => {
    expect(familyOf('tollgate_no_such_metric_total', families)).toBeUndefined();
  });
});

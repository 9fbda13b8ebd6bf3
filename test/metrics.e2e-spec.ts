import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { CreatedCustomerResponse } from '../apps/customer-service/src/customers/customer.responses';
import { call, ISSUER, newCounterparty, RunningApp, startApp } from './support/app';
import { deleteTopic } from './support/kafka';
import { waitFor } from './support/outbox-rows';
import { metricNames } from './support/promql';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';
import { REPO_ROOT } from './support/repo-root';

// What deploy/ ships (alert rules, dashboard) is checked against what the service exports: a
// real service (all roles, its own database, topic and group) is exercised once, then scraped.
const root = REPO_ROOT;
/** Series Prometheus makes itself (not exported by the service). */
const PROMETHEUS_OWN = new Set(['up']);

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: { severity?: string };
  annotations?: { summary?: string; description?: string };
}
interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}

const alerts = (load(readFileSync(path.join(root, 'deploy/prometheus/alerts.yml'), 'utf8')) as { groups: { name: string; rules: AlertRule[] }[] }).groups.flatMap((group) => group.rules);
const dashboard = JSON.parse(readFileSync(path.join(root, 'deploy/grafana/customer-service.json'), 'utf8')) as {
  panels: Panel[];
  templating: { list: { type: string; query: string | { query: string } }[] };
};
const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
const dashboardQueries = [
  ...panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
  ...dashboard.templating.list.filter((variable) => variable.type === 'query').map((variable) => (typeof variable.query === 'string' ? variable.query : variable.query.query)),
];
const used = new Map<string, string[]>();
for (const [where, expressions] of [['alerts.yml', alerts.map((rule) => rule.expr)], ['customer-service.json', dashboardQueries]] as const) {
  for (const name of expressions.flatMap(metricNames)) used.set(name, [...(used.get(name) ?? []), where]);
}

let scratch: ScratchDatabase;
let service: RunningApp;
const topic = `metrics-e2e-${randomUUID()}`;

beforeAll(async () => {
  scratch = await createScratchDatabase('metrics_e2e');
  service = await startApp({ DATABASE_URL: scratch.url, EVENTS_TOPIC: topic, EVENTS_PARTITIONS: '2', PROJECTOR_GROUP_ID: `metrics-e2e-${randomUUID()}` });
}, 60_000);
afterAll(async () => {
  await service?.close();
  await scratch?.drop();
  await deleteTopic(topic);
});

/** Sample names in a Prometheus text exposition (a metric with no sample yet has none). */
const sampleNames = (exposition: string) => new Set(exposition.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => /^[\w:]+/.exec(line)![0]));

describe('deploy/', () => {
  it('reads metric names out of PromQL as the test needs', () => {
    expect(metricNames('histogram_quantile(0.99, sum by (le) (rate(a_bucket{job="$job", x=~"5.."}[5m]))) > 1e3 and on(instance) b offset 5m')).toEqual(['a_bucket', 'b']);
    expect(metricNames('sum(rate(c_total[$__rate_interval])) by (route) / ignoring(status) d or vector(0)')).toEqual(['c_total', 'd']);
    expect(metricNames('label_values(customer_ready{job="$job"}, instance)')).toEqual(['customer_ready']);
  });

  it('ships alerts for backlog age, projection lag, 5xx rate and readiness, each with severity and a summary', () => {
    for (const rule of alerts) {
      expect({ alert: rule.alert, severity: rule.labels?.severity, summary: typeof rule.annotations?.summary, for: typeof rule.for })
        .toEqual({ alert: rule.alert, severity: expect.stringMatching(/^(warning|critical)$/), summary: 'string', for: 'string' });
    }
    const uses = (metric: string) => alerts.some((rule) => metricNames(rule.expr).includes(metric));
    for (const metric of ['customer_outbox_oldest_unpublished_age_seconds', 'customer_projection_lag_seconds_bucket', 'customer_projector_consumer_lag', 'http_server_request_duration_seconds_count', 'customer_ready']) {
      expect({ metric, alerted: uses(metric) }).toEqual({ metric, alerted: true });
    }
    expect(panels.filter((panel) => panel.type !== 'row').length).toBeGreaterThan(10);
  });

  it('uses only metrics the service exports, each with a sample once the service has worked', async () => {
    const customers = `${service.api}/counterparty/${newCounterparty()}/customers`;
    const created = await call<CreatedCustomerResponse>('POST', customers, { asset_code: 'EURC', asset_issuer: ISSUER, login: 'metrics-e2e' });
    expect(created.status).toBe(200);
    expect((await call('GET', `${customers}/${created.json.customer_guid}?min_version=1`)).status).toBe(200);
    expect((await call('GET', `${service.baseUrl}/no-such-route`)).status).toBe(404);

    let exported = new Set<string>();
    const missing = () => [...used.keys()].filter((name) => !PROMETHEUS_OWN.has(name) && !exported.has(name));
    await waitFor('every metric the alerts and the dashboard use', async () => {
      exported = sampleNames((await call('GET', `${service.management}/metrics`)).text);
      return missing().length === 0;
    }, 30_000).catch(() => undefined);
    expect(missing().map((name) => `${name} (${used.get(name)!.join(', ')})`)).toEqual([]);
    expect(used.size).toBeGreaterThan(15);
  });

  it('labels requests by route template, never by URL', async () => {
    const exposition = (await call('GET', `${service.management}/metrics`)).text;
    const routes = [...exposition.matchAll(/^http_server_request_duration_seconds_count\{[^}]*route="([^"]*)"/gm)].map((match) => match[1]);
    expect(routes).toEqual(expect.arrayContaining(['/api/v1/counterparty/:counterparty_guid/customers', '/api/v1/counterparty/:counterparty_guid/customers/:customer_guid', 'unmatched']));
    expect(routes.filter((route) => /[0-9a-f]{8}-[0-9a-f]{4}-/.test(route) || route.includes('no-such-route'))).toEqual([]);
  });
});

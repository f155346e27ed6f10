import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { SERVICES, type ServiceName } from '@flint/contracts';
import { parse } from 'yaml';
import {
  type ComposeService,
  bindMounts,
  environmentOf,
  flintServices,
  healthcheckUrls,
  loadCompose,
  portMappings,
} from './support/compose';
import { metricCatalogue, queryProblems, readQuery } from './support/promql';
import { readText, root } from './support/repo';
import { SERVED } from './support/served-routes';

/**
 * Prometheus, its alert rules, the Grafana dashboard and the trace pipeline, checked against one
 * another, against the compose stack that runs them, and against the metrics Flint's code registers:
 * a query of a metric nobody exports, or a scrape of a port nobody listens on, fails here.
 */

const compose = loadCompose();
const catalogue = metricCatalogue();

/** The repository path a container path of a compose service comes from, through its bind mounts. */
function hostPath(service: ComposeService, containerPath: string): string | undefined {
  for (const mount of bindMounts(service)) {
    if (containerPath === mount.target || containerPath.startsWith(`${mount.target}/`)) {
      return posix.normalize(posix.join(mount.source, containerPath.slice(mount.target.length)));
    }
  }
  return undefined;
}

function commandArgument(service: ComposeService, flag: string): string | undefined {
  const command = Array.isArray(service.command) ? service.command : [];
  return command.find((arg) => arg.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  static_configs: { targets: string[]; labels?: Record<string, string> }[];
}

interface PrometheusConfig {
  global?: { scrape_interval?: string; evaluation_interval?: string };
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
}

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const prometheusService = compose.services.prometheus;
const prometheusConfigPath = hostPath(
  prometheusService,
  commandArgument(prometheusService, '--config.file') ?? '(no --config.file)',
);
const prometheusConfig = parse(readText(prometheusConfigPath ?? 'missing')) as PrometheusConfig;
const alertGroups = (
  parse(readText('deploy/prometheus/alerts.yml')) as {
    groups: { name: string; rules: AlertRule[] }[];
  }
).groups;
const alerts = alertGroups.flatMap((g) => g.rules);

describe('the Prometheus of the compose stack', () => {
  const jobs = Object.fromEntries(prometheusConfig.scrape_configs.map((c) => [c.job_name, c]));

  it('reads its configuration and alert rules from deploy/prometheus', () => {
    expect(prometheusConfigPath).toBe('deploy/prometheus/prometheus.yml');
    const ruleFiles = prometheusConfig.rule_files.map((file) => hostPath(prometheusService, file));
    expect(ruleFiles).toEqual(['deploy/prometheus/alerts.yml']);
  });

  it('scrapes every Flint service on its port and metrics path, labelled with its component', () => {
    const flint = jobs.flint;
    expect(flint.metrics_path ?? '/metrics').toBe(SERVED.metrics);
    const targets = flint.static_configs.flatMap((c) =>
      c.targets.map((target) => `${target} component=${c.labels?.component}`),
    );
    expect(targets.sort()).toEqual(
      flintServices(compose)
        .map(([name]) => `${name}:${SERVICES[name as ServiceName].port} component=${name}`)
        .sort(),
    );
  });

  it('scrapes the Kafka exporter of the stack', () => {
    const exporter = compose.services['kafka-exporter'];
    expect(exporter).toBeDefined();
    const port = healthcheckUrls(exporter)[0]?.port;
    expect(jobs['kafka-exporter'].static_configs.flatMap((c) => c.targets)).toEqual([
      `kafka-exporter:${port}`,
    ]);
  });
});

describe('the alert rules (deploy/prometheus/alerts.yml)', () => {
  const operations = readText('docs/operations.md');
  const headings = new Set(
    [...operations.matchAll(/^#{2,4}\s+(.+)$/gm)].map((m) =>
      m[1]
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, '')
        .replace(/ /g, '-'),
    ),
  );

  it('are well-formed rule groups with a severity, a summary and a runbook for each alert', () => {
    expect(new Set(alertGroups.map((g) => g.name)).size).toBe(alertGroups.length);
    expect(new Set(alerts.map((a) => a.alert)).size).toBe(alerts.length);
    for (const rule of alerts) {
      expect({ alert: rule.alert, keys: Object.keys(rule).sort() }).toEqual({
        alert: rule.alert,
        keys: ['alert', 'annotations', 'expr', ...(rule.for ? ['for'] : []), 'labels'].sort(),
      });
      expect(rule.alert).toMatch(/^Flint[A-Z][A-Za-z]+$/);
      if (rule.for) expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(['critical', 'warning', 'info']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toBeTruthy();
      expect(rule.annotations?.runbook).toBe(`docs/operations.md#${rule.alert.toLowerCase()}`);
    }
  });

  it.each(alerts.map((a) => [a.alert, a.expr]))(
    '%s parses and queries only metrics and labels that exist',
    (_alert, expr) => {
      expect(queryProblems(expr, catalogue)).toEqual([]);
    },
  );

  it.each(alerts.map((a) => [a.alert]))('%s has a section in docs/operations.md', (alert) => {
    expect(headings).toContain(alert.toLowerCase());
  });

  it('would catch a syntax error, an unknown metric and a label the metric does not have', () => {
    expect(queryProblems('sum(rate(triggers_runs_started_total[5m]) by', catalogue)).toEqual([
      expect.stringMatching(/^syntax error/),
    ]);
    expect(queryProblems('rate(triggers_runs_begun_total[5m])', catalogue)).toEqual([
      'unknown metric triggers_runs_begun_total',
    ]);
    expect(
      queryProblems('sum by (trigger) (triggers_events_filtered_total{outcome="x"})', catalogue),
    ).toEqual([
      'triggers_events_filtered_total has no label outcome',
      'no metric of the query has label trigger',
    ]);
  });

  it('select the scrape job that exists', () => {
    const jobs = alerts.flatMap((a) => [...a.expr.matchAll(/job="([^"]+)"/g)].map((m) => m[1]));
    const configured = prometheusConfig.scrape_configs.map((c) => c.job_name);
    for (const job of jobs) expect(configured).toContain(job);
  });
});

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: { expr: string; refId: string; datasource?: { uid: string } }[];
}

interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: string }[] };
}

/** Grafana's interval macros, replaced by a duration so the query is plain PromQL. */
function withoutMacros(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m');
}

describe('the Grafana dashboard (deploy/grafana/dashboards/flint.json)', () => {
  const dashboard = JSON.parse(readText('deploy/grafana/dashboards/flint.json')) as Dashboard;
  const panels = dashboard.panels.filter((p) => p.type !== 'row');
  const queries = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, ...t })));

  it('has unique panel ids and lays the panels out on the 24-column grid without overlap', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const { title, gridPos } of dashboard.panels) {
      expect({
        title,
        fits: gridPos.x >= 0 && gridPos.w > 0 && gridPos.x + gridPos.w <= 24,
      }).toEqual({
        title,
        fits: true,
      });
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(cells.has(`${x},${y}`) ? `${title} overlaps at ${x},${y}` : 'free').toBe('free');
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it('queries the Prometheus data source chosen by its own variable', () => {
    const variable = dashboard.templating.list.find((v) => v.type === 'datasource');
    expect(variable?.query).toBe('prometheus');
    for (const panel of panels) {
      expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({
        panel: panel.title,
        uid: `\${${variable?.name}}`,
      });
    }
  });

  it.each(queries.map((q) => [q.panel, q.refId, q.expr]))(
    '"%s" %s parses and queries only metrics and labels that exist',
    (_panel, _ref, expr) => {
      expect(queryProblems(withoutMacros(expr), catalogue)).toEqual([]);
    },
  );

  it('shows events, evaluations by result, runs, latency percentiles, dead letters and lag', () => {
    const shown = queries.map((q) => readQuery(withoutMacros(q.expr)));
    const metrics = new Set(shown.flatMap((r) => r.selectors.map((s) => s.metric)));
    for (const metric of [
      'triggers_events_received_total',
      'triggers_events_filtered_total',
      'triggers_runs_started_total',
      'triggers_latency_seconds_bucket',
      'kafka_consumergroup_lag',
      'kafka_topic_partition_current_offset',
    ]) {
      expect(metrics).toContain(metric);
    }
    const byResult = shown.some(
      (r) =>
        r.groupingLabels.includes('result') &&
        r.selectors.some((s) => s.metric === 'triggers_events_filtered_total'),
    );
    expect(byResult).toBe(true);
    const quantiles = queries
      .filter((q) => q.expr.includes('triggers_latency_seconds_bucket'))
      .map((q) => /histogram_quantile\(([\d.]+)/.exec(q.expr)?.[1]);
    expect(quantiles).toEqual(expect.arrayContaining(['0.5', '0.95', '0.99']));
    expect(queries.some((q) => q.expr.includes('topic="flint.dlq"'))).toBe(true);
  });

  it('is provisioned into the Grafana of the compose stack', () => {
    const grafana = compose.services.grafana;
    const provider = parse(readText('deploy/grafana/provisioning/dashboards/flint.yml')) as {
      providers: { options: { path: string } }[];
    };
    expect(hostPath(grafana, '/etc/grafana/provisioning')).toBe('deploy/grafana/provisioning');
    expect(hostPath(grafana, provider.providers[0].options.path)).toBe('deploy/grafana/dashboards');
    const home = environmentOf(grafana).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    expect(existsSync(join(root, hostPath(grafana, home) ?? 'missing'))).toBe(true);
  });

  it('finds Prometheus and Jaeger where the compose stack runs them', () => {
    const { datasources } = parse(
      readText('deploy/grafana/provisioning/datasources/flint.yml'),
    ) as {
      datasources: { type: string; url: string; isDefault?: boolean }[];
    };
    const byType = Object.fromEntries(datasources.map((d) => [d.type, new URL(d.url)]));
    expect(byType.prometheus.host).toBe(
      `prometheus:${healthcheckUrls(compose.services.prometheus)[0].port}`,
    );
    expect(byType.jaeger.hostname).toBe('jaeger');
    expect(portMappings(compose.services.jaeger).map((p) => String(p.target))).toContain(
      byType.jaeger.port,
    );
    expect(datasources.find((d) => d.isDefault)?.type).toBe('prometheus');
  });
});

interface CollectorConfig {
  extensions: Record<string, { endpoint?: string } | null>;
  receivers: { otlp: { protocols: Record<string, { endpoint: string }> } };
  processors: Record<string, unknown>;
  exporters: Record<string, { endpoint: string }>;
  service: {
    extensions: string[];
    pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>;
  };
}

describe('the OpenTelemetry collector of the compose stack (deploy/otel/collector.yml)', () => {
  const collector = compose.services['otel-collector'];
  const configPath = hostPath(collector, commandArgument(collector, '--config') ?? '(no --config)');
  const config = parse(readText(configPath ?? 'missing')) as CollectorConfig;

  it('is the configuration compose mounts', () => {
    expect(configPath).toBe('deploy/otel/collector.yml');
  });

  it('defines every component its pipelines and extensions use', () => {
    for (const pipeline of Object.values(config.service.pipelines)) {
      for (const name of pipeline.receivers) expect(Object.keys(config.receivers)).toContain(name);
      for (const name of pipeline.processors)
        expect(Object.keys(config.processors)).toContain(name);
      for (const name of pipeline.exporters) expect(Object.keys(config.exporters)).toContain(name);
    }
    for (const name of config.service.extensions)
      expect(Object.keys(config.extensions)).toContain(name);
    expect(Object.keys(config.service.pipelines)).toEqual(['traces']);
  });

  it('receives OTLP over HTTP where the services send it', () => {
    const port = config.receivers.otlp.protocols.http.endpoint.split(':').pop();
    for (const [name, service] of flintServices(compose)) {
      const endpoint = new URL(environmentOf(service).OTEL_EXPORTER_OTLP_ENDPOINT);
      expect({ name, endpoint: `${endpoint.hostname}:${endpoint.port}` }).toEqual({
        name,
        endpoint: `otel-collector:${port}`,
      });
    }
  });

  it('answers its health check where compose probes it', () => {
    const port = config.extensions.health_check?.endpoint?.split(':').pop();
    expect(healthcheckUrls(collector).map((u) => u.port)).toEqual([port]);
  });

  it('exports the traces to the Jaeger of the stack over OTLP', () => {
    const exporters = config.service.pipelines.traces.exporters.map(
      (name) => config.exporters[name],
    );
    expect(exporters.map((e) => e.endpoint)).toEqual(['jaeger:4317']);
    expect(compose.services.jaeger).toBeDefined();
  });
});

import { parser } from '@prometheus-io/lezer-promql';
import { createServiceRegistry } from '@flint/service-kit';
import { shippedSources } from './repo';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/**
 * Reading PromQL (alert rules, dashboard panels) with the Prometheus project's own grammar
 * (`@prometheus-io/lezer-promql`, the parser of Prometheus's query editor), and deciding whether the
 * metrics and labels a query names exist.
 */

export interface QueryReport {
  /** Positions and text of syntax errors; empty when the query parses. */
  syntaxErrors: string[];
  /** Each vector selector: its metric name and the labels it matches on. */
  selectors: { metric: string; labels: string[] }[];
  /** Labels named in `by (...)` and `without (...)` clauses. */
  groupingLabels: string[];
}

export function readQuery(query: string): QueryReport {
  const tree = parser.parse(query);
  const text = (node: SyntaxNode) => query.slice(node.from, node.to);
  const report: QueryReport = { syntaxErrors: [], selectors: [], groupingLabels: [] };
  tree.iterate({
    enter: (ref) => {
      if (ref.type.isError) {
        report.syntaxErrors.push(`at ${ref.from}: "${query.slice(ref.from, ref.from + 20)}"`);
      } else if (ref.name === 'VectorSelector') {
        const identifier = ref.node.getChild('Identifier');
        const matchers = ref.node.getChild('LabelMatchers');
        const labels = (matchers?.getChildren('UnquotedLabelMatcher') ?? []).map((m) =>
          text(m.getChild('LabelName') as SyntaxNode),
        );
        report.selectors.push({ metric: identifier ? text(identifier) : '', labels });
      } else if (ref.name === 'GroupingLabels') {
        report.groupingLabels.push(...ref.node.getChildren('LabelName').map(text));
      }
    },
  });
  return report;
}

/** Labels every scraped series carries: from Prometheus, from the scrape config, from the registry. */
const TARGET_LABELS = ['job', 'instance', 'component', 'service'];

/**
 * The metrics of the Kafka exporter (github.com/danielqsj/kafka_exporter, README "Metrics") that the
 * rules and the dashboard may use, with their labels. Not Flint's own: the exporter reads the broker.
 */
const KAFKA_EXPORTER_METRICS: Record<string, string[]> = {
  kafka_brokers: [],
  kafka_topic_partitions: ['topic'],
  kafka_topic_partition_current_offset: ['topic', 'partition'],
  kafka_topic_partition_oldest_offset: ['topic', 'partition'],
  kafka_consumergroup_current_offset: ['consumergroup', 'topic', 'partition'],
  kafka_consumergroup_current_offset_sum: ['consumergroup', 'topic'],
  kafka_consumergroup_lag: ['consumergroup', 'topic', 'partition'],
  kafka_consumergroup_lag_sum: ['consumergroup', 'topic'],
  kafka_consumergroup_members: ['consumergroup'],
};

/** Fixed by DESIGN.md ("Observability"), with their labels; other engineers add them to the code. */
const DESIGN_METRICS: Record<string, string[]> = {
  triggers_events_received_total: ['provider'],
  triggers_events_filtered_total: ['provider', 'result'],
  triggers_runs_started_total: ['provider'],
  triggers_latency_seconds: ['provider'],
};

/** Series Prometheus itself records for each target. */
const PROMETHEUS_METRICS: Record<string, string[]> = { up: [], scrape_duration_seconds: [] };

export interface MetricCatalogue {
  /** Metric → its labels, or `undefined` when its labels are not known here (any label passes). */
  labelsOf(metric: string): string[] | undefined;
  has(metric: string): boolean;
}

/**
 * The metrics a query may name: those Flint's code registers (its metric names as string literals, and
 * the process and Node.js metrics every service registry collects), the four that DESIGN.md fixes with
 * their labels (other engineers are adding them; the names do not move), the Kafka exporter's, and
 * Prometheus's own. Histograms add `_bucket` (with `le`), `_sum` and `_count`.
 */
export function metricCatalogue(): MetricCatalogue {
  const known = new Map<string, string[] | undefined>();
  for (const [metric, labels] of Object.entries({
    ...KAFKA_EXPORTER_METRICS,
    ...PROMETHEUS_METRICS,
  })) {
    known.set(metric, labels);
  }
  for (const metric of createServiceRegistry('catalogue').getMetricsAsArray()) {
    known.set(metric.name, undefined);
  }
  for (const source of shippedSources()) {
    for (const [, metric] of source.matchAll(/['"]((?:triggers|flint)_[a-z0-9_]+)['"]/g)) {
      if (!known.has(metric)) known.set(metric, undefined);
    }
  }
  for (const [metric, labels] of Object.entries(DESIGN_METRICS)) known.set(metric, labels);
  const base = (metric: string) => {
    const suffix = /_(bucket|sum|count)$/.exec(metric);
    return suffix && known.has(metric.slice(0, suffix.index))
      ? metric.slice(0, suffix.index)
      : metric;
  };
  return {
    has: (metric) => known.has(base(metric)),
    labelsOf: (metric) => {
      const labels = known.get(base(metric));
      if (labels === undefined) return undefined;
      return [...labels, ...TARGET_LABELS, ...(metric.endsWith('_bucket') ? ['le'] : [])];
    },
  };
}

/** What is wrong with a query: syntax, unknown metrics, labels its metrics do not have. */
export function queryProblems(query: string, catalogue: MetricCatalogue): string[] {
  const report = readQuery(query);
  const problems = report.syntaxErrors.map((e) => `syntax error ${e}`);
  for (const { metric, labels } of report.selectors) {
    if (!metric) {
      problems.push('a selector without a metric name');
    } else if (!catalogue.has(metric)) {
      problems.push(`unknown metric ${metric}`);
    } else {
      const known = catalogue.labelsOf(metric);
      for (const label of labels) {
        if (known && !known.includes(label)) problems.push(`${metric} has no label ${label}`);
      }
    }
  }
  const allLabels = report.selectors.map((s) => catalogue.labelsOf(s.metric));
  if (allLabels.every((labels) => labels !== undefined)) {
    const available = new Set(allLabels.flat());
    for (const label of report.groupingLabels) {
      if (!available.has(label as string))
        problems.push(`no metric of the query has label ${label}`);
    }
  }
  return problems;
}

/**
 * What a dashboard's PromQL asks of a scrape: each query parsed with Prometheus's own grammar
 * (`@prometheus-io/lezer-promql`, the parser of the Prometheus UI), its series and the labels it
 * matches or groups by. Grafana's variables are replaced first, as Grafana would.
 */
import { createRequire } from 'node:module';

// An ES module package with a CommonJS build: its types are read as the ES module's.
type LezerPromql = typeof import('@prometheus-io/lezer-promql', { with: { 'resolution-mode': 'import' } });
const { parser } = createRequire(__filename)('@prometheus-io/lezer-promql') as LezerPromql;

export interface QueryNeeds {
  /** Where the parser found no valid PromQL (empty when it parses). */
  syntaxErrors: string[];
  /** The series the query selects. */
  series: string[];
  /** Label names it matches on or groups by (`le` of histograms aside). */
  labels: string[];
}

const GRAFANA_VARIABLES: Record<string, string> = { $__rate_interval: '1m', $__interval: '1m', $__range: '1h' };

/** `expr` with Grafana's interval variables as durations and any other `$variable` as `.*`. */
export function withGrafanaVariables(expr: string): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (match, name: string) => GRAFANA_VARIABLES[`$${name}`] ?? '.*');
}

export function queryNeeds(expr: string): QueryNeeds {
  const syntaxErrors: string[] = [];
  const series = new Set<string>();
  const labels = new Set<string>();
  parser.parse(expr).iterate({
    enter(node) {
      const text = expr.slice(node.from, node.to);
      if (node.type.isError) syntaxErrors.push(`at ${node.from}: "${expr.slice(node.from, node.from + 20)}"`);
      else if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') series.add(text);
      else if (node.name === 'LabelName' && text !== 'le') labels.add(text);
    },
  });
  return { syntaxErrors, series: [...series], labels: [...labels] };
}

/** The label names each series of a Prometheus text page carries (the union over its samples). */
export function labelsBySeries(page: string): Map<string, Set<string>> {
  const bySeries = new Map<string, Set<string>>();
  for (const line of page.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? \S+$/.exec(line);
    if (!match) continue;
    const names = bySeries.get(match[1]!) ?? new Set<string>();
    for (const label of (match[2] ?? '').matchAll(/([a-zA-Z_]\w*)="/g)) names.add(label[1]!);
    bySeries.set(match[1]!, names);
  }
  return bySeries;
}

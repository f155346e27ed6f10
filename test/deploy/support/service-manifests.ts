import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_NAMES, SERVICES, type ServiceName, serviceFolder } from '@flint/contracts';
import { environmentOf, loadCompose, portMappings } from './compose';
import { type PodDisruptionBudget, type Workload, ofKind, render, selects } from './k8s-objects';
import { ENTRYPOINT, readText, readYaml, root } from './repo';

interface NestCli {
  projects: Record<string, { type: string; root: string; sourceRoot: string }>;
}

interface PrometheusConfig {
  scrape_configs: {
    job_name: string;
    static_configs?: { targets: string[]; labels?: Record<string, string> }[];
  }[];
}

/**
 * What each service in the registry (`SERVICES`, libs/contracts) lacks to be built and deployed: its
 * code where the registry puts it, its Nest CLI project, its Kubernetes Deployment, Service and
 * PodDisruptionBudget, its compose service, its Prometheus scrape target, its name in the image's
 * entry script and its port in the image. Empty when every registered service has all of them.
 */
export function missingServiceManifests(): string[] {
  const base = render('base');
  const compose = loadCompose();
  const nest = JSON.parse(readText('nest-cli.json')) as NestCli;
  const prometheus = readYaml<PrometheusConfig>('deploy/prometheus/prometheus.yml');
  const scraped = prometheus.scrape_configs
    .filter((job) => job.job_name === 'flint')
    .flatMap((job) => job.static_configs ?? [])
    .flatMap((config) => config.targets.map((target) => `${target} ${config.labels?.component}`));
  const entrypoint = readText(ENTRYPOINT);
  const exposed = [...readText('Dockerfile').matchAll(/^EXPOSE (.*)$/gm)].flatMap((m) =>
    m[1].split(/\s+/).map(Number),
  );

  const problems: string[] = [];
  for (const name of SERVICE_NAMES) {
    const { port, role } = SERVICES[name as ServiceName] as { port: number; role: string };
    const lacks = (what: string) => problems.push(`${name}: ${what}`);
    const folder = serviceFolder(name);
    if (!existsSync(join(root, folder, 'src', 'main.ts'))) lacks(`no ${folder}/src/main.ts`);
    if (nest.projects[name]?.root !== folder) {
      lacks(`no application project "${name}" with root ${folder} in nest-cli.json`);
    }
    const labels = { 'app.kubernetes.io/name': 'flint', 'app.kubernetes.io/component': name };
    const deployment = ofKind<Workload>(base, 'Deployment').find(
      (d) => d.metadata.name === `flint-${name}`,
    );
    if (!deployment) lacks(`no Deployment flint-${name} in deploy/k8s/base/${name}.yaml`);
    else {
      const container = deployment.spec.template.spec.containers[0];
      if (!container.ports?.some((p) => p.containerPort === port)) {
        lacks(`Deployment flint-${name} does not listen on port ${port}`);
      }
    }
    if (!base.some((m) => m.kind === 'Service' && m.metadata.name === `flint-${name}`)) {
      lacks(`no Service flint-${name} in deploy/k8s/base/${name}.yaml`);
    }
    const budgets = ofKind<PodDisruptionBudget>(base, 'PodDisruptionBudget').filter((b) =>
      selects(b.spec.selector.matchLabels, labels),
    );
    if (budgets.length === 0) lacks(`no PodDisruptionBudget in deploy/k8s/base/${name}.yaml`);
    const composed = Object.values(compose.services).find(
      (s) => environmentOf(s).FLINT_SERVICE === name,
    );
    if (!composed) lacks('no service in docker-compose.yml');
    else if (!portMappings(composed).some((p) => p.target === port)) {
      lacks(`its docker-compose.yml service does not publish port ${port}`);
    }
    if (!scraped.includes(`${name}:${port} ${name}`)) {
      lacks(
        `no scrape target ${name}:${port} (component ${name}) in deploy/prometheus/prometheus.yml`,
      );
    }
    const list = role === 'provider' ? 'providers' : 'services';
    if (!new RegExp(`^${list}="([^"]* )?${name}( [^"]*)?"$`, 'm').test(entrypoint)) {
      lacks(`not in the ${list} of ${ENTRYPOINT}`);
    }
    if (!exposed.includes(port)) lacks(`port ${port} not in the Dockerfile's EXPOSE`);
  }
  return problems;
}

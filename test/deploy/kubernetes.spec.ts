import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SERVICES, type ServiceName, serviceFolder } from '@flint/contracts';
import { parse } from 'yaml';
import { serviceConfigFromEnv } from '@flint/service-kit';
import {
  type ConfigMap,
  type Container,
  type HorizontalPodAutoscaler,
  type Ingress,
  K8S_DIR,
  OVERLAYS,
  type PodDisruptionBudget,
  type PrometheusRule,
  type Secret,
  type ServiceMonitor,
  type ServiceObject,
  type Workload,
  named,
  ofKind,
  render,
  selects,
  workloads,
} from './support/k8s-objects';
import { kustomizationDirs, type Manifest, manifestId, readManifests } from './support/kustomize';
import { schemaProblems, unknownFieldProblems } from './support/kubernetes-schemas';
import {
  PROVISION_JOB,
  documentedVariables,
  readText,
  readYaml,
  root,
  serviceApps,
  unreadVariables,
} from './support/repo';
import { SERVED } from './support/served-routes';

/**
 * No cluster runs where the tests run, so the manifests are checked by reading them: every object, as
 * written and as each overlay renders it, against the Kubernetes API schemas; and everything against
 * the code it deploys — apps, ports, probe paths, variables, image user — so that moving any of those
 * breaks this test instead of a rollout.
 */

const kustomizations = kustomizationDirs(join(root, K8S_DIR)).map((d) =>
  relative(join(root, K8S_DIR), d),
);
const rendered = Object.fromEntries(kustomizations.map((k) => [k, render(k)]));
const apps = serviceApps();

function container(workload: Workload): Container {
  expect(workload.spec.template.spec.containers).toHaveLength(1);
  return workload.spec.template.spec.containers[0];
}

function envValue(c: Container, name: string): string | undefined {
  return c.env?.find((e) => e.name === name)?.value;
}

/** The user the image runs as (`USER uid:gid` in the Dockerfile's last stage). */
function imageUser(): number {
  const users = [...readText('Dockerfile').matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
  const user = users[users.length - 1] ?? 'root';
  expect(user).toMatch(/^\d+(:\d+)?$/);
  return Number(user.split(':')[0]);
}

/** Milliseconds of `sleep N` (or a sleep action) the preStop hook waits. */
function preStopMs(c: Container): number {
  const preStop = c.lifecycle?.preStop;
  if (preStop?.sleep) return preStop.sleep.seconds * 1000;
  const command = preStop?.exec?.command ?? [];
  return command[0] === 'sleep' ? Number(command[1]) * 1000 : 0;
}

function configMapData(manifests: Manifest[], c: Container): Record<string, string> {
  return Object.assign(
    {},
    ...(c.envFrom ?? [])
      .filter((source) => source.configMapRef)
      .map((source) => named<ConfigMap>(manifests, 'ConfigMap', source.configMapRef!.name).data),
  );
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

describe('deploy/k8s against the Kubernetes API schemas', () => {
  it.each(kustomizations)('%s: every object is valid for its kind', (kustomization) => {
    const problems = rendered[kustomization].flatMap((m) =>
      schemaProblems(m).map((p) => `${manifestId(m)}: ${p}`),
    );
    expect(problems).toEqual([]);
  });

  it('names no field the Kubernetes API does not know, in any kustomization', () => {
    const objects = kustomizations.flatMap((k) =>
      rendered[k].map((manifest) => ({ label: `${k}: ${manifestId(manifest)}`, manifest })),
    );
    expect(unknownFieldProblems(objects)).toEqual([]);
  });

  it('would catch a wrong type, a missing field and a misspelt field', () => {
    const deployment = structuredClone(named<Workload>(rendered.base, 'Deployment', 'flint-api'));
    const broken = deployment as unknown as {
      spec: { replicas: unknown; selector?: unknown; template: { spec: { containers: object[] } } };
    };
    broken.spec.replicas = 'two';
    delete broken.spec.selector;
    Object.assign(broken.spec.template.spec.containers[0], { readinesProbe: {} });
    const schema = schemaProblems(deployment).join('\n');
    expect(schema).toContain('/spec/replicas must be integer');
    expect(schema).toContain('/spec must have required property selector');
    const fields = unknownFieldProblems([{ label: 'broken', manifest: deployment }]).join('\n');
    expect(fields).toContain('\'"readinesProbe"\' does not exist in type');
  });

  it('is described by docs/operations.md with paths that exist', () => {
    const paths = [...readText('docs/operations.md').matchAll(/\bdeploy\/[\w./-]*[\w/]/g)].map(
      (m) => m[0],
    );
    expect(paths).toContain('deploy/k8s/overlays/prod');
    expect(paths.filter((path) => !existsSync(join(root, path)))).toEqual([]);
  });

  it('parses every YAML file under deploy/k8s, and every one is used by a kustomization', () => {
    const used = new Set<string>();
    for (const k of kustomizations) {
      const dir = join(root, K8S_DIR, k);
      const file = readYaml<{ resources?: string[] }>(`${K8S_DIR}/${k}/kustomization.yaml`);
      used.add(join(dir, 'kustomization.yaml'));
      for (const resource of file.resources ?? []) used.add(join(dir, resource));
    }
    const files = yamlFiles(join(root, K8S_DIR));
    for (const file of files.filter((f) => !f.endsWith('kustomization.yaml'))) {
      expect(readManifests(file).length).toBeGreaterThan(0);
    }
    expect(files.filter((f) => !used.has(f)).map((f) => relative(root, f))).toEqual([]);
  });
});

describe.each(OVERLAYS)('deploy/k8s/%s', (overlay) => {
  const manifests = rendered[overlay];
  const deployments = ofKind<Workload>(manifests, 'Deployment');
  const services = ofKind<ServiceObject>(manifests, 'Service');
  const deploymentOf = (app: string) => named<Workload>(manifests, 'Deployment', `flint-${app}`);

  it('has a Deployment and a Service for every service in apps/, and nothing else', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(apps.map((a) => `flint-${a}`));
    expect(services.map((s) => s.metadata.name).sort()).toEqual(apps.map((a) => `flint-${a}`));
  });

  it.each(apps)('runs %s by FLINT_SERVICE, on its default port, named http', (app) => {
    const c = container(deploymentOf(app));
    expect(envValue(c, 'FLINT_SERVICE')).toBe(app);
    expect(c.ports).toEqual([
      { name: 'http', containerPort: SERVICES[app as ServiceName].port, protocol: 'TCP' },
    ]);
  });

  it.each(apps)('probes %s where the service kit answers', (app) => {
    const c = container(deploymentOf(app));
    const probes = {
      readiness: c.readinessProbe?.httpGet,
      liveness: c.livenessProbe?.httpGet,
      startup: c.startupProbe?.httpGet,
    };
    expect(probes).toEqual({
      readiness: { path: SERVED.readiness, port: 'http' },
      liveness: { path: SERVED.liveness, port: 'http' },
      startup: { path: SERVED.liveness, port: 'http' },
    });
  });

  it('runs every container with a restricted security context, as the image user', () => {
    const uid = imageUser();
    for (const workload of workloads(manifests)) {
      const pod = workload.spec.template.spec;
      expect({ name: workload.metadata.name, pod: pod.securityContext }).toMatchObject({
        name: workload.metadata.name,
        pod: { runAsNonRoot: true, runAsUser: uid, seccompProfile: { type: 'RuntimeDefault' } },
      });
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        expect({ container: c.name, securityContext: c.securityContext }).toEqual({
          container: c.name,
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
        });
      }
    }
  });

  it('gives a read-only container writable emptyDir volumes for /tmp and its data folder', () => {
    for (const workload of workloads(manifests)) {
      const pod = workload.spec.template.spec;
      const c = container(workload);
      const mounts = (c.volumeMounts ?? []).map((m) => {
        const volume = pod.volumes?.find((v) => v.name === m.name);
        return { path: m.mountPath, emptyDir: volume?.emptyDir !== undefined };
      });
      expect(mounts).toContainEqual({ path: '/tmp', emptyDir: true });
      if (workload.kind === 'Deployment') {
        const dataDir = configMapData(manifests, c).FLINT_DATA_DIR;
        expect(dataDir).toBeDefined();
        expect(mounts.some((m) => m.emptyDir && dataDir.startsWith(`${m.path}/`))).toBe(true);
      }
    }
  });

  it('gives every pod longer to terminate than the preStop pause plus the drain timeout', () => {
    for (const deployment of deployments) {
      const c = container(deployment);
      const timeout =
        Number(configMapData(manifests, c).FLINT_SHUTDOWN_TIMEOUT_MS) ||
        serviceConfigFromEnv('api', {}).shutdownTimeoutMs;
      const graceMs = (deployment.spec.template.spec.terminationGracePeriodSeconds ?? 30) * 1000;
      expect({ name: deployment.metadata.name, enough: graceMs > preStopMs(c) + timeout }).toEqual({
        name: deployment.metadata.name,
        enough: true,
      });
    }
  });

  it('requests CPU and memory and limits memory for every container', () => {
    for (const workload of workloads(manifests)) {
      const { requests = {}, limits = {} } = container(workload).resources ?? {};
      expect({ name: workload.metadata.name, requests: Object.keys(requests).sort() }).toEqual({
        name: workload.metadata.name,
        requests: ['cpu', 'memory'],
      });
      expect(limits.memory).toBeDefined();
    }
  });

  it('runs the services and the provision job from one image, set by the overlay', () => {
    const images = new Set(workloads(manifests).map((w) => container(w).image));
    expect(images.size).toBe(1);
    expect([...images][0]).toMatch(/^\S+:\S+$/);
  });

  it.each(apps)('lets Prometheus scrape %s through its pod annotations', (app) => {
    const template = deploymentOf(app).spec.template;
    expect(template.metadata?.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(SERVICES[app as ServiceName].port),
      'prometheus.io/path': SERVED.metrics,
    });
  });

  it.each(apps)('routes the Service of %s to its pods and only to them', (app) => {
    const service = named<ServiceObject>(manifests, 'Service', `flint-${app}`);
    const selected = deployments.filter((d) =>
      selects(service.spec.selector, d.spec.template.metadata?.labels),
    );
    expect(selected.map((d) => d.metadata.name)).toEqual([`flint-${app}`]);
    expect(service.spec.ports).toEqual([
      {
        name: 'http',
        port: SERVICES[app as ServiceName].port,
        targetPort: 'http',
        protocol: 'TCP',
      },
    ]);
    const deployment = deploymentOf(app);
    expect(
      selects(deployment.spec.selector!.matchLabels, deployment.spec.template.metadata?.labels),
    ).toBe(true);
  });

  it('guards every Deployment with a PodDisruptionBudget', () => {
    const budgets = ofKind<PodDisruptionBudget>(manifests, 'PodDisruptionBudget');
    for (const deployment of deployments) {
      const guarding = budgets.filter((b) =>
        selects(b.spec.selector.matchLabels, deployment.spec.template.metadata?.labels),
      );
      expect({ name: deployment.metadata.name, budgets: guarding.length }).toEqual({
        name: deployment.metadata.name,
        budgets: 1,
      });
    }
  });

  it('autoscales evaluator and runner, no further than the partitions of their topics', () => {
    const autoscalers = ofKind<HorizontalPodAutoscaler>(manifests, 'HorizontalPodAutoscaler');
    expect(autoscalers.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual([
      'flint-evaluator',
      'flint-runner',
    ]);
    for (const hpa of autoscalers) {
      const target = named<Workload>(manifests, 'Deployment', hpa.spec.scaleTargetRef.name);
      const partitions = Number(configMapData(manifests, container(target)).KAFKA_TOPIC_PARTITIONS);
      expect(hpa.spec.scaleTargetRef.kind).toBe('Deployment');
      // A replicas field would fight the autoscaler on every `kubectl apply`.
      expect(target.spec.replicas).toBeUndefined();
      expect(hpa.spec.minReplicas ?? 1).toBeLessThanOrEqual(hpa.spec.maxReplicas);
      expect(hpa.spec.maxReplicas).toBeLessThanOrEqual(partitions);
      expect(container(target).resources?.requests?.cpu).toBeDefined();
    }
  });

  it('runs the provision job with the configuration and database of the services', () => {
    const jobs = ofKind<Workload>(manifests, 'Job');
    expect(jobs.map((j) => j.metadata.name)).toEqual(['flint-provision']);
    const job = container(jobs[0]);
    expect(envValue(job, 'FLINT_SERVICE')).toBe(PROVISION_JOB);
    expect(['OnFailure', 'Never']).toContain(jobs[0].spec.template.spec.restartPolicy);
    const api = container(deploymentOf('api'));
    expect(job.envFrom).toEqual(api.envFrom);
    expect(job.env?.find((e) => e.name === 'DATABASE_URL')).toEqual(
      api.env?.find((e) => e.name === 'DATABASE_URL'),
    );
  });

  it('refers only to ConfigMaps that exist, and to Secret keys that exist or that the docs say to create', () => {
    const operations = readText('docs/operations.md');
    for (const workload of workloads(manifests)) {
      const c = container(workload);
      for (const source of c.envFrom ?? []) {
        if (source.configMapRef) {
          expect(() => named(manifests, 'ConfigMap', source.configMapRef!.name)).not.toThrow();
        } else {
          // Secrets whose keys are not known in advance (FLINT_SECRET_<NAME>): optional, documented.
          expect(source.secretRef?.optional).toBe(true);
          expect(operations).toContain(source.secretRef!.name);
        }
      }
      for (const volume of workload.spec.template.spec.volumes ?? []) {
        const secret = volume.secret as { secretName: string; optional?: boolean } | undefined;
        if (secret) {
          expect(secret.optional).toBe(true);
          expect(operations).toContain(secret.secretName);
        }
      }
      for (const variable of c.env ?? []) {
        const ref = variable.valueFrom?.secretKeyRef;
        if (!ref) continue;
        const secret = manifests.find(
          (m) => m.kind === 'Secret' && m.metadata.name === ref.name,
        ) as Secret | undefined;
        if (secret) {
          const keys = Object.keys({ ...secret.data, ...secret.stringData });
          expect({ secret: ref.name, key: ref.key, present: keys.includes(ref.key) }).toEqual({
            secret: ref.name,
            key: ref.key,
            present: true,
          });
        } else {
          expect(operations).toContain(ref.name);
          expect(operations).toContain(ref.key);
        }
      }
    }
  });

  it('sets only environment variables that the code reads and docs/configuration.md documents', () => {
    const variables = new Set<string>();
    for (const workload of workloads(manifests)) {
      const c = container(workload);
      for (const variable of c.env ?? []) variables.add(variable.name);
      for (const key of Object.keys(configMapData(manifests, c))) variables.add(key);
    }
    const documented = documentedVariables();
    expect(unreadVariables([...variables])).toEqual([]);
    expect([...variables].filter((v) => !documented.has(v))).toEqual([]);
  });

  it('routes /hooks to the webhook service and /api to the api service, on paths they serve', () => {
    const ingresses = ofKind<Ingress>(manifests, 'Ingress');
    const routes = ingresses.flatMap((i) =>
      i.spec.rules.flatMap((rule) =>
        rule.http.paths.map((p) => ({ path: p.path, service: p.backend.service })),
      ),
    );
    expect(routes.map((r) => `${r.path} → ${r.service.name}`).sort()).toEqual([
      '/api → flint-api',
      '/hooks → flint-webhook',
    ]);
    for (const route of routes) {
      const service = named<ServiceObject>(manifests, 'Service', route.service.name);
      expect(service.spec.ports.map((p) => p.name)).toContain(route.service.port.name);
      const app = route.service.name.replace(/^flint-/, '');
      const source = appSource(app);
      const prefix = route.path.replace(/^\//, '');
      expect({ app, serves: new RegExp(`['"\`]/?${prefix}[/'"\`*]`).test(source) }).toEqual({
        app,
        serves: true,
      });
    }
  });

  it('puts every object in the overlay namespace', () => {
    const namespaces = new Set(manifests.map((m) => m.metadata.namespace));
    expect(namespaces.size).toBe(1);
    expect([...namespaces][0]).toMatch(/^[a-z0-9-]+$/);
  });
});

function appSource(app: string): string {
  const dir = join(root, serviceFolder(app as ServiceName), 'src');
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((name) => {
      const path = join(d, name);
      if (statSync(path).isDirectory()) return walk(path);
      return /\.ts$/.test(name) && !/\.(spec|test)\.ts$/.test(name) ? [relative(root, path)] : [];
    });
  return walk(dir)
    .map((path) => readText(path))
    .join('\n');
}

describe('deploy/k8s/overlays/prod', () => {
  const manifests = rendered['overlays/prod'];

  it('runs the image of this version of Flint', () => {
    const version = (JSON.parse(readText('package.json')) as { version: string }).version;
    for (const workload of workloads(manifests)) {
      expect(container(workload).image.split(':').pop()).toBe(version);
    }
  });

  it('keeps two pods of every service, so a node or a rollout never takes one away', () => {
    const autoscalers = ofKind<HorizontalPodAutoscaler>(manifests, 'HorizontalPodAutoscaler');
    for (const deployment of ofKind<Workload>(manifests, 'Deployment')) {
      const hpa = autoscalers.find((h) => h.spec.scaleTargetRef.name === deployment.metadata.name);
      const least = hpa ? (hpa.spec.minReplicas ?? 1) : (deployment.spec.replicas ?? 1);
      expect({ name: deployment.metadata.name, least }).toEqual({
        name: deployment.metadata.name,
        least: 2,
      });
    }
  });

  it('replicates topics three times and serves the ingress over TLS', () => {
    const config = named<ConfigMap>(manifests, 'ConfigMap', 'flint-config');
    expect(Number(config.data?.KAFKA_REPLICATION_FACTOR)).toBeGreaterThanOrEqual(3);
    const ingress = named<Ingress>(manifests, 'Ingress', 'flint');
    const hosts = ingress.spec.rules.map((r) => r.host);
    expect(ingress.spec.tls?.flatMap((t) => t.hosts)).toEqual(hosts);
  });

  it('includes the ServiceMonitor and the alert rules', () => {
    expect(
      manifests
        .filter((m) => m.apiVersion.startsWith('monitoring.coreos.com/'))
        .map(manifestId)
        .sort(),
    ).toEqual(['PrometheusRule flint/flint', 'ServiceMonitor flint/flint']);
  });
});

describe('deploy/k8s/monitoring', () => {
  const monitoring = rendered.monitoring;
  const services = ofKind<ServiceObject>(rendered['overlays/prod'], 'Service');

  it('scrapes /metrics on the http port of every Flint Service, as job "flint" with a component label', () => {
    const monitor = named<ServiceMonitor>(monitoring, 'ServiceMonitor', 'flint');
    const scraped = services.filter((s) =>
      selects(monitor.spec.selector.matchLabels, s.metadata.labels),
    );
    expect(scraped.map((s) => s.metadata.name).sort()).toEqual(apps.map((a) => `flint-${a}`));
    expect(monitor.spec.endpoints).toHaveLength(1);
    const [endpoint] = monitor.spec.endpoints;
    expect(endpoint.path).toBe(SERVED.metrics);
    for (const service of scraped) {
      expect(service.spec.ports.map((p) => p.name)).toContain(endpoint.port);
      // The alert rules and the dashboard select `job="flint"` and group by `component`.
      expect(service.metadata.labels?.[monitor.spec.jobLabel ?? '']).toBe('flint');
      const relabel = endpoint.relabelings?.find((r) => r.targetLabel === 'component');
      const label = relabel?.sourceLabels?.[0]?.replace('__meta_kubernetes_service_label_', '');
      const componentLabel = Object.keys(service.metadata.labels ?? {}).find(
        (key) => key.replace(/[^a-zA-Z0-9_]/g, '_') === label,
      );
      expect(service.metadata.labels?.[componentLabel ?? '']).toBe(
        service.metadata.name.replace(/^flint-/, ''),
      );
    }
  });

  it('carries exactly the alert rules of deploy/prometheus/alerts.yml', () => {
    const rule = named<PrometheusRule>(monitoring, 'PrometheusRule', 'flint');
    const alerts = parse(readText('deploy/prometheus/alerts.yml')) as { groups: unknown[] };
    expect(rule.spec.groups).toEqual(alerts.groups);
  });
});

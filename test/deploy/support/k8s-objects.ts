import { join } from 'node:path';
import { type Manifest, renderKustomization } from './kustomize';
import { root } from './repo';

/** The shapes of the Kubernetes objects the specs read, as far as they read them. */

export interface HttpProbe {
  httpGet?: { path: string; port: string | number };
  periodSeconds?: number;
  failureThreshold?: number;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

export interface Container {
  name: string;
  image: string;
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string; optional?: boolean } }[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: HttpProbe;
  livenessProbe?: HttpProbe;
  startupProbe?: HttpProbe;
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    privileged?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string }[];
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  restartPolicy?: string;
  terminationGracePeriodSeconds?: number;
  automountServiceAccountToken?: boolean;
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    seccompProfile?: { type: string };
  };
  volumes?: { name: string; emptyDir?: object; [source: string]: unknown }[];
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

export interface Workload extends Manifest {
  spec: {
    replicas?: number;
    selector?: { matchLabels: Record<string, string> };
    template: PodTemplate;
  };
}

export interface ServiceObject extends Manifest {
  metadata: Manifest['metadata'] & { labels?: Record<string, string> };
  spec: {
    selector: Record<string, string>;
    ports: { name?: string; port: number; targetPort?: string | number }[];
  };
}

export interface HorizontalPodAutoscaler extends Manifest {
  spec: {
    scaleTargetRef: { kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
  };
}

export interface PodDisruptionBudget extends Manifest {
  spec: { selector: { matchLabels: Record<string, string> } };
}

export interface Ingress extends Manifest {
  spec: {
    tls?: { hosts?: string[]; secretName?: string }[];
    rules: {
      host?: string;
      http: {
        paths: {
          path: string;
          backend: { service: { name: string; port: { name?: string; number?: number } } };
        }[];
      };
    }[];
  };
}

export interface ConfigMap extends Manifest {
  data?: Record<string, string>;
}

export interface Secret extends Manifest {
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface ServiceMonitor extends Manifest {
  spec: {
    jobLabel?: string;
    selector: { matchLabels: Record<string, string> };
    endpoints: {
      port: string;
      path?: string;
      relabelings?: { sourceLabels?: string[]; targetLabel?: string }[];
    }[];
  };
}

export interface PrometheusRule extends Manifest {
  spec: { groups: unknown[] };
}

export const K8S_DIR = 'deploy/k8s';
export const OVERLAYS = ['overlays/dev', 'overlays/prod'] as const;

/** A kustomization under deploy/k8s, rendered. */
export function render(kustomization: string): Manifest[] {
  return renderKustomization(join(root, K8S_DIR, kustomization));
}

export function ofKind<T extends Manifest>(manifests: Manifest[], kind: string): T[] {
  return manifests.filter((m) => m.kind === kind) as T[];
}

export function named<T extends Manifest>(manifests: Manifest[], kind: string, name: string): T {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found as T;
}

/** Deployments and Jobs: everything that runs Flint's image. */
export function workloads(manifests: Manifest[]): Workload[] {
  return manifests.filter((m) => m.kind === 'Deployment' || m.kind === 'Job') as Workload[];
}

export function selects(selector: Record<string, string>, labels: Record<string, string> = {}) {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

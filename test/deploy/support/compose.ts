import { SERVICE_NAMES } from '@flint/contracts';
import { PROVISION_JOB, readYaml } from './repo';

export interface ComposeService {
  build?: string | { context: string; dockerfile?: string; args?: Record<string, string> };
  image?: string;
  command?: string | string[];
  restart?: string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number; published?: string | number })[];
  depends_on?: string[] | Record<string, { condition: string }>;
  healthcheck?: { test?: string | string[] };
  volumes?: (string | { type: string; source?: string; target: string })[];
}

export interface ComposeFile {
  version?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export function loadCompose(): ComposeFile {
  return readYaml<ComposeFile>('docker-compose.yml');
}

export function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** `"8080:8080"`, `"127.0.0.1:8080:8080/tcp"` or the long form → published and container port. */
export function portMappings(service: ComposeService): { published: number; target: number }[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return { published: Number(port.published), target: port.target };
    const parts = String(port)
      .replace(/\/\w+$/, '')
      .split(':');
    const target = Number(parts[parts.length - 1]);
    const published = parts.length > 1 ? Number(parts[parts.length - 2]) : Number.NaN;
    return { published, target };
  });
}

/** The URLs a healthcheck command fetches on the container itself. */
export function healthcheckUrls(service: ComposeService): URL[] {
  const test = service.healthcheck?.test;
  const command = Array.isArray(test) ? test.join(' ') : (test ?? '');
  return [...command.matchAll(/https?:\/\/127\.0\.0\.1:\d+[^\s'")]*/g)].map((m) => new URL(m[0]));
}

/** `./deploy/prometheus:/etc/prometheus:ro` → host path and container path of a bind mount. */
export function bindMounts(service: ComposeService): { source: string; target: string }[] {
  return (service.volumes ?? []).flatMap((volume) => {
    if (typeof volume === 'object') {
      return volume.type === 'bind' && volume.source
        ? [{ source: volume.source, target: volume.target }]
        : [];
    }
    const [source, target] = volume.split(':');
    return source.startsWith('.') || source.startsWith('/') ? [{ source, target }] : [];
  });
}

export function dependenciesOf(service: ComposeService): Record<string, string> {
  const dependsOn = service.depends_on ?? {};
  if (Array.isArray(dependsOn)) {
    return Object.fromEntries(dependsOn.map((name) => [name, 'service_started']));
  }
  return Object.fromEntries(Object.entries(dependsOn).map(([name, d]) => [name, d.condition]));
}

/** Flint's long-running services: the compose services that run one of the seven apps. */
export function flintServices(compose: ComposeFile): [string, ComposeService][] {
  return Object.entries(compose.services).filter(([, s]) =>
    (SERVICE_NAMES as string[]).includes(environmentOf(s).FLINT_SERVICE ?? ''),
  );
}

/** The compose services that run the provisioning job. */
export function provisionJobs(compose: ComposeFile): [string, ComposeService][] {
  return Object.entries(compose.services).filter(
    ([, s]) => environmentOf(s).FLINT_SERVICE === PROVISION_JOB,
  );
}

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/**
 * The part of kustomize that deploy/k8s uses, so the overlays can be rendered and validated where no
 * kustomize binary is installed: `resources` (files and kustomization folders), `namespace`, `images`,
 * `replicas`, and `patches` given inline as JSON 6902 operations with a `target` selector. Anything else
 * in a kustomization is refused by name rather than silently ignored, so the renderer can never quietly
 * disagree with kustomize; where `kubectl` is installed a test compares the two outputs.
 */

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

interface PatchTarget {
  kind?: string;
  name?: string;
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  namespace?: string;
  images?: { name: string; newName?: string; newTag?: string }[];
  replicas?: { name: string; count: number }[];
  patches?: { target?: PatchTarget; patch?: string; path?: string }[];
}

type JsonPatchOperation =
  { op: 'add' | 'replace' | 'test'; path: string; value: unknown } | { op: 'remove'; path: string };

export class KustomizeError extends Error {
  override readonly name = 'KustomizeError';
}

const SUPPORTED_FIELDS = new Set([
  'apiVersion',
  'kind',
  'resources',
  'namespace',
  'images',
  'replicas',
  'patches',
]);

/** Kinds that live outside any namespace; the namespace transformer leaves them alone. */
const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
]);

const WORKLOAD_KINDS_WITH_REPLICAS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet']);

/** Renders the kustomization in `dir` as `kubectl kustomize dir` would. */
export function renderKustomization(dir: string): Manifest[] {
  const file = kustomizationFile(dir);
  const kustomization = readKustomization(file);
  const where = (detail: string) => `${relative(process.cwd(), file)}: ${detail}`;

  const manifests: Manifest[] = [];
  for (const entry of kustomization.resources ?? []) {
    const path = resolve(dir, entry);
    if (!existsSync(path)) throw new KustomizeError(where(`resource ${entry} does not exist`));
    const loaded = statSync(path).isDirectory() ? renderKustomization(path) : readManifests(path);
    for (const manifest of loaded) {
      const duplicate = manifests.find((m) => manifestId(m) === manifestId(manifest));
      if (duplicate) throw new KustomizeError(where(`${manifestId(manifest)} is defined twice`));
      manifests.push(manifest);
    }
  }

  for (const patch of kustomization.patches ?? []) {
    if (patch.path !== undefined || patch.patch === undefined) {
      throw new KustomizeError(where('only inline `patch:` JSON 6902 patches are supported'));
    }
    const operations = parse(patch.patch) as unknown;
    if (!Array.isArray(operations)) {
      throw new KustomizeError(where('a patch must be a list of JSON 6902 operations'));
    }
    const targets = manifests.filter((m) => matchesTarget(m, patch.target ?? {}));
    if (targets.length === 0) {
      throw new KustomizeError(
        where(`patch target ${JSON.stringify(patch.target)} matches nothing`),
      );
    }
    for (const target of targets) {
      for (const operation of operations as JsonPatchOperation[]) {
        applyOperation(target, operation, where(`patch on ${manifestId(target)}`));
      }
    }
  }

  if (kustomization.namespace !== undefined) {
    for (const manifest of manifests) {
      if (!CLUSTER_SCOPED_KINDS.has(manifest.kind)) {
        manifest.metadata.namespace = kustomization.namespace;
      }
    }
  }

  for (const { name, count } of kustomization.replicas ?? []) {
    const workloads = manifests.filter(
      (m) => WORKLOAD_KINDS_WITH_REPLICAS.has(m.kind) && m.metadata.name === name,
    );
    if (workloads.length === 0) throw new KustomizeError(where(`replicas: no workload ${name}`));
    for (const workload of workloads) (workload.spec as Record<string, unknown>).replicas = count;
  }

  for (const image of kustomization.images ?? []) {
    let used = false;
    for (const container of containersOf(manifests)) {
      const { name, rest } = splitImage(String(container.image));
      if (name !== image.name) continue;
      const newName = image.newName ?? name;
      container.image = image.newTag !== undefined ? `${newName}:${image.newTag}` : newName + rest;
      used = true;
    }
    if (!used) throw new KustomizeError(where(`images: no container uses ${image.name}`));
  }

  return manifests;
}

export function manifestId(manifest: Manifest): string {
  const namespace = manifest.metadata.namespace ? `${manifest.metadata.namespace}/` : '';
  return `${manifest.kind} ${namespace}${manifest.metadata.name}`;
}

/** Every YAML document of a manifest file, each checked to be a Kubernetes object. */
export function readManifests(path: string): Manifest[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .filter((doc) => doc.contents !== null)
    .map((doc, index) => {
      if (doc.errors.length > 0) {
        throw new KustomizeError(`${path} document ${index + 1}: ${doc.errors[0].message}`);
      }
      const value = doc.toJS() as Partial<Manifest>;
      if (!value.apiVersion || !value.kind || !value.metadata?.name) {
        throw new KustomizeError(
          `${path} document ${index + 1} is not a Kubernetes object (apiVersion, kind and metadata.name)`,
        );
      }
      return value as Manifest;
    });
}

function kustomizationFile(dir: string): string {
  for (const name of ['kustomization.yaml', 'kustomization.yml', 'Kustomization']) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  throw new KustomizeError(`${dir} has no kustomization.yaml`);
}

function readKustomization(file: string): Kustomization {
  const value = parse(readFileSync(file, 'utf8')) as Record<string, unknown> | null;
  if (value === null || typeof value !== 'object') {
    throw new KustomizeError(`${file} is empty or not a mapping`);
  }
  const unsupported = Object.keys(value).filter((key) => !SUPPORTED_FIELDS.has(key));
  if (unsupported.length > 0) {
    throw new KustomizeError(
      `${file}: ${unsupported.join(', ')} not supported by the test renderer (test/deploy/support/kustomize.ts)`,
    );
  }
  if (value.kind !== undefined && value.kind !== 'Kustomization') {
    throw new KustomizeError(`${file}: kind ${String(value.kind)} is not Kustomization`);
  }
  return value as Kustomization;
}

/** kustomize selects by regular expressions that must match the whole kind or name. */
function matchesTarget(manifest: Manifest, target: PatchTarget): boolean {
  const whole = (pattern: string | undefined, value: string) =>
    pattern === undefined || new RegExp(`^(?:${pattern})$`).test(value);
  return whole(target.kind, manifest.kind) && whole(target.name, manifest.metadata.name);
}

function containersOf(manifests: Manifest[]): Record<string, unknown>[] {
  return manifests.flatMap((manifest) => {
    const spec = manifest.spec as { template?: { spec?: PodSpecLike } } | undefined;
    const pod = spec?.template?.spec;
    return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])];
  });
}

interface PodSpecLike {
  containers?: Record<string, unknown>[];
  initContainers?: Record<string, unknown>[];
}

/** `registry:5000/flint:1.0` → name `registry:5000/flint`, rest `:1.0`. */
function splitImage(image: string): { name: string; rest: string } {
  const at = image.indexOf('@');
  const withoutDigest = at < 0 ? image : image.slice(0, at);
  const colon = withoutDigest.lastIndexOf(':');
  const slash = withoutDigest.lastIndexOf('/');
  const tagAt = colon > slash ? colon : at < 0 ? image.length : at;
  return { name: image.slice(0, tagAt), rest: image.slice(tagAt) };
}

function applyOperation(document: Manifest, operation: JsonPatchOperation, where: string): void {
  const tokens = operation.path
    .split('/')
    .slice(1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (!operation.path.startsWith('/') || tokens.length === 0) {
    throw new KustomizeError(`${where}: path "${operation.path}" must point inside the object`);
  }
  const last = tokens.pop() as string;
  let parent: unknown = document;
  for (const token of tokens) {
    parent = child(parent, token);
    if (parent === undefined) {
      throw new KustomizeError(`${where}: ${operation.path} does not exist`);
    }
  }
  const container = parent as Record<string, unknown> | unknown[];
  const exists = child(container, last) !== undefined;
  switch (operation.op) {
    case 'test':
      if (JSON.stringify(child(container, last)) !== JSON.stringify(operation.value)) {
        throw new KustomizeError(`${where}: test of ${operation.path} failed`);
      }
      return;
    case 'remove':
    case 'replace':
      if (!exists) throw new KustomizeError(`${where}: ${operation.path} does not exist`);
      if (Array.isArray(container)) {
        if (operation.op === 'remove') container.splice(Number(last), 1);
        else container[Number(last)] = structuredClone(operation.value);
      } else if (operation.op === 'remove') {
        delete container[last];
      } else {
        container[last] = structuredClone(operation.value);
      }
      return;
    case 'add':
      if (Array.isArray(container)) {
        const index = last === '-' ? container.length : Number(last);
        if (!Number.isInteger(index) || index < 0 || index > container.length) {
          throw new KustomizeError(`${where}: ${operation.path} is not an array position`);
        }
        container.splice(index, 0, structuredClone(operation.value));
      } else {
        container[last] = structuredClone(operation.value);
      }
      return;
    default:
      throw new KustomizeError(
        `${where}: operation ${JSON.stringify((operation as { op: unknown }).op)} not supported`,
      );
  }
}

function child(value: unknown, token: string): unknown {
  if (Array.isArray(value)) return /^\d+$/.test(token) ? value[Number(token)] : undefined;
  if (value !== null && typeof value === 'object') return (value as Record<string, unknown>)[token];
  return undefined;
}

/** The folder of every kustomization under `root` (base, overlays, components). */
export function kustomizationDirs(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    if (['kustomization.yaml', 'kustomization.yml'].some((n) => existsSync(join(dir, n)))) {
      found.push(dir);
    }
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
    }
  };
  walk(root);
  return found.sort();
}

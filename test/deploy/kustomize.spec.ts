import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  KustomizeError,
  type Manifest,
  kustomizationDirs,
  manifestId,
  renderKustomization,
} from './support/kustomize';
import { root } from './support/repo';

/** `kubectl kustomize` is the reference; most machines that run these tests have kubectl. */
function kubectlKustomize(dir: string): Manifest[] | undefined {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60000 });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  if (result.status !== 0) {
    throw new Error(`kubectl kustomize ${dir} failed: ${result.stderr || result.error?.message}`);
  }
  return parseAllDocuments(result.stdout).map((doc) => doc.toJS() as Manifest);
}

const byId = (manifests: Manifest[]) =>
  Object.fromEntries(manifests.map((m) => [manifestId(m), m]));

describe('the test renderer of kustomizations', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flint-kustomize-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function write(files: Record<string, string>): void {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
  }

  const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: flint
          env:
            - name: A
              value: a
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  KEY: value
`;

  it('applies resources, patches, namespace, replicas and images of an overlay over its base', () => {
    write({
      'base/kustomization.yaml': 'resources: [app.yaml]\n',
      'base/app.yaml': deployment,
      'overlay/kustomization.yaml': `
namespace: prod
resources: [../base]
images:
  - name: flint
    newName: registry.example.com/flint
    newTag: 1.2.3
replicas:
  - name: web
    count: 3
patches:
  - target: { kind: ConfigMap, name: sett.* }
    patch: |-
      - op: replace
        path: /data/KEY
        value: other
      - op: add
        path: /data/NEW
        value: added
  - target: { kind: Deployment }
    patch: |-
      - op: add
        path: /spec/template/spec/containers/0/env/-
        value: { name: B, value: b }
      - op: remove
        path: /spec/template/spec/containers/0/env/0
`,
    });
    const rendered = byId(renderKustomization(join(dir, 'overlay')));
    const reference = kubectlKustomize(join(dir, 'overlay'));
    if (reference !== undefined) expect(rendered).toEqual(byId(reference));
    expect(Object.keys(rendered).sort()).toEqual([
      'ConfigMap prod/settings',
      'Deployment prod/web',
    ]);
    expect(rendered['ConfigMap prod/settings'].data).toEqual({ KEY: 'other', NEW: 'added' });
    const web = rendered['Deployment prod/web'] as unknown as {
      spec: {
        replicas: number;
        template: { spec: { containers: { image: string; env: unknown }[] } };
      };
    };
    expect(web.spec.replicas).toBe(3);
    expect(web.spec.template.spec.containers[0].image).toBe('registry.example.com/flint:1.2.3');
    expect(web.spec.template.spec.containers[0].env).toEqual([{ name: 'B', value: 'b' }]);
  });

  it.each([
    [
      'a field it does not implement',
      'resources: [app.yaml]\ncommonLabels: { a: b }\n',
      /commonLabels not supported/,
    ],
    [
      'a patch whose target matches nothing',
      "resources: [app.yaml]\npatches:\n  - target: { kind: Secret }\n    patch: '[]'\n",
      /matches nothing/,
    ],
    [
      'a strategic-merge patch',
      "resources: [app.yaml]\npatches:\n  - patch: 'kind: Deployment'\n",
      /list of JSON 6902 operations/,
    ],
    [
      'a patch of a path that does not exist',
      "resources: [app.yaml]\npatches:\n  - target: { kind: ConfigMap }\n    patch: '[{op: replace, path: /data/MISSING, value: x}]'\n",
      /does not exist/,
    ],
    [
      'replicas of a workload that does not exist',
      'resources: [app.yaml]\nreplicas: [{ name: nothing, count: 2 }]\n',
      /no workload nothing/,
    ],
    [
      'an image no container uses',
      'resources: [app.yaml]\nimages: [{ name: other, newTag: "1" }]\n',
      /no container uses other/,
    ],
    [
      'a resource file that does not exist',
      'resources: [missing.yaml]\n',
      /missing.yaml does not exist/,
    ],
    [
      'the same object twice',
      'resources: [app.yaml, copy.yaml]\n',
      /Deployment web is defined twice/,
    ],
  ])('refuses %s', (_case, kustomization, message) => {
    write({ 'kustomization.yaml': kustomization, 'app.yaml': deployment, 'copy.yaml': deployment });
    expect(() => renderKustomization(dir)).toThrow(KustomizeError);
    expect(() => renderKustomization(dir)).toThrow(message);
  });

  it('refuses a manifest that is not a Kubernetes object', () => {
    write({ 'kustomization.yaml': 'resources: [bad.yaml]\n', 'bad.yaml': 'kind: Deployment\n' });
    expect(() => renderKustomization(dir)).toThrow(/not a Kubernetes object/);
  });
});

describe('deploy/k8s rendered by the test renderer', () => {
  const dirs = kustomizationDirs(join(root, 'deploy', 'k8s')).map((d) => relative(root, d));

  it('finds the base, the monitoring resources and both overlays', () => {
    expect(dirs).toEqual([
      'deploy/k8s/base',
      'deploy/k8s/monitoring',
      'deploy/k8s/overlays/dev',
      'deploy/k8s/overlays/prod',
    ]);
  });

  const kubectlFound = kubectlKustomize(join(root, 'deploy', 'k8s', 'base')) !== undefined;
  (kubectlFound ? it.each(dirs) : it.skip.each(dirs))(
    'matches `kubectl kustomize` for %s',
    (dir) => {
      const ours = byId(renderKustomization(join(root, dir)));
      const reference = byId(kubectlKustomize(join(root, dir)) ?? []);
      expect(Object.keys(ours).sort()).toEqual(Object.keys(reference).sort());
      for (const id of Object.keys(reference))
        expect({ id, ...ours[id] }).toEqual({ id, ...reference[id] });
    },
  );
});

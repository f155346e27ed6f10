import { join } from 'node:path';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import ts from 'typescript';
import type { Manifest } from './kustomize';

/**
 * Validation of Kubernetes objects against the Kubernetes API's own schemas, as shipped by the npm
 * packages `kubernetes-models` (generated from the Kubernetes OpenAPI specification) and
 * `@kubernetes-models/prometheus-operator` (generated from the Prometheus Operator CRDs).
 *
 * Two checks, because the JSON schemas of the Kubernetes API allow any extra field (the API server
 * rejects unknown fields only at apply time, with field validation): the schema check finds wrong
 * types, missing required fields and bad enum values; the type check compiles each object as a
 * TypeScript literal of the package's type for its kind, whose excess-property check names every field
 * the API does not know — a misspelt `readinesProbe` fails here instead of at `kubectl apply`.
 */

interface KindModel {
  /** The package's model of the kind; `validate()` checks an object against the kind's schema. */
  Model: new (data: never) => { validate(): void };
  /** Module of the model, whose declarations hold the kind's TypeScript interface. */
  module: string;
  /** The interface of the object in that module's declarations. */
  type: string;
}

const MODELS: Record<string, KindModel> = {
  'v1/ConfigMap': {
    Model: ConfigMap,
    module: 'kubernetes-models/v1/ConfigMap',
    type: 'IConfigMap',
  },
  'v1/Secret': { Model: Secret, module: 'kubernetes-models/v1/Secret', type: 'ISecret' },
  'v1/Service': { Model: Service, module: 'kubernetes-models/v1/Service', type: 'IService' },
  'v1/ServiceAccount': {
    Model: ServiceAccount,
    module: 'kubernetes-models/v1/ServiceAccount',
    type: 'IServiceAccount',
  },
  'apps/v1/Deployment': {
    Model: Deployment,
    module: 'kubernetes-models/apps/v1/Deployment',
    type: 'IDeployment',
  },
  'batch/v1/Job': { Model: Job, module: 'kubernetes-models/batch/v1/Job', type: 'IJob' },
  'policy/v1/PodDisruptionBudget': {
    Model: PodDisruptionBudget,
    module: 'kubernetes-models/policy/v1/PodDisruptionBudget',
    type: 'IPodDisruptionBudget',
  },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    Model: HorizontalPodAutoscaler,
    module: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
    type: 'IHorizontalPodAutoscaler',
  },
  'networking.k8s.io/v1/Ingress': {
    Model: Ingress,
    module: 'kubernetes-models/networking.k8s.io/v1/Ingress',
    type: 'IIngress',
  },
  'monitoring.coreos.com/v1/ServiceMonitor': {
    Model: ServiceMonitor,
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor',
    type: 'IServiceMonitor',
  },
  'monitoring.coreos.com/v1/PrometheusRule': {
    Model: PrometheusRule,
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule',
    type: 'IPrometheusRule',
  },
};

function modelOfModule(module: string): KindModel {
  return Object.values(MODELS).find((m) => m.module === module) as KindModel;
}

function modelOf(manifest: Manifest): KindModel {
  const model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
  if (!model) {
    throw new Error(
      `no schema known for ${manifest.apiVersion} ${manifest.kind}; add it to MODELS in test/deploy/support/kubernetes-schemas.ts`,
    );
  }
  return model;
}

/** Problems the Kubernetes JSON schema of the object's kind finds; empty when it is valid. */
export function schemaProblems(manifest: Manifest): string[] {
  const { Model } = modelOf(manifest);
  try {
    new Model(manifest as never).validate();
    return [];
  } catch (err) {
    const errors = (err as { errors?: { instancePath: string; message?: string }[] }).errors;
    if (!errors) throw err;
    return errors.map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
  }
}

export interface LabelledManifest {
  /** Where the object comes from, for the message: `deploy/k8s/overlays/prod: Deployment flint-api`. */
  label: string;
  manifest: Manifest;
}

/** Fields the Kubernetes API types do not have, per object; empty when every field is known. */
export function unknownFieldProblems(objects: LabelledManifest[]): string[] {
  const fileName = join(process.cwd(), '__flint_manifests__.ts');
  const aliases = new Map<string, string>();
  for (const { manifest } of objects) {
    const { module } = modelOf(manifest);
    if (!aliases.has(module)) aliases.set(module, `T${aliases.size}`);
  }
  const lines = [...aliases].map(
    ([module, alias]) =>
      `import type { ${modelOfModule(module).type} as ${alias} } from ${JSON.stringify(typesPath(module))};`,
  );
  objects.forEach(({ manifest }, index) => {
    const alias = aliases.get(modelOf(manifest).module) as string;
    lines.push(`export const object${index}: ${alias} = ${JSON.stringify(manifest, null, 2)};`);
  });
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ['lib.es2022.d.ts'],
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, languageVersion, onError, shouldCreate) =>
    name === fileName
      ? ts.createSourceFile(name, source, languageVersion, true)
      : readFile(name, languageVersion, onError, shouldCreate);
  const program = ts.createProgram([fileName], options, host);
  const file = program.getSourceFile(fileName) as ts.SourceFile;
  const lineOwners = ownersByLine(source, objects.length);
  return ts.getPreEmitDiagnostics(program, file).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (diagnostic.file !== file || diagnostic.start === undefined) return message;
    const { line } = file.getLineAndCharacterOfPosition(diagnostic.start);
    const owner = lineOwners[line];
    const label = owner === undefined ? 'import' : objects[owner].label;
    return `${label}: ${message} (${source.split('\n')[line].trim()})`;
  });
}

/** Which object each line of the generated source belongs to (by its `export const objectN`). */
function ownersByLine(source: string, count: number): (number | undefined)[] {
  let current: number | undefined;
  return source.split('\n').map((line) => {
    const match = /^export const object(\d+):/.exec(line);
    if (match && Number(match[1]) < count) current = Number(match[1]);
    return current;
  });
}

/** The declaration file of a model module, found where Node finds the module itself. */
function typesPath(module: string): string {
  return require.resolve(module).replace(/\.js$/, '');
}

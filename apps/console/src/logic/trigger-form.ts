import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import {
  formatNumber,
  formatScalar,
  parseInteger,
  parseNumber,
  parseScalar,
  type Scalar,
} from './scalar';

/**
 * The builder's form and the trigger definition it edits, both ways. The definition is the truth
 * (the YAML view and the API speak it); the form is a view of it in which every field is text a
 * person edits. `toDefinition(fromDefinition(d))` gives `d` back for every definition whose fields
 * have the types the schema gives them, complete or not: fields left unset stay unset (the server
 * fills defaults), what a person typed that is not yet valid stays as typed (validation then names
 * it), and keys the form has no field for (a newer server's options) are carried through untouched.
 */

type JsonObject = Record<string, unknown>;

export type SourceRow =
  | { kind: 'ref'; id: string }
  | {
      kind: 'inline';
      id: string;
      provider: string;
      enabled?: boolean;
      description: string;
      /** The provider's `config` as YAML text. */
      config: string;
      extra: JsonObject;
    };

export const MATCH_OPERATORS = ['gt', 'gte', 'lt', 'lte', 'prefix', 'exists'] as const;
export type MatchOperator = (typeof MATCH_OPERATORS)[number];

export interface MatchRow {
  path: string;
  /** equals one value, is any of several, or passes comparison operators. */
  mode: 'equals' | 'anyOf' | 'compare';
  /** `equals`: the value as typed (see `parseScalar`). */
  value: string;
  /** `anyOf`: one value per line. */
  values: string;
  /** `compare`: operator and value as typed. */
  operators: Array<{ op: MatchOperator; value: string }>;
}

export interface HeaderRow {
  name: string;
  value: string;
  /** The value names a stored secret (`{ secretRef }`) instead of being the value. */
  secret: boolean;
}

export interface InputRow {
  name: string;
  /** A CEL expression, or a number, true, false or null taken as is. */
  kind: 'expression' | 'value';
  value: string;
}

export interface TriggerForm {
  kind?: unknown;
  id: string;
  owner: string;
  enabled?: boolean;
  description: string;
  version?: unknown;
  sources: SourceRow[];
  /** Present (possibly empty) when the trigger listens by event type. */
  eventTypes?: string[];
  /** Other owners whose events may reach it by type: `any`, or a list (one per line). */
  fromOwners?: 'any' | string[];
  condition: string;
  match?: MatchRow[];
  /** `any`, `all`, `sequence`, or `atLeast` (with `atLeast` the k of `{ atLeast: k }`); empty is unset. */
  logic: string;
  atLeast: string;
  within: string;
  correlate: string;
  dedupe?: { key: string; window: string; extra: JsonObject };
  batch?: { size: string; timeout: string; key: string; extra: JsonObject };
  debounce?: { period: string; key: string; maxWait: string; deliver: string; extra: JsonObject };
  rateLimit?: { limit: string; period: string; key: string; onExceed: string; extra: JsonObject };
  /** An absence trigger: runs when an expected event does not come. */
  expect?: {
    after: string;
    missing: string;
    within: string;
    for: string;
    key: string;
    extra: JsonObject;
  };
  concurrency?: {
    allowConcurrent?: boolean;
    key: string;
    onBusy: string;
    max: string;
    extra: JsonObject;
  };
  /** A CEL expression giving a whole number, or the number; empty is unset. */
  priority: string;
  cancelOn?: {
    /** Present (possibly empty) when it lists sources; likewise `eventTypes`. */
    sources?: string[];
    eventTypes?: string[];
    condition: string;
    match: string;
    extra: JsonObject;
  };
  target: TargetForm;
  input:
    | { mode: 'none' }
    | { mode: 'expression'; expression: string }
    | { mode: 'fields'; fields: InputRow[] };
  retry?: {
    maxAttempts: string;
    initialMs: string;
    maxMs: string;
    multiplier: string;
    jitter: string;
    backoffSet: boolean;
    extra: JsonObject;
    backoffExtra: JsonObject;
  };
  /** Keys the form has no field for, carried through as they are. */
  extra: JsonObject;
}

export interface TargetForm {
  type: string;
  url: string;
  method: string;
  headers: HeaderRow[];
  headersSet: boolean;
  timeoutMs: string;
  successCodes: string;
  topic: string;
  key: string;
  workflow: string;
  /** http and kafka: `accepted` or `callback`; empty is unset (accepted). */
  completion: string;
  completionTimeout: string;
  extra: JsonObject;
}

/** A problem the form itself finds while turning text into a definition (bad YAML in a config). */
export interface FormProblem {
  path: string;
  message: string;
}

const TRIGGER_KEYS = [
  'kind',
  'id',
  'owner',
  'enabled',
  'description',
  'version',
  'sources',
  'eventTypes',
  'fromOwners',
  'condition',
  'match',
  'logic',
  'within',
  'correlate',
  'dedupe',
  'batch',
  'debounce',
  'rateLimit',
  'expect',
  'concurrency',
  'priority',
  'cancelOn',
  'target',
  'input',
  'retry',
] as const;

export function emptyTarget(type = 'local'): TargetForm {
  return {
    type,
    url: '',
    method: '',
    headers: [],
    headersSet: false,
    timeoutMs: '',
    successCodes: '',
    topic: '',
    key: '',
    workflow: '',
    completion: '',
    completionTimeout: '',
    extra: {},
  };
}

/** The form of a new trigger: listens to nothing yet, starts the local `echo` workflow. */
export function newTriggerForm(owner = ''): TriggerForm {
  return {
    kind: 'trigger',
    id: '',
    owner,
    enabled: true,
    description: '',
    sources: [],
    condition: '',
    logic: '',
    atLeast: '',
    within: '',
    correlate: '',
    priority: '',
    target: { ...emptyTarget('local'), workflow: 'echo' },
    input: { mode: 'none' },
    extra: {},
  };
}

export function fromDefinition(raw: unknown): TriggerForm {
  const d = isObject(raw) ? raw : {};
  const [, extra] = split(d, TRIGGER_KEYS);
  // Values of a type the form cannot show travel untouched with the other unknown keys.
  for (const key of ['fromOwners', 'priority', 'cancelOn'] as const) {
    if (key in d && !showable[key](d[key])) extra[key] = d[key];
  }
  const form: TriggerForm = {
    ...('kind' in d ? { kind: d.kind } : {}),
    id: text(d.id),
    owner: text(d.owner),
    ...(typeof d.enabled === 'boolean' ? { enabled: d.enabled } : {}),
    description: text(d.description),
    ...('version' in d ? { version: d.version } : {}),
    sources: Array.isArray(d.sources) ? d.sources.map(sourceRow) : [],
    ...(Array.isArray(d.eventTypes) ? { eventTypes: d.eventTypes.map(text) } : {}),
    ...(showable.fromOwners(d.fromOwners)
      ? { fromOwners: d.fromOwners === 'any' ? 'any' : (d.fromOwners as unknown[]).map(text) }
      : {}),
    condition: text(d.condition),
    ...(isObject(d.match) ? { match: Object.entries(d.match).map(matchRow) } : {}),
    ...logicForm(d.logic),
    within: text(d.within),
    correlate: text(d.correlate),
    priority: showable.priority(d.priority) ? String(d.priority) : '',
    target: targetForm(d.target),
    input: inputForm(d.input),
    extra,
  };
  if (isObject(d.dedupe)) {
    const [known, rest] = split(d.dedupe, ['key', 'window']);
    form.dedupe = { key: text(known.key), window: text(known.window), extra: rest };
  }
  if (isObject(d.batch)) {
    const [known, rest] = split(d.batch, ['size', 'timeout', 'key']);
    form.batch = {
      size: formatNumber(known.size),
      timeout: text(known.timeout),
      key: text(known.key),
      extra: rest,
    };
  }
  if (isObject(d.debounce)) {
    const [known, rest] = split(d.debounce, ['period', 'key', 'maxWait', 'deliver']);
    form.debounce = {
      period: text(known.period),
      key: text(known.key),
      maxWait: text(known.maxWait),
      deliver: text(known.deliver),
      extra: rest,
    };
  }
  if (isObject(d.rateLimit)) {
    const [known, rest] = split(d.rateLimit, ['limit', 'period', 'key', 'onExceed']);
    form.rateLimit = {
      limit: formatNumber(known.limit),
      period: text(known.period),
      key: text(known.key),
      onExceed: text(known.onExceed),
      extra: rest,
    };
  }
  if (isObject(d.expect)) {
    const [known, rest] = split(d.expect, ['after', 'missing', 'within', 'for', 'key']);
    form.expect = {
      after: text(known.after),
      missing: text(known.missing),
      within: text(known.within),
      for: text(known.for),
      key: text(known.key),
      extra: rest,
    };
  }
  if (isObject(d.concurrency)) {
    const [known, rest] = split(d.concurrency, ['allowConcurrent', 'key', 'onBusy', 'max']);
    form.concurrency = {
      ...(typeof known.allowConcurrent === 'boolean'
        ? { allowConcurrent: known.allowConcurrent }
        : {}),
      key: text(known.key),
      onBusy: text(known.onBusy),
      max: formatNumber(known.max),
      extra: rest,
    };
  }
  if (showable.cancelOn(d.cancelOn)) {
    const [known, rest] = split(d.cancelOn, ['sources', 'eventTypes', 'condition', 'match']);
    form.cancelOn = {
      ...(Array.isArray(known.sources) ? { sources: known.sources.map(text) } : {}),
      ...(Array.isArray(known.eventTypes) ? { eventTypes: known.eventTypes.map(text) } : {}),
      condition: text(known.condition),
      match: text(known.match),
      extra: rest,
    };
  }
  if (isObject(d.retry)) {
    const [known, rest] = split(d.retry, ['maxAttempts', 'backoff']);
    const backoff = isObject(known.backoff) ? known.backoff : {};
    const [b, backoffRest] = split(backoff, ['initialMs', 'maxMs', 'multiplier', 'jitter']);
    form.retry = {
      maxAttempts: formatNumber(known.maxAttempts),
      initialMs: formatNumber(b.initialMs),
      maxMs: formatNumber(b.maxMs),
      multiplier: formatNumber(b.multiplier),
      jitter: formatNumber(b.jitter),
      backoffSet: isObject(known.backoff),
      extra: rest,
      backoffExtra: backoffRest,
    };
  }
  return form;
}

export function toDefinition(form: TriggerForm): {
  definition: JsonObject;
  problems: FormProblem[];
} {
  const problems: FormProblem[] = [];
  const d: JsonObject = {};
  if (form.kind !== undefined) d.kind = form.kind;
  set(d, 'id', form.id);
  set(d, 'owner', form.owner);
  if (form.enabled !== undefined) d.enabled = form.enabled;
  set(d, 'description', form.description);
  if (form.version !== undefined) d.version = form.version;
  if (form.sources.length > 0) {
    d.sources = form.sources.map((row, index) => sourceValue(row, index, problems));
  }
  if (form.eventTypes !== undefined) d.eventTypes = form.eventTypes;
  if (form.fromOwners !== undefined) d.fromOwners = form.fromOwners;
  set(d, 'condition', form.condition);
  if (form.match !== undefined) {
    d.match = Object.fromEntries(form.match.map((row) => [row.path, matchValue(row)]));
  }
  if (form.logic === 'atLeast') d.logic = { atLeast: parseInteger(form.atLeast) };
  else set(d, 'logic', form.logic);
  set(d, 'within', form.within);
  set(d, 'correlate', form.correlate);
  if (form.dedupe) {
    const dedupe: JsonObject = {};
    set(dedupe, 'key', form.dedupe.key);
    set(dedupe, 'window', form.dedupe.window);
    d.dedupe = { ...dedupe, ...form.dedupe.extra };
  }
  if (form.batch) {
    const batch: JsonObject = {};
    setValue(batch, 'size', parseInteger(form.batch.size));
    set(batch, 'timeout', form.batch.timeout);
    set(batch, 'key', form.batch.key);
    d.batch = { ...batch, ...form.batch.extra };
  }
  if (form.debounce) {
    const debounce: JsonObject = {};
    set(debounce, 'period', form.debounce.period);
    set(debounce, 'key', form.debounce.key);
    set(debounce, 'maxWait', form.debounce.maxWait);
    set(debounce, 'deliver', form.debounce.deliver);
    d.debounce = { ...debounce, ...form.debounce.extra };
  }
  if (form.rateLimit) {
    const rateLimit: JsonObject = {};
    setValue(rateLimit, 'limit', parseInteger(form.rateLimit.limit));
    set(rateLimit, 'period', form.rateLimit.period);
    set(rateLimit, 'key', form.rateLimit.key);
    set(rateLimit, 'onExceed', form.rateLimit.onExceed);
    d.rateLimit = { ...rateLimit, ...form.rateLimit.extra };
  }
  if (form.expect) {
    const expect: JsonObject = {};
    set(expect, 'after', form.expect.after);
    set(expect, 'missing', form.expect.missing);
    set(expect, 'within', form.expect.within);
    set(expect, 'for', form.expect.for);
    set(expect, 'key', form.expect.key);
    d.expect = { ...expect, ...form.expect.extra };
  }
  if (form.concurrency) {
    const c = form.concurrency;
    const concurrency: JsonObject = {};
    if (c.allowConcurrent !== undefined) concurrency.allowConcurrent = c.allowConcurrent;
    set(concurrency, 'key', c.key);
    set(concurrency, 'onBusy', c.onBusy);
    setValue(concurrency, 'max', parseInteger(c.max));
    d.concurrency = { ...concurrency, ...c.extra };
  }
  setValue(d, 'priority', parseInteger(form.priority));
  if (form.cancelOn) {
    const c = form.cancelOn;
    const cancelOn: JsonObject = {};
    if (c.sources !== undefined) cancelOn.sources = c.sources;
    if (c.eventTypes !== undefined) cancelOn.eventTypes = c.eventTypes;
    set(cancelOn, 'condition', c.condition);
    set(cancelOn, 'match', c.match);
    d.cancelOn = { ...cancelOn, ...c.extra };
  }
  d.target = targetValue(form.target);
  const input = inputValue(form.input);
  if (input !== undefined) d.input = input;
  if (form.retry) {
    const r = form.retry;
    const retry: JsonObject = {};
    setValue(retry, 'maxAttempts', parseInteger(r.maxAttempts));
    const backoff: JsonObject = {};
    setValue(backoff, 'initialMs', parseInteger(r.initialMs));
    setValue(backoff, 'maxMs', parseInteger(r.maxMs));
    setValue(backoff, 'multiplier', parseNumber(r.multiplier));
    setValue(backoff, 'jitter', parseNumber(r.jitter));
    if (r.backoffSet || Object.keys(backoff).length > 0) {
      retry.backoff = { ...backoff, ...r.backoffExtra };
    }
    d.retry = { ...retry, ...r.extra };
  }
  return { definition: { ...d, ...form.extra }, problems };
}

/** `logic` is a word, or `{ atLeast: k }`: the form keeps k apart as text. */
function logicForm(logic: unknown): { logic: string; atLeast: string } {
  if (isObject(logic) && 'atLeast' in logic) {
    return { logic: 'atLeast', atLeast: formatNumber(logic.atLeast) };
  }
  return { logic: text(logic), atLeast: '' };
}

function sourceRow(source: unknown): SourceRow {
  if (!isObject(source)) return { kind: 'ref', id: text(source) };
  const [known, rest] = split(source, ['id', 'provider', 'enabled', 'description', 'config']);
  return {
    kind: 'inline',
    id: text(known.id),
    provider: text(known.provider),
    ...(typeof known.enabled === 'boolean' ? { enabled: known.enabled } : {}),
    description: text(known.description),
    config: known.config === undefined ? '' : stringifyYaml(known.config, { lineWidth: 0 }),
    extra: rest,
  };
}

function sourceValue(row: SourceRow, index: number, problems: FormProblem[]): unknown {
  if (row.kind === 'ref') return row.id;
  const source: JsonObject = {};
  set(source, 'id', row.id);
  set(source, 'provider', row.provider);
  if (row.enabled !== undefined) source.enabled = row.enabled;
  set(source, 'description', row.description);
  if (row.config.trim() !== '') {
    try {
      source.config = parseYaml(row.config) as unknown;
    } catch (err) {
      problems.push({
        path: `sources[${index}].config`,
        message: `not valid YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      });
      source.config = row.config;
    }
  }
  return { ...source, ...row.extra };
}

function matchRow([path, value]: [string, unknown]): MatchRow {
  const row: MatchRow = { path, mode: 'equals', value: '', values: '', operators: [] };
  if (Array.isArray(value)) {
    return {
      ...row,
      mode: 'anyOf',
      values: value.map((v) => formatScalar(v as Scalar)).join('\n'),
    };
  }
  if (isObject(value)) {
    return {
      ...row,
      mode: 'compare',
      operators: Object.entries(value).map(([op, bound]) => ({
        op: op as MatchOperator,
        // A prefix is always text: shown as it is, without the quotes a scalar would need.
        value: op === 'prefix' && typeof bound === 'string' ? bound : formatScalar(bound as Scalar),
      })),
    };
  }
  return { ...row, value: formatScalar(value as Scalar) };
}

function matchValue(row: MatchRow): unknown {
  switch (row.mode) {
    case 'anyOf':
      return row.values
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map(parseScalar);
    case 'compare':
      return Object.fromEntries(
        row.operators.map(({ op, value }) => [op, op === 'prefix' ? value : parseScalar(value)]),
      );
    default:
      return parseScalar(row.value);
  }
}

const TARGET_KEYS = [
  'type',
  'url',
  'method',
  'headers',
  'timeoutMs',
  'successCodes',
  'topic',
  'key',
  'workflow',
  'completion',
  'completionTimeout',
] as const;

function targetForm(raw: unknown): TargetForm {
  const t = isObject(raw) ? raw : {};
  const [known, rest] = split(t, TARGET_KEYS);
  const headers = isObject(known.headers) ? known.headers : {};
  return {
    type: text(known.type),
    url: text(known.url),
    method: text(known.method),
    headers: Object.entries(headers).map(([name, value]) =>
      isObject(value)
        ? { name, value: text(value.secretRef), secret: true }
        : { name, value: text(value), secret: false },
    ),
    headersSet: isObject(known.headers),
    timeoutMs: formatNumber(known.timeoutMs),
    successCodes: Array.isArray(known.successCodes) ? known.successCodes.join(', ') : '',
    topic: text(known.topic),
    key: text(known.key),
    workflow: text(known.workflow),
    completion: text(known.completion),
    completionTimeout: text(known.completionTimeout),
    extra: rest,
  };
}

/** Only the fields of the chosen type: switching type does not carry the other type's fields. */
function targetValue(t: TargetForm): JsonObject {
  const target: JsonObject = {};
  set(target, 'type', t.type);
  if (t.type === 'http') {
    set(target, 'url', t.url);
    set(target, 'method', t.method);
    if (t.headersSet || t.headers.length > 0) {
      target.headers = Object.fromEntries(
        t.headers.map((h) => [h.name, h.secret ? { secretRef: h.value } : h.value]),
      );
    }
    setValue(target, 'timeoutMs', parseInteger(t.timeoutMs));
    if (t.successCodes.trim() !== '') {
      target.successCodes = t.successCodes
        .split(',')
        .map((code) => code.trim())
        .filter((code) => code !== '')
        .map((code) => parseInteger(code));
    }
    setCompletion(target, t);
  } else if (t.type === 'kafka') {
    set(target, 'topic', t.topic);
    set(target, 'key', t.key);
    setCompletion(target, t);
  } else if (t.type === 'local') {
    set(target, 'workflow', t.workflow);
    setValue(target, 'timeoutMs', parseInteger(t.timeoutMs));
  }
  return { ...target, ...t.extra };
}

/** A remote workflow may report its own outcome; a local one always does. */
function setCompletion(target: JsonObject, t: TargetForm): void {
  set(target, 'completion', t.completion);
  set(target, 'completionTimeout', t.completionTimeout);
}

function inputForm(raw: unknown): TriggerForm['input'] {
  if (raw === undefined) return { mode: 'none' };
  if (isObject(raw)) {
    return {
      mode: 'fields',
      fields: Object.entries(raw).map(([name, value]) =>
        typeof value === 'string'
          ? { name, kind: 'expression', value }
          : { name, kind: 'value', value: formatScalar(value as Scalar) },
      ),
    };
  }
  return { mode: 'expression', expression: text(raw) };
}

function inputValue(input: TriggerForm['input']): unknown {
  if (input.mode === 'none') return undefined;
  if (input.mode === 'expression') return input.expression;
  return Object.fromEntries(
    input.fields.map((field) => [
      field.name,
      field.kind === 'expression' ? field.value : parseScalar(field.value),
    ]),
  );
}

/** Which values of the newer keys the form has fields for. */
const showable = {
  fromOwners: (v: unknown) => v === 'any' || (Array.isArray(v) && v.every(isText)),
  // A whole number shows as its digits and is written back as the number; a CEL text as itself.
  priority: (v: unknown) =>
    (typeof v === 'number' && Number.isInteger(v)) ||
    (typeof v === 'string' && !/^-?\d+$/.test(v.trim()) && v !== ''),
  cancelOn: (v: unknown): v is JsonObject => isObject(v),
};

function isText(value: unknown): value is string {
  return typeof value === 'string';
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The keys a form knows and the rest. */
function split(object: JsonObject, keys: readonly string[]): [JsonObject, JsonObject] {
  const known: JsonObject = {};
  const rest: JsonObject = {};
  for (const [key, value] of Object.entries(object)) {
    if (keys.includes(key)) known[key] = value;
    else rest[key] = value;
  }
  return [known, rest];
}

/** Text fields: empty means unset. */
function set(target: JsonObject, key: string, value: string): void {
  if (value !== '') target[key] = value;
}

function setValue(target: JsonObject, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

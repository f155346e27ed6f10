#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`) by self time: how busy the process was each
// second, the share of each package (node_modules/<name>, node: internals, this repository's
// folders) and the top functions. `from`/`to` (seconds since the profile started) keep only a window,
// e.g. the load phase, so start-up (ts-node compiling) does not drown it.
//
//   node bench/profile-summary.mjs <file.cpuprofile> [top=30] [from=0] [to=end]
import { readFileSync } from 'node:fs';

const [file, topArg, fromArg, toArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write(
    'usage: node bench/profile-summary.mjs <file.cpuprofile> [top] [from] [to]\n',
  );
  process.exit(2);
}
const top = Number(topArg ?? 30);
const fromMicros = Number(fromArg ?? 0) * 1e6;
const toMicros = toArg === undefined ? Number.POSITIVE_INFINITY : Number(toArg) * 1e6;
const profile = JSON.parse(readFileSync(file, 'utf8'));

const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map();
const busyBySecond = [];
let elapsed = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  const delta = profile.timeDeltas[i] ?? 0;
  elapsed += delta;
  const second = Math.floor(elapsed / 1e6);
  busyBySecond[second] ??= { busy: 0, all: 0 };
  busyBySecond[second].all += delta;
  if (nodes.get(id).callFrame.functionName !== '(idle)') busyBySecond[second].busy += delta;
  if (elapsed < fromMicros || elapsed > toMicros) continue;
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
}

const byFunction = new Map();
const byArea = new Map();
let total = 0;
for (const [id, micros] of selfMicros) {
  const { callFrame } = nodes.get(id);
  total += micros;
  const name = callFrame.functionName || '(anonymous)';
  const where = callFrame.url ? `${shortUrl(callFrame.url)}:${callFrame.lineNumber + 1}` : '';
  const key = `${name} ${where}`.trim();
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  const area = areaOf(callFrame.url, name);
  byArea.set(area, (byArea.get(area) ?? 0) + micros);
}

const ms = (micros) => (micros / 1000).toFixed(0).padStart(7);
const pct = (micros) => ((100 * micros) / total).toFixed(1).padStart(5);
const timeline = busyBySecond
  .map((second, index) => `${index}s ${Math.round((100 * second.busy) / second.all)}%`)
  .join('  ');
const lines = [
  `${file}: ${(total / 1e6).toFixed(1)} s in the window`,
  '',
  `busy per second: ${timeline}`,
  '',
  'self ms     %  area',
];
for (const [area, micros] of sorted(byArea).slice(0, 20)) {
  lines.push(`${ms(micros)} ${pct(micros)}  ${area}`);
}
lines.push('', 'self ms     %  function');
for (const [key, micros] of sorted(byFunction).slice(0, top)) {
  lines.push(`${ms(micros)} ${pct(micros)}  ${key}`);
}
process.stdout.write(`${lines.join('\n')}\n`);

function sorted(map) {
  return [...map].sort((a, b) => b[1] - a[1]);
}

function shortUrl(url) {
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) return url.slice(modules + 'node_modules/'.length);
  return url.replace(/^file:\/\//, '').replace(/^.*\/(apps|libs|bench)\//, '$1/');
}

/** A package, a node: internal, one of this repository's apps/libs, or V8's own buckets. */
function areaOf(url, name) {
  if (!url) return `(${name.replace(/[()]/g, '')})`;
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) {
    const [first, second] = url.slice(modules + 'node_modules/'.length).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  if (url.startsWith('node:')) return url;
  const own = /\/(apps|libs)\/([^/]+)\//.exec(url) ?? /\/(bench)\/([^/]+)/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}

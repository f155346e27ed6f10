import type { RunDetail } from '@flint/contracts';

const UNITS: Array<[number, string]> = [
  [60, 's'],
  [60, 'min'],
  [24, 'h'],
  [365, 'd'],
];

/** `3 min ago`, `in 5 s`, `just now`: how long ago `iso` was, relative to `now`. */
export function timeAgo(iso: string | undefined, now: number = Date.now()): string {
  if (iso === undefined) return '—';
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (Math.abs(seconds) < 5) return 'just now';
  let value = Math.abs(seconds);
  let unit = 's';
  for (const [size, name] of UNITS) {
    unit = name;
    if (value < size) break;
    value = Math.floor(value / size);
  }
  if (unit === 'd' && value >= 365) return `${Math.floor(value / 365)} y ago`;
  return seconds >= 0 ? `${value} ${unit} ago` : `in ${value} ${unit}`;
}

/**
 * A run's attempts: "1 of 3", or "1 (not retried: PaymentDeclinedError is final)" for a failure that
 * was not retried. The same words as `describeAttempts` in @flint/contracts, which the CLI uses; the
 * console takes only types from contracts, so that zod stays out of its bundle.
 */
export function attempts(
  run: Pick<RunDetail, 'status' | 'attempts' | 'maxAttempts' | 'error'>,
): string {
  if (run.status === 'FAILED' && run.attempts < run.maxAttempts) {
    return `${run.attempts} (not retried: ${run.error ? `${run.error.type} is final` : 'the failure is final'})`;
  }
  return `${run.attempts} of ${run.maxAttempts}`;
}

/** `850 ms`, `1.2 s`, `3 min 4 s`, `2 h 5 min`. */
export function duration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${Math.floor((ms % 60_000) / 1000)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * An average count per minute as a rate a glance can read: per second, or per minute when less
 * than one every ten seconds (0.00/s says nothing).
 */
export function rate(perMinute: number): { value: string; unit: '/s' | '/min' } {
  if (perMinute > 0 && perMinute < 6) {
    return { value: perMinute < 1 ? perMinute.toFixed(2) : perMinute.toFixed(1), unit: '/min' };
  }
  return { value: perSecond(perMinute), unit: '/s' };
}

/** A count per minute as a rate per second, with the precision a glance needs. */
export function perSecond(perMinute: number): string {
  const rate = perMinute / 60;
  if (rate === 0) return '0';
  if (rate < 0.1) return rate.toFixed(2);
  if (rate < 10) return rate.toFixed(1);
  return Math.round(rate).toLocaleString('en-US');
}

/** `1,234`, `12.3k`, `4.5M`. */
export function compact(n: number): string {
  if (n < 10_000) return n.toLocaleString('en-US');
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** A count with its noun: `1 run`, `2 runs`, `12.3k events` (nouns that take an s). */
export function counted(n: number, noun: string): string {
  return `${compact(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/** A local date and time to the second, for tables and tooltips. */
export function dateTime(iso: string | undefined): string {
  if (iso === undefined) return '—';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The local time of day to the millisecond, for steps that happen within a second. */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** JSON for people: indented, or the text itself when it is not JSON. */
export function prettyJson(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(value, null, 2);
}

/** A data excerpt (JSON text, maybe cut short) indented when it parses. */
export function prettyExcerpt(excerpt: string | undefined): string {
  if (excerpt === undefined) return '';
  try {
    return JSON.stringify(JSON.parse(excerpt), null, 2);
  } catch {
    return excerpt;
  }
}

/** `datetime-local` values are local time without a zone; the API takes ISO instants. */
export function localToIso(local: string): string | undefined {
  if (local === '') return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function isoToLocal(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

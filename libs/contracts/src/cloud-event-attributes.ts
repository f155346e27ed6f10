/** The CloudEvents 1.0 core attributes; every other attribute of an event is an extension. */
export const CLOUD_EVENT_CORE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'datacontenttype',
  'dataschema',
  'data',
]);

/**
 * @flint/common — the bottom layer every other lib and app may use, and which uses none of them:
 * time (`Clock`, `within`), waiting and retrying (`backoffDelay`, `keepTrying`, `WakeLoop`,
 * `parseRetryAfter`), and reporting (`Log`, `errorText`, `errorType`). Tests get `ManualClock` from
 * `@flint/common/testing`.
 */
export * from './backoff';
export * from './clock';
export * from './error-text';
export * from './error-type';
export * from './log';
export * from './retry-after';
export * from './wake-loop';

/**
 * @flint/common — the bottom layer every other lib and app may use, and which uses none of them:
 * time (`Clock`, `within`), gathering calls into batch calls (`Batcher`), waiting and retrying (`backoffDelay`, `keepTrying`, `WakeLoop`,
 * `parseRetryAfter`), reporting (`Log`, `errorText`, `errorType`), and egress control for user-chosen
 * URLs (`EgressPolicy`, `egressFetch`, `egressLookup`). Tests get `ManualClock` from
 * `@flint/common/testing`.
 */
export * from './backoff';
export * from './batcher';
export * from './clock';
export * from './error-text';
export * from './error-type';
export * from './log';
export * from './retry-after';
export * from './wake-loop';
export * from './egress';

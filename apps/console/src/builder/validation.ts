import type { TriggerValidation } from '@flint/contracts';
import { useEffect, useMemo, useState } from 'react';
import { validate } from 'virtual:trigger-schema';
import type { ApiClient } from '../api/client';
import type { PathIssue } from '../logic/issue-path';
import { schemaIssues } from '../logic/schema-issues';

export interface Verdict {
  issues: PathIssue[];
  /** `server`: the API's answer for this very draft; `schema`: the JSON Schema, while the API answers. */
  by: 'server' | 'schema';
  checking: boolean;
}

/**
 * Checks a draft two ways: at once against the trigger JSON Schema (compiled at build time), and,
 * once typing pauses, by the API (`POST /api/triggers/validate`), which also compiles every CEL
 * expression with the server's CEL and reports where it breaks, and checks the named sources
 * exist. The API's answer counts once it is for the draft on screen.
 */
export function useValidation(client: ApiClient, definition: Record<string, unknown>): Verdict {
  const key = useMemo(() => JSON.stringify(definition), [definition]);
  const schema = useMemo(() => {
    validate(definition);
    return schemaIssues(validate.errors ?? []);
  }, [key]); // eslint-disable-line react-hooks/exhaustive-deps -- the key stands for the definition
  const [server, setServer] = useState<{ key: string; issues: PathIssue[] }>();

  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      client
        .request<TriggerValidation>('POST', '/api/triggers/validate', {
          body: JSON.parse(key),
          signal: controller.signal,
        })
        .then(
          (verdict) => setServer({ key, issues: verdict.issues }),
          () => undefined,
        );
    }, 300);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [client, key]);

  if (server?.key === key) return { issues: server.issues, by: 'server', checking: false };
  return { issues: schema, by: 'schema', checking: true };
}

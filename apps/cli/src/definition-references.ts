import {
  type DefinitionReferences,
  LocalWorkflowListSchema,
  SourceWithStatusSchema,
} from '@flint/contracts';
import { CelEngine, definitionExpressionProblems } from '@flint/conditions';
import { ApiError, type FlintApiClient } from './api-client';
import { typed } from './command-failures';

/**
 * What definition files are checked against in the CLI: the API's CEL library, compiled here; and,
 * when a server is given, its stored sources and the local workflows its runners announced. Without
 * a server only the files themselves count, and local targets cannot be checked.
 */
export async function definitionReferences(server?: FlintApiClient): Promise<DefinitionReferences> {
  const cel = await CelEngine.create();
  return {
    checkExpressions: async (definition) => definitionExpressionProblems(cel, definition),
    sourceExists: async (id) => (server ? storedSourceExists(server, id) : false),
    missingSource: (id) =>
      server
        ? `source "${id}" is neither in the given files nor stored at ${server.baseUrl}`
        : `source "${id}" is not in the given files (add its file, or check the stored sources with --server)`,
    localWorkflows: async () => {
      if (!server) return undefined;
      const list = await typed(LocalWorkflowListSchema, server.request('GET', '/api/workflows'));
      return list.announced ? list.items : undefined;
    },
  };
}

async function storedSourceExists(server: FlintApiClient, id: string): Promise<boolean> {
  try {
    await typed(
      SourceWithStatusSchema,
      server.request('GET', `/api/sources/${encodeURIComponent(id)}`),
    );
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return false;
    throw err;
  }
}

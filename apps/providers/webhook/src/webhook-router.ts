import type { WebhookEndpoint } from './webhook-endpoint';

/** Which running source answers which path under `/hooks/`. */
export class WebhookRouter {
  private readonly endpoints = new Map<string, WebhookEndpoint>();

  /** Serves `path` with the endpoint until the returned function is called. */
  register(path: string, endpoint: WebhookEndpoint): () => void {
    const current = this.endpoints.get(path);
    if (current !== undefined && current.sourceId !== endpoint.sourceId) {
      throw new Error(
        `path /hooks/${path} is already served by source "${current.sourceId}"; give one of them another path`,
      );
    }
    this.endpoints.set(path, endpoint);
    return () => {
      if (this.endpoints.get(path) === endpoint) this.endpoints.delete(path);
    };
  }

  find(path: string): WebhookEndpoint | undefined {
    return this.endpoints.get(path);
  }
}

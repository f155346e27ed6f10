/** Whether a URL (with or without its query) is one of the API's own routes, which need a key. */
export function isApiPath(url: string): boolean {
  const path = url.split('?', 1)[0];
  return path === '/api' || path.startsWith('/api/');
}

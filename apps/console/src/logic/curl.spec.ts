import { webhookCurl } from './curl';

describe('webhookCurl', () => {
  it('posts JSON to an open endpoint', () => {
    expect(webhookCurl('http://127.0.0.1:8081', { path: 'demo', auth: { type: 'none' } })).toBe(
      "curl -X POST 'http://127.0.0.1:8081/hooks/demo' \\\n  -H 'content-type: application/json' \\\n  -d '{\"hello\":\"world\"}'",
    );
  });

  it('signs the body for an HMAC endpoint with its header and prefix, the secret from the shell', () => {
    const command = webhookCurl('https://hooks.example.com', {
      path: 'github',
      methods: ['PUT'],
      auth: { type: 'hmac-sha256', secretRef: 'gh', header: 'X-Sig', prefix: 'v1=' },
    });
    expect(command).toContain("curl -X PUT 'https://hooks.example.com/hooks/github'");
    expect(command).toContain('-H "X-Sig: v1=$SIG"');
    expect(command).toContain('the value of secret gh');
    expect(command).not.toMatch(/hunter2/);
  });
});

import { upBanner } from './banner';

describe('the "Flint is up" banner', () => {
  const banner = upBanner({
    consoleLink: 'http://127.0.0.1:8080/#login=abc',
    webhookUrl: 'http://127.0.0.1:8081',
    apiUrl: 'http://127.0.0.1:8080',
    adminKeyFrom: '.flint/local/admin-api-key',
    healthUrls: ['http://127.0.0.1:8080/health', 'http://127.0.0.1:8081/health'],
  });

  it('is plain text lines, not a log entry with escaped newlines', () => {
    const lines = banner.split('\n');
    expect(lines).toContain('Flint is up.');
    expect(lines.length).toBeGreaterThan(6);
    expect(banner).not.toContain('\\n');
    expect(() => JSON.parse(banner)).toThrow();
    for (const line of lines) expect(line).not.toMatch(/^\s*\{.*"(level|message)"/);
  });

  it('says how to open the console, send an event, reach the API and stop', () => {
    expect(banner).toContain('Console:        http://127.0.0.1:8080/#login=abc');
    expect(banner).toContain('curl -X POST http://127.0.0.1:8081/hooks/demo');
    expect(banner).toContain(
      'API:            http://127.0.0.1:8080/api (admin key in .flint/local/admin-api-key)',
    );
    expect(banner).toContain('http://127.0.0.1:8081/health');
    expect(banner).toContain('Stop:           Ctrl-C');
  });
});

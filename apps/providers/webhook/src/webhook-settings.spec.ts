import { webhookSettingsFromEnv } from './webhook-settings';

describe('webhookSettingsFromEnv', () => {
  it('defaults the acknowledgement timeout to 5 s', () => {
    expect(webhookSettingsFromEnv({})).toEqual({ ackTimeoutMs: 5000 });
    expect(webhookSettingsFromEnv({ FLINT_WEBHOOK_ACK_TIMEOUT_MS: '' })).toEqual({
      ackTimeoutMs: 5000,
    });
    expect(webhookSettingsFromEnv({ FLINT_WEBHOOK_ACK_TIMEOUT_MS: '1500' })).toEqual({
      ackTimeoutMs: 1500,
    });
  });

  it('names the variable and the problem', () => {
    expect(() => webhookSettingsFromEnv({ FLINT_WEBHOOK_ACK_TIMEOUT_MS: 'soon' })).toThrow(
      'invalid webhook configuration: FLINT_WEBHOOK_ACK_TIMEOUT_MS must be a whole number of milliseconds',
    );
    expect(() => webhookSettingsFromEnv({ FLINT_WEBHOOK_ACK_TIMEOUT_MS: '10' })).toThrow(
      'FLINT_WEBHOOK_ACK_TIMEOUT_MS must be at least 100',
    );
  });
});

import { CronConfigSchema } from '@flint/contracts';
import { CronProvider } from './cron-provider';

const config = (schedule: string, timezone?: string) =>
  CronConfigSchema.parse({ schedule, ...(timezone === undefined ? {} : { timezone }) });

describe('CronProvider.validate', () => {
  it('gives sources with the same expression and time zone one schedule, others their own', () => {
    const provider = new CronProvider();
    const a = provider.validate(config('* * * * * *')).schedule;
    expect(provider.validate(config('* * * * * *')).schedule).toBe(a);
    expect(provider.validate(config('* * * * * *', 'Europe/Berlin')).schedule).not.toBe(a);
    expect(provider.validate(config('*/2 * * * * *')).schedule).not.toBe(a);
  });
});

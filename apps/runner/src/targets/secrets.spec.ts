import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretNotFoundError } from '@flint/provider-sdk';
import { TargetSecretResolver } from './secrets';

describe('TargetSecretResolver', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flint-secrets-'));
  writeFileSync(join(dir, 'deploy-api-token'), 's3cr3t\n');

  it('reads a secret from its file in the secrets folder, without the trailing newline', async () => {
    const secrets = new TargetSecretResolver({
      FLINT_SECRETS_DIR: dir,
      FLINT_SECRET_DEPLOY_API_TOKEN: 'from-env',
    });
    expect(await secrets.resolve('deploy-api-token')).toBe('s3cr3t');
  });

  it('falls back to FLINT_SECRET_<NAME>', async () => {
    const env = { FLINT_SECRETS_DIR: dir, FLINT_SECRET_ARGO_TOKEN: 'argo' };
    expect(await new TargetSecretResolver(env).resolve('argo-token')).toBe('argo');
    expect(
      await new TargetSecretResolver({ FLINT_SECRET_ARGO_TOKEN: 'argo' }).resolve('argo-token'),
    ).toBe('argo');
  });

  it('says where the missing secret was looked for, never showing a value', async () => {
    await expect(
      new TargetSecretResolver({ FLINT_SECRETS_DIR: dir }).resolve('other'),
    ).rejects.toThrow(
      new SecretNotFoundError(
        'other',
        `add the file ${join(dir, 'other')} or set environment variable FLINT_SECRET_OTHER`,
      ),
    );
    await expect(new TargetSecretResolver({}).resolve('other')).rejects.toThrow(
      'secret "other" is not configured (set environment variable FLINT_SECRET_OTHER)',
    );
  });
});

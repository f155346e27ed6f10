/** The parts of a webhook source's config a curl command needs. */
export interface WebhookEndpoint {
  path: string;
  methods?: string[];
  auth: { type: string; header?: string; prefix?: string; secretRef?: string };
}

/**
 * A curl command that sends a test event to a webhook source, signed the way its `auth` wants.
 * The secret's value is never known to the console; the command reads it from a shell variable.
 */
export function webhookCurl(baseUrl: string, endpoint: WebhookEndpoint): string {
  const url = `${baseUrl}/hooks/${endpoint.path}`;
  const method = endpoint.methods?.[0] ?? 'POST';
  const body = `'{"hello":"world"}'`;
  const lines: string[] = [];
  const auth = endpoint.auth;
  switch (auth.type) {
    case 'hmac-sha256': {
      const header = auth.header ?? 'X-Hub-Signature-256';
      const prefix = auth.prefix ?? 'sha256=';
      lines.push(`BODY=${body}`);
      lines.push(
        `SIG=$(printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET" | sed 's/^.* //')   # SECRET: the value of secret ${auth.secretRef ?? ''}`,
      );
      lines.push(`curl -X ${method} '${url}' \\`);
      lines.push(`  -H 'content-type: application/json' \\`);
      lines.push(`  -H "${header}: ${prefix}$SIG" \\`);
      lines.push(`  --data-binary "$BODY"`);
      return lines.join('\n');
    }
    case 'bearer':
      lines.push(`curl -X ${method} '${url}' \\`);
      lines.push(`  -H 'content-type: application/json' \\`);
      lines.push(
        `  -H "Authorization: Bearer $TOKEN" \\   # TOKEN: the value of secret ${auth.secretRef ?? ''}`,
      );
      lines.push(`  -d ${body}`);
      return lines.join('\n');
    case 'api-key':
      lines.push(`curl -X ${method} '${url}' \\`);
      lines.push(`  -H 'content-type: application/json' \\`);
      lines.push(
        `  -H "${auth.header ?? 'X-Api-Key'}: $KEY" \\   # KEY: the value of secret ${auth.secretRef ?? ''}`,
      );
      lines.push(`  -d ${body}`);
      return lines.join('\n');
    case 'stripe':
      lines.push(`BODY=${body}; TS=$(date +%s)`);
      lines.push(
        `SIG=$(printf '%s.%s' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" | sed 's/^.* //')   # SECRET: the value of secret ${auth.secretRef ?? ''}`,
      );
      lines.push(`curl -X ${method} '${url}' \\`);
      lines.push(`  -H 'content-type: application/json' \\`);
      lines.push(`  -H "Stripe-Signature: t=$TS,v1=$SIG" \\`);
      lines.push(`  --data-binary "$BODY"`);
      return lines.join('\n');
    default:
      return `curl -X ${method} '${url}' \\\n  -H 'content-type: application/json' \\\n  -d ${body}`;
  }
}

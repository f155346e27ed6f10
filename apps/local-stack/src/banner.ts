export interface BannerFacts {
  consoleLink: string;
  webhookUrl: string | undefined;
  apiUrl: string | undefined;
  /** Where the admin key is: an environment variable or a file. */
  adminKeyFrom: string;
  healthUrls: string[];
}

/**
 * What a person needs once the stack is up, as plain lines for the terminal: it is written to stdout
 * as it is, not as a log entry, so it reads the same whatever the log format.
 */
export function upBanner(facts: BannerFacts): string {
  return [
    '',
    'Flint is up.',
    `  Console:        ${facts.consoleLink}`,
    '                  (signs you in once, within 15 minutes; afterwards sign in with the admin key)',
    `  Send an event:  curl -X POST ${facts.webhookUrl}/hooks/demo -H 'content-type: application/json' -d '{"hello":"world"}'`,
    `  API:            ${facts.apiUrl}/api (admin key in ${facts.adminKeyFrom})`,
    `  Health:         ${facts.healthUrls.join(' ')}`,
    '  Stop:           Ctrl-C',
    '',
  ].join('\n');
}

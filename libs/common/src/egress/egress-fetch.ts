import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { bareHost, type EgressPolicy } from './egress-policy';

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `dns.lookup` that refuses names resolving to an address the policy refuses (any of them: an
 * attacker's name may resolve to a public and a metadata address at once). For clients that take a
 * `lookup` option (`http.request`, `net.connect`, the `ws` WebSocket client); they must still check an
 * IP literal host themselves with `policy.check`, since no lookup happens for one.
 */
export function egressLookup(policy: EgressPolicy) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      try {
        for (const { address } of addresses) policy.check(hostname, address);
      } catch (refused) {
        return callback(refused as NodeJS.ErrnoException, []);
      }
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      if (first === undefined) {
        return callback(
          Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }),
          [],
        );
      }
      callback(null, first.address, first.family);
    });
  };
}

/**
 * An undici dispatcher whose every connection (redirects too) passes the policy: an IP literal host is
 * checked before connecting, a name after resolving it.
 */
export function egressDispatcher(policy: EgressPolicy): Agent {
  const connect = buildConnector({ lookup: egressLookup(policy) });
  return new Agent({
    connect: (options, callback) => {
      const host = bareHost(options.hostname);
      if (isIP(host) !== 0) {
        try {
          policy.check(host, host);
        } catch (refused) {
          callback(refused as Error, null);
          return;
        }
      }
      connect(options, callback);
    },
  });
}

/**
 * `fetch` under the egress policy. undici's fetch is the one inside Node, and its Response is used
 * here the way the global one is (status, headers, body stream, text()).
 */
export function egressFetch(policy: EgressPolicy): typeof fetch {
  const dispatcher = egressDispatcher(policy);
  return ((input: string | URL, init?: RequestInit) =>
    undiciFetch(input, {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    })) as unknown as typeof fetch;
}

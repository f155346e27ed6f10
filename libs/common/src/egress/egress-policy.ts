import { BlockList, isIP } from 'node:net';

/** Ranges no user-chosen URL may reach unless the operator allows them: link-local and cloud metadata. */
const ALWAYS_REFUSED: readonly RefusedRange[] = [
  { cidr: '169.254.0.0/16', rule: 'link-local and cloud metadata (169.254.0.0/16)' },
  { cidr: 'fe80::/10', rule: 'link-local (fe80::/10)' },
  { cidr: 'fd00:ec2::254/128', rule: 'cloud metadata (fd00:ec2::254)' },
  { cidr: '100.100.100.200/32', rule: 'cloud metadata (100.100.100.200)' },
];

/** Refused as well when private ranges are refused (`FLINT_EGRESS_PRIVATE=deny`). */
const PRIVATE: readonly RefusedRange[] = [
  { cidr: '127.0.0.0/8', rule: 'loopback (127.0.0.0/8)' },
  { cidr: '::1/128', rule: 'loopback (::1)' },
  { cidr: '0.0.0.0/8', rule: 'this host (0.0.0.0/8)' },
  { cidr: '::/128', rule: 'this host (::)' },
  { cidr: '10.0.0.0/8', rule: 'private (10.0.0.0/8)' },
  { cidr: '172.16.0.0/12', rule: 'private (172.16.0.0/12)' },
  { cidr: '192.168.0.0/16', rule: 'private (192.168.0.0/16)' },
  { cidr: '100.64.0.0/10', rule: 'shared address space (100.64.0.0/10)' },
  { cidr: 'fc00::/7', rule: 'unique local (fc00::/7)' },
];

interface RefusedRange {
  cidr: string;
  rule: string;
}

export interface EgressPolicyOptions {
  /** Refuse loopback, private and unique-local addresses too. */
  refusePrivate: boolean;
  /**
   * What the operator allows whatever the rules: CIDRs (`10.1.0.0/16`, `::1/128`), single addresses,
   * host names (`hooks.internal`) and subdomain wildcards (`*.corp.example`).
   */
  allow: readonly string[];
}

/** A connection the egress rules refuse; says which rule, and how an operator may allow it. */
export class EgressRefusedError extends Error {
  override readonly name = 'EgressRefusedError';

  constructor(
    readonly host: string,
    readonly address: string,
    readonly rule: string,
  ) {
    super(
      `egress to ${host}${host === address ? '' : ` (${address})`} is refused: ${rule}; ` +
        'an operator may allow it with FLINT_EGRESS_ALLOW',
    );
  }
}

/**
 * Which addresses Flint may connect to for URLs that users choose (HTTP targets, poller URLs,
 * WebSocket and SSE URLs, S3 endpoints). Checked on the resolved address of each connection, so a
 * name that resolves elsewhere later (DNS rebinding) or a redirect cannot reach what the rules refuse.
 */
export class EgressPolicy {
  private readonly allowedAddresses = new BlockList();
  private readonly allowedHosts: string[] = [];
  private readonly allowedSuffixes: string[] = [];
  private readonly refused: { list: BlockList; rule: string }[];

  constructor(options: EgressPolicyOptions) {
    for (const entry of options.allow) this.addAllowed(entry.trim());
    const ranges = options.refusePrivate ? [...ALWAYS_REFUSED, ...PRIVATE] : ALWAYS_REFUSED;
    this.refused = ranges.map(({ cidr, rule }) => ({ list: subnetList(cidr), rule }));
  }

  /** The default: link-local and metadata refused, everything else allowed. */
  static readonly DEFAULT = new EgressPolicy({ refusePrivate: false, allow: [] });

  /** Throws `EgressRefusedError` when a connection to `address` (resolved from `host`) is refused. */
  check(host: string, address: string): void {
    const rule = this.refusal(host, address);
    if (rule !== undefined) throw new EgressRefusedError(host, address, rule);
  }

  /** The rule that refuses the connection, or undefined when it is allowed. */
  refusal(host: string, address: string): string | undefined {
    const name = bareHost(host).toLowerCase();
    if (this.allowedHosts.includes(name)) return undefined;
    if (this.allowedSuffixes.some((suffix) => name.endsWith(suffix))) return undefined;
    const ip = normalizeAddress(address);
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    if (isIP(ip) === 0) return `"${address}" is not an IP address`;
    if (this.allowedAddresses.check(ip, family)) return undefined;
    return this.refused.find(({ list }) => list.check(ip, family))?.rule;
  }

  private addAllowed(entry: string): void {
    if (entry === '') return;
    const [base, prefix] = entry.split('/');
    const ip = normalizeAddress(base ?? '');
    if (isIP(ip) !== 0) {
      const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
      const bits = prefix === undefined ? (family === 'ipv6' ? 128 : 32) : Number(prefix);
      const max = family === 'ipv6' ? 128 : 32;
      if (!Number.isInteger(bits) || bits < 0 || bits > max || !/^\d*$/.test(prefix ?? '')) {
        throw new Error(`FLINT_EGRESS_ALLOW: "${entry}" has no valid prefix length (0-${max})`);
      }
      this.allowedAddresses.addSubnet(ip, bits, family);
      return;
    }
    if (prefix !== undefined) throw new Error(`FLINT_EGRESS_ALLOW: "${entry}" is not a CIDR`);
    const host = entry.toLowerCase();
    if (host.startsWith('*.') && HOST_NAME.test(host.slice(2))) {
      this.allowedSuffixes.push(host.slice(1));
    } else if (HOST_NAME.test(host)) {
      this.allowedHosts.push(host);
    } else {
      throw new Error(
        `FLINT_EGRESS_ALLOW: "${entry}" is neither a CIDR, an address, a host name nor *.domain`,
      );
    }
  }
}

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function subnetList(cidr: string): BlockList {
  const [base, bits] = cidr.split('/') as [string, string];
  const list = new BlockList();
  list.addSubnet(base, Number(bits), isIP(base) === 6 ? 'ipv6' : 'ipv4');
  return list;
}

/** `[::1]` → `::1`: URL host names keep IPv6 literals in brackets. */
export function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * An IPv4 address in IPv6 clothing (`::ffff:169.254.169.254`, which URL parsing writes as
 * `::ffff:a9fe:a9fe`) is the IPv4 address: the rules must see through it.
 */
function normalizeAddress(raw: string): string {
  const address = bareHost(raw).toLowerCase();
  const mapped = /^::ffff:(?:0:)?(.+)$/.exec(address)?.[1];
  if (mapped === undefined) return address;
  if (isIP(mapped) === 4) return mapped;
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(mapped);
  if (hex === null) return address;
  const high = parseInt(hex[1] as string, 16);
  const low = parseInt(hex[2] as string, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

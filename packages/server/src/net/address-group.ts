import { isIPv4, isIPv6 } from 'node:net';

/*
 * Whom a limit counts together. One person has one IPv4 address, but an
 * IPv6 user commonly has a whole /64 (and an attacker can use every address
 * in it), so per-address limits count a /64 as one address. Limits on what
 * a whole network may do (account creation) count an IPv4 /24 or an IPv6
 * /64 as one network.
 */

/** An IPv4 address mapped into IPv6 (`::ffff:1.2.3.4`), as Node reports IPv4 peers of a dual-stack socket. */
const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** The eight 16-bit groups of an IPv6 address, as numbers. */
function ipv6Groups(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const zeros = new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}

function plainIpv4(address: string): string | undefined {
  if (isIPv4(address)) return address;
  return MAPPED_V4.exec(address)?.[1];
}

/** The key per-address limits count by: an IPv4 address, or an IPv6 /64. */
export function addressKey(address: string): string {
  const v4 = plainIpv4(address);
  if (v4 !== undefined) return v4;
  if (!isIPv6(address)) return address;
  const groups = ipv6Groups(address.split('%')[0]!);
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The network a whole-network limit counts by: an IPv4 /24, or an IPv6 /64. */
export function networkKey(address: string): string {
  const v4 = plainIpv4(address);
  if (v4 !== undefined) return `${v4.split('.').slice(0, 3).join('.')}.0/24`;
  return addressKey(address);
}

/** Whether the address is the machine's own (loopback). */
export function isLoopback(address: string): boolean {
  const v4 = plainIpv4(address);
  if (v4 !== undefined) return v4.startsWith('127.');
  return address === '::1';
}

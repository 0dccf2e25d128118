import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, LookupAddress } from 'node:dns';

/**
 * Server-side request forgery guard for webhooks (issue 17). A destination that is, or resolves
 * to, a loopback, private, link-local (the cloud metadata service, 169.254.169.254), CGNAT,
 * multicast, reserved or unspecified address is refused, when the subscription is saved and again
 * at delivery, on the address actually connected to (DNS is resolved once, checked, then used),
 * so a name that re-resolves to an internal address between the two is refused too.
 * WEBHOOK_ALLOW_INTERNAL lists the internal ranges an admin allows (e.g. an intranet receiver).
 */
const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  INTERNAL.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  INTERNAL.addSubnet(net, prefix, 'ipv6');

/** `127.0.0.0/8, ::1/128` -> a BlockList of what is allowed although internal. */
export function parseAllowList(text: string | undefined): BlockList {
  const list = new BlockList();
  for (const part of (text ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [net, bits] = part.split('/');
    const family = isIP(net);
    if (!family || bits === undefined) continue;
    list.addSubnet(net, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/** The IPv4 address inside an IPv4-mapped IPv6 one (::ffff:127.0.0.1), else the address as given. */
function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (m) return { address: m[1], family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export function isInternalAddress(address: string, allow?: BlockList): boolean {
  const a = unmapped(address.replace(/^\[|\]$/g, ''));
  if (!isIP(a.address)) return true; // not an address at all: refuse
  if (allow?.check(a.address, a.family)) return false;
  return INTERNAL.check(a.address, a.family);
}

export class ForbiddenDestinationError extends Error {}

/**
 * A `dns.lookup` replacement for http(s).request: resolves, refuses when any address is internal
 * (and not allowed), and hands the checked address to the socket.
 */
export function guardedLookup(allow: BlockList) {
  return (hostname: string, options: object, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as LookupAddress[];
      const bad = list.find((a) => isInternalAddress(a.address, allow));
      if (bad || !list.length) {
        return callback(Object.assign(new ForbiddenDestinationError(`${hostname} resolves to an internal address (${bad?.address ?? 'none'})`), { code: 'EWTTFORBIDDEN' }), '', 0);
      }
      if ((options as { all?: boolean }).all) return callback(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}

/**
 * When a subscription is saved: the URL's host, if an address, or what its name resolves to now,
 * must not be internal. A name that does not resolve yet is accepted (delivery checks again).
 */
export async function destinationProblem(url: string, allow: BlockList): Promise<string | null> {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return 'is not a URL';
  }
  if (isIP(host)) return isInternalAddress(host, allow) ? 'must not point at a loopback, private, link-local or reserved address' : null;
  if (host === 'localhost' || host.endsWith('.localhost')) return 'must not point at a loopback, private, link-local or reserved address';
  const addresses = await new Promise<LookupAddress[]>((resolve) => dnsLookup(host, { all: true }, (err, a) => resolve(err ? [] : a)));
  return addresses.some((a) => isInternalAddress(a.address, allow)) ? 'resolves to a loopback, private, link-local or reserved address' : null;
}

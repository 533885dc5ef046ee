/**
 * The value types of kickstart options, as pykickstart's option parser (pykickstart/options.py,
 * argparse `type=`) and Anaconda read them. Each checker takes the text after `--opt=` and
 * returns undefined when it is acceptable, or what was expected.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type ValueType =
  | { kind: 'string' }
  /** Python's int(): optional sign, digits, single underscores between digits. */
  | { kind: 'int' }
  /** pykickstart's ksboolean: on/yes/true/1 or off/no/false/0, any case. */
  | { kind: 'ksboolean' }
  /** argparse `choices=` (exact) or a callback that upper-cases first (raid --level). */
  | { kind: 'choice'; choices: readonly string[]; ignoreCase?: boolean }
  /** Read by Anaconda's network configuration, which refuses a malformed address. */
  | { kind: 'ipv4' }
  | { kind: 'ip' }
  /** A dotted IPv4 netmask or a prefix length 0–32. */
  | { kind: 'netmask' }
  /** pykickstart commaSplit of addresses (network --nameserver). */
  | { kind: 'ip-list' }
  /** network --ipv6: auto, dhcp, or address[/prefix]. */
  | { kind: 'ipv6-config' };

const pythonInt = /^\s*[+-]?\d+(_\d+)*\s*$/;
const ksTrue = ['on', 'yes', 'true', '1'];
const ksFalse = ['off', 'no', 'false', '0'];

/** Returns what was expected when `value` is not of `type`, else undefined. */
export function checkValue(type: ValueType, value: string): string | undefined {
  switch (type.kind) {
    case 'string':
      return undefined;
    case 'int':
      return pythonInt.test(value) ? undefined : 'an integer';
    case 'ksboolean': {
      const v = value.toLowerCase();
      return ksTrue.includes(v) || ksFalse.includes(v) ? undefined : `a boolean (${[...ksTrue, ...ksFalse].join('|')})`;
    }
    case 'choice': {
      const v = type.ignoreCase === true ? value.toUpperCase() : value;
      return type.choices.includes(v) ? undefined : `one of ${type.choices.join(', ')}`;
    }
    case 'ipv4':
      return isIPv4(value) ? undefined : 'an IPv4 address';
    case 'ip':
      return isIPv4(value) || isIPv6(value) ? undefined : 'an IP address';
    case 'netmask': {
      if (/^\d{1,2}$/.test(value) && Number(value) <= 32) return undefined;
      return isIPv4(value) ? undefined : 'a netmask (dotted IPv4 or a prefix length 0–32)';
    }
    case 'ip-list': {
      const parts = value.split(',').map((p) => p.trim()).filter((p) => p !== '');
      const bad = parts.find((p) => !isIPv4(p) && !isIPv6(p));
      if (parts.length === 0) return 'a comma-separated list of IP addresses';
      return bad === undefined ? undefined : `a comma-separated list of IP addresses ('${bad}' is not one)`;
    }
    case 'ipv6-config': {
      if (value === 'auto' || value === 'dhcp') return undefined;
      const slash = value.indexOf('/');
      const addr = slash === -1 ? value : value.slice(0, slash);
      const prefix = slash === -1 ? undefined : value.slice(slash + 1);
      if (!isIPv6(addr)) return 'auto, dhcp or an IPv6 address[/prefix]';
      if (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= 128)) return 'auto, dhcp or an IPv6 address[/prefix]';
      return undefined;
    }
  }
}

/**
 * What the wizard offers before anyone types, in the style of Anvil!'s defaults: the back-channel
 * on 10.201.0.0/16, storage on 10.101.0.0/16, migration on 10.199.0.0/16, Strikers at x.x.4.<sequence>;
 * the internet-facing network and the DNS servers are the site's own, so they start empty (an
 * offline appliance has no business pointing at a public resolver).
 */
import type { IdentityInput, NetworkName } from './identity-schema.js';

const anvilNetworks: Record<Exclude<NetworkName, 'ifn'>, string> = { bcn: '10.201', sn: '10.101', mn: '10.199' };

/** The address a Striker with this sequence number takes on an Anvil! network (`10.201.4.1` for striker 1). */
export function defaultAddress(name: Exclude<NetworkName, 'ifn'>, sequence: number): string {
  return `${anvilNetworks[name]}.4.${sequence}`;
}

/** Anvil!'s host name pattern: `<prefix>-striker<NN>.<domain>`. */
export function defaultHostName(prefix: string, sequence: number, domain: string): string {
  const short = `${prefix || 'an'}-striker${String(sequence).padStart(2, '0')}`;
  return domain ? `${short}.${domain}` : short;
}

export function identityDefaults(sequence = 1): IdentityInput {
  return {
    prefix: '',
    sequence,
    domain: '',
    hostName: '',
    networks: {
      bcn: { subnet: '10.201.0.0/16', address: defaultAddress('bcn', sequence) },
      sn: { subnet: '10.101.0.0/16', address: defaultAddress('sn', sequence) },
      ifn: { subnet: '', address: '', gateway: '' },
      mn: { subnet: '10.199.0.0/16', address: defaultAddress('mn', sequence) },
    },
    dns: [],
    ntp: [],
    mtu: 1500,
  };
}

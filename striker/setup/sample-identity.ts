/**
 * A complete, valid identity for tests and examples: Anvil! defaults plus a site IFN.
 */
import type { Identity } from './identity-schema.js';

export function sampleIdentity(over: Partial<Identity> = {}): Identity {
  return {
    prefix: 'an',
    sequence: 1,
    domain: 'alteeve.example',
    hostName: 'an-striker01.alteeve.example',
    networks: {
      bcn: { subnet: '10.201.0.0/16', address: '10.201.4.1' },
      sn: { subnet: '10.101.0.0/16', address: '10.101.4.1' },
      ifn: { subnet: '192.168.122.0/24', address: '192.168.122.10', gateway: '192.168.122.1' },
      mn: { subnet: '10.199.0.0/16', address: '10.199.4.1' },
    },
    dns: ['192.168.122.1', '8.8.8.8'],
    ntp: ['pool.ntp.example'],
    mtu: 1500,
    ...over,
  };
}

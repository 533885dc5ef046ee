/**
 * This Striker as its peers see it: its API address and how their databases reach its own, and
 * the secrets a peering generates (a replication role password, the shared peer token).
 */
import { randomBytes } from 'node:crypto';
import type { PeersConfig } from './peers-config.js';

export interface SelfLink {
  /** This Striker's API base URL as peers reach it. */
  address: string;
  database: { host: string; port: number; name: string };
}

/** From the database URL and the `peers` configuration. */
export function selfLink(databaseUrl: string, listeningUrl: string, config: PeersConfig, publicUrl?: string): SelfLink {
  const url = new URL(databaseUrl);
  return {
    address: config.address ?? publicUrl ?? listeningUrl,
    database: {
      host: config.databaseHost ?? url.hostname,
      port: Number(url.port || 5432),
      name: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres',
    },
  };
}

/** 32 random bytes, base64url (43 characters): role passwords and peer tokens. */
export function generatedSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The host names browsers may use for Striker's public state-changing requests (login, first-run
 * setup), from the configuration: `http.allowedHosts`, the host of `http.publicUrl` and of
 * `pxe.httpUrl`, and `http.host` when it is a name rather than a wildcard. `localhost` and IP
 * literals are always accepted (striker/http/host-allow-list.ts).
 */
import type { StrikerConfig } from './schema.js';

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

export function publicHostNames(config: Pick<StrikerConfig, 'http' | 'pxe'>): string[] {
  const names = [...config.http.allowedHosts];
  for (const url of [config.http.publicUrl, config.pxe.httpUrl]) {
    if (url !== undefined) names.push(new URL(url).hostname);
  }
  if (!WILDCARDS.has(config.http.host)) names.push(config.http.host);
  return [...new Set(names.map((n) => n.toLowerCase()))];
}

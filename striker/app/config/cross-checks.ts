/**
 * The rules that span sections or that a schema cannot say (subnets that must contain pools,
 * an enabled PXE that must name its interface). Paths are full key paths.
 */
import type { Problem } from '../../core/errors/index.js';
import { checkPxeConfig } from '../../../pxe/pxe-config.js';
import type { StrikerConfig } from './schema.js';

/** Striker's HTTP base URL as machines on the PXE network reach it. */
export function pxeHttpUrl(config: StrikerConfig): string {
  return config.pxe.httpUrl ?? `http://${config.pxe.address ?? '127.0.0.1'}${config.http.port === 80 ? '' : `:${config.http.port}`}`;
}

export function crossCheckConfig(config: StrikerConfig): Problem[] {
  return checkPxeConfig(config.pxe, pxeHttpUrl(config)).map((p) => ({ path: `pxe.${p.path}`, message: p.message }));
}

/**
 * Changing the PXE settings, once for the API (and any CLI that calls it): validation against
 * the host's real interfaces, the merged configuration checked as `striker serve` checks its
 * file, the PXE services restarted in process with it, then the row and its audit entry in one
 * transaction. Settings the services cannot start with are refused (409) and not stored; the
 * services keep running as they were.
 */
import { audit, type ActionOptions, type Actor } from '../audit/audit-store.js';
import { ConfigError, ConflictError, ValidationError, type Problem } from '../core/errors/index.js';
import { parseInput, problemsUnder } from '../core/validation/zod-problems.js';
import type { Database } from '../db/database.js';
import { parsePxeConfig, pxeSettingsProblems, pxeSettingsSchema, withPxeSettings, type HostInterface, type PxeConfig, type PxeSettings } from '../../pxe/index.js';
import { loadPxeSettings, savePxeSettings, type StoredPxeSettings } from './pxe-settings-store.js';

export interface PxeSettingsDeps {
  db: Database;
  /** The configuration file's `pxe:` section. */
  base: PxeConfig;
  /** Striker's HTTP base URL as machines reach it when PXE has `config` (its address). */
  httpUrl: (config: { httpUrl?: string | undefined; address?: string | undefined }) => string;
  interfaces: () => Promise<HostInterface[]>;
  /** Restarts the PXE services with a configuration (PxeRuntime.apply). */
  apply: (config: PxeConfig) => Promise<void>;
}

/** A problem of the merged DHCP configuration, under the settings field it comes from. */
function settingsField(path: string): string {
  if (/^dhcp\.subnets\.0\.pools\.0\.end/.test(path)) return 'rangeEnd';
  if (/^dhcp\.subnets\.0\.pools/.test(path)) return 'rangeStart';
  if (path.startsWith('dhcp.subnets')) return 'subnet';
  if (path.startsWith('dhcp.serverAddress')) return 'address';
  return path;
}

/** The configuration PXE runs with: the file's, with stored settings laid over it. */
export function effectivePxeConfig(deps: Pick<PxeSettingsDeps, 'base' | 'httpUrl'>, stored: PxeSettings | undefined, source = 'pxe_settings'): PxeConfig {
  if (stored === undefined) return deps.base;
  const input = withPxeSettings(deps.base, stored);
  return parsePxeConfig(input, deps.httpUrl({ httpUrl: deps.base.httpUrl, address: stored.address }), source);
}

/** The PXE configuration as saved: the file's, with the saved settings over it (the file's alone when they no longer fit it). */
export async function savedPxeConfig(deps: Pick<PxeSettingsDeps, 'db' | 'base' | 'httpUrl'>): Promise<PxeConfig> {
  const saved = await loadPxeSettings(deps.db);
  if (saved === undefined) return deps.base;
  try {
    return effectivePxeConfig(deps, saved);
  } catch {
    return deps.base;
  }
}

export async function changePxeSettings(deps: PxeSettingsDeps, actor: Actor, input: unknown, options: ActionOptions = {}): Promise<StoredPxeSettings> {
  const path = options.inputPath ?? '';
  const settings = parseInput(pxeSettingsSchema, input, 'PXE settings', path);
  const problems = pxeSettingsProblems(settings, await deps.interfaces());
  if (problems.length > 0) throw new ValidationError(problemsUnder(path, problems), 'PXE settings');
  let config: PxeConfig;
  try {
    config = effectivePxeConfig(deps, settings);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const mapped: Problem[] = error.problems.map((p) => ({ path: settingsField(p.path), message: p.message }));
    throw new ValidationError(problemsUnder(path, mapped), 'PXE settings');
  }
  try {
    await deps.apply(config);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConflictError(`PXE could not start with these settings (${message}); they were not saved and PXE runs as before`, { reason: message });
  }
  await deps.db.tx(async (t) => {
    await savePxeSettings(t, settings, actor.userId);
    await audit(t, actor, { action: 'pxe.settings', targetKind: 'settings', targetId: 'pxe', details: { ...settings }, requestId: options.requestId });
  });
  return (await loadPxeSettings(deps.db))!;
}

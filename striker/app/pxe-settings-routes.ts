/**
 * PXE settings over the API:
 *   GET /api/settings/pxe       viewer  what PXE runs with, what is saved, what the form suggests
 *   PUT /api/settings/pxe       admin   change them; PXE restarts in process (pxe-settings-actions.ts)
 *   GET /api/network/interfaces viewer  the host's interfaces (name, MAC, link state, speed, IPv4)
 */
import type { FastifyInstance } from 'fastify';
import { runningPxeSettings, suggestPxeSettings, type HostInterfacesResponse, type PxeConfig, type PxeSettingsResponse } from '../../pxe/index.js';
import { loadIdentity } from '../setup/index.js';
import { changePxeSettings, type PxeSettingsDeps } from './pxe-settings-actions.js';
import { loadPxeSettings } from './pxe-settings-store.js';

export function pxeSettingsRoutes(app: FastifyInstance, deps: PxeSettingsDeps & { running: () => PxeConfig }): void {
  const answer = async (): Promise<PxeSettingsResponse> => {
    const [saved, identity, interfaces] = await Promise.all([loadPxeSettings(deps.db), loadIdentity(deps.db), deps.interfaces()]);
    return {
      running: runningPxeSettings(deps.running()),
      source: saved === undefined ? 'config' : 'settings',
      saved: saved ?? null,
      suggested: suggestPxeSettings(identity?.identity.networks.bcn, interfaces),
    };
  };

  app.get('/api/settings/pxe', { config: { access: 'viewer' } }, answer);

  app.put('/api/settings/pxe', { config: { access: 'admin' } }, async (request): Promise<PxeSettingsResponse> => {
    await changePxeSettings(deps, request.actor!, request.body, { requestId: request.id, inputPath: 'body' });
    return answer();
  });

  app.get('/api/network/interfaces', { config: { access: 'viewer' } }, async (): Promise<HostInterfacesResponse> => ({ interfaces: await deps.interfaces() }));
}

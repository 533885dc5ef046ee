import type { PageLoad } from './$types';

export interface PlanFile { path: string; mode: number; content: string; why: string }
export interface SettingsData {
  configured: boolean;
  manage: boolean;
  identity: null | {
    hostName: string; prefix: string; sequence: number; domain: string;
    networks: Record<'bcn' | 'sn' | 'ifn' | 'mn', { subnet: string; address: string; gateway?: string }>;
    dns: string[]; ntp: string[]; mtu: number;
  };
  plan: null | { jobId: string | null; applied: boolean; createdAt: string; plan: { hostName: string; files: PlanFile[]; commands: { argv: string[]; why: string }[] } };
}

export const load: PageLoad = async ({ fetch }) => {
  const res = await fetch('/api/setup/identity', { headers: { accept: 'application/json' } });
  return { settings: (await res.json()) as SettingsData };
};

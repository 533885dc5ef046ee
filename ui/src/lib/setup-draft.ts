/**
 * What has been typed into the setup wizard, kept in the tab's sessionStorage so a reload (or a
 * visit elsewhere and back) returns to the same step with the same input. Passwords are never
 * kept. Cleared when the wizard finishes.
 */
const KEY = 'striker.setup.draft';

export interface SetupDraft {
  host: { prefix: string; sequence: string; domain: string; hostName: string };
  networks: Record<'bcn' | 'sn' | 'mn', { subnet: string; address: string; links: string[] }> & { ifn: { subnet: string; address: string; gateway: string; links: string[] } };
  services: { dns: string; ntp: string; mtu: string };
  hostNameTouched: boolean;
  networksTouched: boolean;
}

export function loadDraft(): SetupDraft | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (raw === null) return undefined;
    const draft = JSON.parse(raw) as SetupDraft;
    if (typeof draft !== 'object' || draft === null || typeof draft.host !== 'object' || typeof draft.networks !== 'object' || typeof draft.services !== 'object') return undefined;
    for (const n of ['bcn', 'sn', 'ifn', 'mn'] as const) {
      if (typeof draft.networks[n] !== 'object' || draft.networks[n] === null) return undefined;
      if (!Array.isArray(draft.networks[n].links)) draft.networks[n].links = ['', ''];
    }
    return draft;
  } catch {
    return undefined;
  }
}

export function saveDraft(draft: SetupDraft): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(draft));
  } catch {
    // Storage full or refused: the wizard still works, it just forgets on reload.
  }
}

export function clearDraft(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing kept
  }
}

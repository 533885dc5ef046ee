/**
 * The wizard's draft, shared by its step pages, so Back and Next keep every input. It is kept in
 * the tab's session storage on every change (so a reload keeps it) without the secrets typed in it:
 * a password stays in memory only until the manifest is stored, encrypted, on the Striker.
 */
import { newDraft, withoutSecrets, type ManifestDraft } from './draft.js';

const KEY_PREFIX = 'striker.manifest-draft.';

function read(id: string): ManifestDraft | undefined {
  try {
    const text = sessionStorage.getItem(KEY_PREFIX + id);
    return text === null ? undefined : (JSON.parse(text) as ManifestDraft);
  } catch {
    return undefined;
  }
}

class DraftStore {
  /** 'new' until the manifest is stored, then its id. */
  id = $state('');
  draft = $state<ManifestDraft>(newDraft());

  /** Starts editing manifest `id`: the draft already open, else the one kept in this tab, else `make()`. */
  open(id: string, make: () => ManifestDraft): void {
    if (this.id === id) return;
    this.id = id;
    this.draft = read(id) ?? make();
  }

  /** Keeps the draft (secrets left out) in the tab's session storage. */
  keep(): void {
    if (this.id === '') return;
    try {
      sessionStorage.setItem(KEY_PREFIX + this.id, JSON.stringify(withoutSecrets($state.snapshot(this.draft) as ManifestDraft)));
    } catch {
      // Storage full or refused: the draft still lives in memory for this visit.
    }
  }

  /** The manifest was stored as `id`: the draft goes on under that id, and the new-manifest draft is cleared. */
  stored(id: string): void {
    if (this.id !== id) sessionStorage.removeItem(KEY_PREFIX + this.id);
    this.id = id;
    this.keep();
  }

  /** Forgets the draft of `id` (after a reload from the server or a fresh start). */
  forget(id: string): void {
    sessionStorage.removeItem(KEY_PREFIX + id);
    if (this.id === id) this.id = '';
  }
}

export const drafts = new DraftStore();

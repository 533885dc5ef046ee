/**
 * The setup checklist the dashboard shows: the steps from a fresh Striker to a described pair, in
 * the order an installer takes them, each read from the real state by the area that owns it (the
 * app hands each area's reader in as a `StepSource`) and linked to the page that does it. A step whose source is not wired into this Striker (no
 * manifest area yet) is left out rather than shown as undone. Assembly is pure; the route reads
 * every step at once and one failing read is shown as that step's error, not the whole list's.
 */
export type SetupStepId = 'media' | 'repos' | 'root-password' | 'pxe' | 'machines' | 'manifest';

/** What the area that owns a step says about it. */
export interface StepState {
  done: boolean;
  detail: string;
}

export interface SetupStep extends StepState {
  id: SetupStepId;
  title: string;
  /** The UI page that does this step. */
  href: string;
  /** The read failed: `done` is false and `detail` says why. */
  error?: boolean;
}

/** GET /api/setup/checklist */
export interface SetupChecklistResponse {
  steps: SetupStep[];
  /** Every step is done: the dashboard hides the checklist. */
  complete: boolean;
  /** The first step not done, or null. */
  next: SetupStepId | null;
}

/** Reads one step's state; each area exports one (through its index.ts). */
export type StepSource = () => Promise<StepState>;

export type StepSources = Partial<Record<SetupStepId, StepSource>>;

export const setupStepOrder: readonly { id: SetupStepId; title: string; href: string }[] = [
  { id: 'media', title: 'Import OS media', href: '/repos' },
  { id: 'repos', title: 'Sync repos', href: '/repos' },
  { id: 'root-password', title: 'Set the kickstart root password', href: '/settings/kickstart' },
  { id: 'pxe', title: 'Turn PXE on', href: '/settings/pxe' },
  { id: 'machines', title: 'Power on your nodes', href: '/machines' },
  { id: 'manifest', title: 'Describe the pair', href: '/manifests' },
];

/** The checklist from each step's state (`undefined`: not wired, left out; an Error: the read failed). */
export function assembleChecklist(states: Partial<Record<SetupStepId, StepState | Error>>): SetupChecklistResponse {
  const steps: SetupStep[] = [];
  for (const step of setupStepOrder) {
    const state = states[step.id];
    if (state === undefined) continue;
    if (state instanceof Error) steps.push({ ...step, done: false, detail: `Could not be read: ${state.message}`, error: true });
    else steps.push({ ...step, done: state.done, detail: state.detail });
  }
  const next = steps.find((s) => !s.done)?.id ?? null;
  return { steps, complete: next === null, next };
}

/** Reads every wired step at once; a failing read becomes that step's error (and is told to `onError`). */
export async function readChecklist(sources: StepSources, onError?: (id: SetupStepId, error: unknown) => void): Promise<SetupChecklistResponse> {
  const entries = await Promise.all(
    setupStepOrder.map(async ({ id }): Promise<[SetupStepId, StepState | Error | undefined]> => {
      const source = sources[id];
      if (source === undefined) return [id, undefined];
      try {
        return [id, await source()];
      } catch (error) {
        onError?.(id, error);
        return [id, error instanceof Error ? error : new Error(String(error))];
      }
    }),
  );
  return assembleChecklist(Object.fromEntries(entries.filter(([, s]) => s !== undefined)));
}

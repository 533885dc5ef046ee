import { stepOf } from '../../../../striker/manifest/validate-manifest.js';

/** The wizard's steps in order, with their titles; each step is its own page under /manifests/<id>/. */
export const steps = ['pair', 'networks', 'hosts', 'fencing', 'power', 'review'] as const;
export type Step = (typeof steps)[number];

export const stepTitles: Record<Step, string> = {
  pair: 'Pair',
  networks: 'Networks',
  hosts: 'Hosts',
  fencing: 'Fencing',
  power: 'Power',
  review: 'Review',
};

export function stepUrl(id: string, step: Step): string {
  return `/manifests/${id}/${step}`;
}

export function nextStep(step: Step): Step | undefined {
  return steps[steps.indexOf(step) + 1];
}

export function previousStep(step: Step): Step | undefined {
  return steps[steps.indexOf(step) - 1];
}

/** The step whose page holds the field at a problem's key path (the document as a whole: the first). */
export function stepOfPath(path: string): Step {
  return stepOf(path) ?? 'pair';
}

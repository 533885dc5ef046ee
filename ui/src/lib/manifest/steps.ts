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

/** The step whose page holds the field at a problem's key path. */
export function stepOfPath(path: string): Step {
  if (path.startsWith('pair') || path.startsWith('clusterPassword') || path === 'version' || path === '') return 'pair';
  if (path.startsWith('networks') || path.startsWith('dns') || path.startsWith('ntp')) return 'networks';
  if (/^hosts\.[a-z0-9]+\.(ipmi|pduOutlets)/.test(path) || path.startsWith('fenceDevices')) return 'fencing';
  if (path.startsWith('hosts')) return 'hosts';
  if (path.startsWith('upses')) return 'power';
  return 'review';
}

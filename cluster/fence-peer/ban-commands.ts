/**
 * The commands behind resource-level fencing of a DRBD peer (argv arrays for the command adapter).
 * A ban is a permanent node attribute on the peer, `striker-drbd-fenced-<resource>=1`, plus one
 * location constraint per resource whose rule keeps the pacemaker resource of the same name off
 * any node carrying that attribute. Lifting the ban deletes the attribute; the constraint stays
 * and bans nothing until the next fence. Power fencing asks pacemaker's fencer, so it goes
 * through the pair's fencing levels like any other fence.
 */
const resourceName = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const nodeName = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function check(resource: string, peer: string): void {
  if (!resourceName.test(resource)) throw new RangeError(`DRBD resource name must be letters, digits, '_', '.', '-' — got '${resource}'`);
  if (!nodeName.test(peer)) throw new RangeError(`peer node name must be a host name like an-a01n02 — got '${peer}'`);
}

export function banAttribute(resource: string): string {
  return `striker-drbd-fenced-${resource}`;
}

export function banConstraintId(resource: string): string {
  return `striker-drbd-fence-${resource}`;
}

/** The location constraint, as CIB XML. */
export function banConstraintXml(resource: string): string {
  const id = banConstraintId(resource);
  return `<rsc_location id="${id}" rsc="${resource}"><rule id="${id}-rule" score="-INFINITY"><expression id="${id}-expr" attribute="${banAttribute(resource)}" operation="eq" value="1"/></rule></rsc_location>`;
}

/** Places the ban: the constraint (created or left as it is) and the attribute on the peer. */
export function banCommands(resource: string, peer: string): string[][] {
  check(resource, peer);
  return [
    ['cibadmin', '--modify', '--allow-create', '--scope', 'constraints', '--xml-text', banConstraintXml(resource)],
    ['crm_attribute', '--node', peer, '--name', banAttribute(resource), '--update', '1', '--lifetime', 'forever'],
  ];
}

/** Lifts the ban on the peer. */
export function unbanCommands(resource: string, peer: string): string[][] {
  check(resource, peer);
  return [['crm_attribute', '--node', peer, '--name', banAttribute(resource), '--delete', '--lifetime', 'forever']];
}

/** Powers the peer off through pacemaker's fencer (its fencing levels, in order). */
export function powerFenceCommand(peer: string, timeoutSeconds: number): string[] {
  check('x', peer);
  return ['stonith_admin', '--fence', peer, '--timeout', String(timeoutSeconds)];
}

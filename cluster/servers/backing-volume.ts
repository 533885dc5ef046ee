/**
 * Where a server's replicated disk sits under DRBD on each subnode: an LVM logical volume
 * (`<vg>/<server>_0`) when a volume group is configured, else a sparse file in a directory (hosts
 * without LVM; DRBD needs a block device, so a file serves only where DRBD runs dry, see
 * provision-host.ts).
 */
export type ServerStorage = { kind: 'lvm'; volumeGroup: string } | { kind: 'file'; directory: string };

export function backingVolumePath(storage: ServerStorage, server: string): string {
  return storage.kind === 'lvm' ? `/dev/${storage.volumeGroup}/${server}_0` : `${storage.directory.replace(/\/+$/, '')}/${server}.img`;
}

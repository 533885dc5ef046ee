/**
 * Virtual files generated per request: the boot-routes code maps a requested path and the peer
 * to bytes (`pxelinux.cfg/01-<mac>`, `grub.cfg-<mac>`…) or null when it has nothing for it.
 * The same path rules as the directory apply before the generator is asked.
 */
import { bufferFile, type FileSource, type OpenResult, type Peer } from './file-source.js';
import { checkRequestPath, type PathRules } from './request-path.js';

export type VirtualFileGenerator = (path: string, peer: Peer) => Uint8Array | null | Promise<Uint8Array | null>;

export class VirtualFiles implements FileSource {
  constructor(
    private readonly generate: VirtualFileGenerator,
    private readonly rules: PathRules = {},
  ) {}

  async open(path: string, peer: Peer): Promise<OpenResult> {
    const checked = checkRequestPath(path, this.rules);
    if (checked.kind === 'refused') return checked;
    const bytes = await this.generate(checked.relative, peer);
    return bytes === null ? { kind: 'missing' } : { kind: 'file', file: bufferFile(bytes) };
  }
}

import { describe, expect, it } from 'vitest';
import { parseTreeinfo } from './treeinfo.js';

/** Shape of AlmaLinux 9 DVD .treeinfo (trimmed). */
const alma = `[header]
type = productmd.treeinfo
version = 1.2

[release]
name = AlmaLinux
short = AlmaLinux
version = 9.4

[tree]
arch = x86_64
build_timestamp = 1714000000
platforms = x86_64,xen
variants = AppStream,BaseOS

[general]
; WARNING.0 = This section provides compatibility with pre-productmd treeinfos.
arch = x86_64
family = AlmaLinux
packagedir = AppStream/Packages
repository = AppStream
version = 9.4

[images-x86_64]
efiboot.img = images/efiboot.img
initrd = images/pxeboot/initrd.img
kernel = images/pxeboot/vmlinuz

[images-xen]
initrd = images/pxeboot/initrd.img
kernel = images/pxeboot/vmlinuz

[stage2]
mainimage = images/install.img

[variant-AppStream]
id = AppStream
name = AppStream
packages = AppStream/Packages
repository = AppStream
type = variant
uid = AppStream

[variant-BaseOS]
id = BaseOS
name = BaseOS
packages = BaseOS/Packages
repository = BaseOS
type = variant
uid = BaseOS

[checksums]
images/efiboot.img = sha256:${'a'.repeat(64)}
images/install.img = sha256:${'b'.repeat(64)}
images/pxeboot/vmlinuz = sha256:${'c'.repeat(64)}
`;

describe('parseTreeinfo', () => {
  it('reads release, images, stage2, variants and checksums', () => {
    const t = parseTreeinfo(alma);
    expect(t).toMatchObject({ family: 'AlmaLinux', version: '9.4', arch: 'x86_64', kernel: 'images/pxeboot/vmlinuz', initrd: 'images/pxeboot/initrd.img', stage2: 'images/install.img' });
    expect(t.variants).toEqual([{ id: 'AppStream', repository: 'AppStream' }, { id: 'BaseOS', repository: 'BaseOS' }]);
    expect(t.checksums.get('images/pxeboot/vmlinuz')).toEqual({ algorithm: 'sha256', value: 'c'.repeat(64) });
  });

  it.each([
    ['no kernel', alma.replace('kernel = images/pxeboot/vmlinuz\n\n[images-xen]', '\n[images-xen]'), /\[images-x86_64\] must name kernel and initrd/],
    ['a traversal kernel path', alma.replace('kernel = images/pxeboot/vmlinuz\n\n[images-xen]', 'kernel = ../../boot/vmlinuz\n\n[images-xen]'), /'\.\.\/\.\.\/boot\/vmlinuz' refused/],
    ['a traversal repository', alma.replace('repository = BaseOS', 'repository = /srv/BaseOS'), /refused: it is an absolute path/],
    ['a line outside any section', `junk = 1\n${alma}`, /line 1 is neither/],
    ['no arch', '[general]\nfamily = X\n', /no arch in \[tree\] or \[general\]/],
  ])('refuses %s', (_n, text, message) => {
    expect(() => parseTreeinfo(text)).toThrow(message);
  });
});

import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLoaders, LoaderFiles, loadersConfigSchema, planLoaders, uefiLoaders } from './loaders.js';

describe('planLoaders', () => {
  it('defaults to the Debian packages installed on this machine (the lab has ipxe, pxelinux, syslinux-common)', async () => {
    const config = loadersConfigSchema.parse({});
    const specs = planLoaders(config);
    expect(specs.find((s) => s.name === 'undionly.kpxe')).toEqual({
      name: 'undionly.kpxe', path: '/usr/lib/ipxe/undionly.kpxe', providedBy: 'the Debian package ipxe (loaders.ipxeDir = /usr/lib/ipxe)', required: true,
      remedy: 'The iPXE loaders come from the Debian package ipxe: install it on this Striker (apt install ipxe).',
    });
    const check = await checkLoaders(specs);
    for (const name of ['undionly.kpxe', 'ipxe.efi', 'snponly.efi', 'pxelinux.0', 'lpxelinux.0', 'ldlinux.c32'] as const) expect(check.available.get(name)).toBeDefined();
    // No installation tree configured: shim and grub are reported, not required; Debian 12's ipxe has no ARM64 build.
    expect(check.problems.map((p) => [p.loader, p.required])).toEqual([
      ['ipxe-arm64.efi', false], ['shimx64.efi', false], ['grubx64.efi', false], ['shimaa64.efi', false], ['grubaa64.efi', false],
    ]);
    expect(check.problems[1]!.message).toMatch(/^boot loader shimx64\.efi is missing: .* does not exist; it comes from an imported installation tree \(loaders\.installTreeDir is not set\)$/);
    // In plain words, without paths: what is missing and what to do about it.
    expect(check.problems[1]!.remedy).toBe('The Secure Boot loaders for x86_64 UEFI machines (shim and GRUB) come from an installation tree, and none is in use yet: import x86_64 OS media on the Repos page.');
    for (const p of check.problems) expect(p.remedy).not.toMatch(/\/nonexistent|\/usr\/lib|EFI\/BOOT/);
  });

  it('names every missing loader with its package, and finds the shim in an installation tree', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stk-loaders-'));
    mkdirSync(join(dir, 'ipxe'));
    writeFileSync(join(dir, 'ipxe/undionly.kpxe'), 'x');
    writeFileSync(join(dir, 'ipxe/ipxe.efi'), '');
    mkdirSync(join(dir, 'ipxe/snponly.efi'));
    mkdirSync(join(dir, 'tree/EFI/BOOT'), { recursive: true });
    writeFileSync(join(dir, 'tree/EFI/BOOT/BOOTX64.EFI'), 'shim');
    const config = loadersConfigSchema.parse({ ipxeDir: join(dir, 'ipxe'), pxelinuxDir: join(dir, 'none'), syslinuxModulesDir: join(dir, 'none'), installTreeDir: join(dir, 'tree'), required: ['undionly.kpxe', 'ipxe.efi', 'snponly.efi', 'lpxelinux.0', 'shimx64.efi'] });
    const check = await checkLoaders(planLoaders(config));
    expect([...check.available.keys()]).toEqual(['undionly.kpxe', 'shimx64.efi']);
    const byName = Object.fromEntries(check.problems.map((p) => [p.loader, p]));
    expect(byName['ipxe.efi']!.message).toBe(`boot loader ipxe.efi is missing: ${dir}/ipxe/ipxe.efi is empty; it comes from the Debian package ipxe (loaders.ipxeDir = ${dir}/ipxe)`);
    expect(byName['snponly.efi']!.message).toContain('is not a regular file');
    expect(byName['lpxelinux.0']).toMatchObject({ required: true });
    expect(byName['lpxelinux.0']!.message).toContain('the Debian package pxelinux');
    expect(byName['grubx64.efi']).toMatchObject({ required: false, path: `${dir}/tree/EFI/BOOT/grubx64.efi` });
    expect(byName['grubx64.efi']!.remedy).toBe('The installation tree in use lacks its Secure Boot loaders (shim and GRUB) for x86_64: import complete x86_64 OS media on the Repos page.');
  });

  it("requires the x64 shim chain when uefiChain is 'shim', and finds the ARM64 chain in the aarch64 tree", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stk-loaders-'));
    mkdirSync(join(dir, 'arm/EFI/BOOT'), { recursive: true });
    writeFileSync(join(dir, 'arm/EFI/BOOT/BOOTAA64.EFI'), 'shim');
    writeFileSync(join(dir, 'arm/EFI/BOOT/grubaa64.efi'), 'grub');
    const check = await checkLoaders(planLoaders(loadersConfigSchema.parse({ uefiChain: 'shim', arm64InstallTreeDir: join(dir, 'arm') })));
    expect(check.available.get('shimaa64.efi')).toBe(join(dir, 'arm/EFI/BOOT/BOOTAA64.EFI'));
    expect(check.available.get('grubaa64.efi')).toBe(join(dir, 'arm/EFI/BOOT/grubaa64.efi'));
    expect(check.problems.filter((p) => p.required).map((p) => p.loader)).toEqual(['shimx64.efi', 'grubx64.efi']);
  });

  it('uefiLoaders: the shim chain of an architecture whose tree has both files (auto), else iPXE', () => {
    const both = new Set(['shimx64.efi', 'grubx64.efi', 'shimaa64.efi', 'grubaa64.efi']);
    expect(uefiLoaders('auto', both)).toEqual({ x64: 'shimx64.efi', arm64: 'shimaa64.efi' });
    expect(uefiLoaders('auto', new Set(['shimx64.efi', 'grubaa64.efi', 'shimaa64.efi']))).toEqual({ x64: 'ipxe.efi', arm64: 'shimaa64.efi' });
    expect(uefiLoaders('ipxe', both)).toEqual({ x64: 'ipxe.efi', arm64: 'ipxe-arm64.efi' });
    expect(uefiLoaders('shim', new Set())).toEqual({ x64: 'shimx64.efi', arm64: 'shimaa64.efi' });
  });

  it('serves exactly the available loaders over TFTP, by their loader name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stk-loaders-'));
    writeFileSync(join(dir, 'BOOTX64.EFI'), 'shim-bytes');
    writeFileSync(join(dir, 'secret'), 'no');
    symlinkSync('/etc/passwd', join(dir, 'link.efi'));
    const files = new LoaderFiles(new Map([['shimx64.efi', join(dir, 'BOOTX64.EFI')], ['ipxe.efi', join(dir, 'link.efi')]]));
    const peer = { address: '10.0.0.2', port: 1000 };
    const shim = await files.open('/shimx64.efi', peer);
    expect(shim.kind).toBe('file');
    if (shim.kind === 'file') {
      expect(shim.file.size).toBe(10);
      await shim.file.close();
    }
    expect((await files.open('secret', peer)).kind).toBe('missing');
    expect((await files.open('BOOTX64.EFI', peer)).kind).toBe('missing');
    expect(await files.open('ipxe.efi', peer)).toMatchObject({ kind: 'refused', reason: 'symlink-escape' });
  });
});

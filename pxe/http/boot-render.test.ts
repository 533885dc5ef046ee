import { describe, expect, it } from 'vitest';
import { planBoot, type BootPlan } from '../boot/boot-plan.js';
import { bootUrls, type BootUrlContext } from './boot-urls.js';
import { grubPath, renderGrubConfig, renderGrubDispatch } from './grub-config.js';
import { renderIpxeScript } from './ipxe-script.js';
import { renderPxelinuxConfig } from './pxelinux-config.js';
import { kernelArg, scriptHostname, scriptMac, scriptText, scriptUrl } from './script-tokens.js';

const mac = '52:54:00:12:34:56';
const ctx: BootUrlContext = {
  strikerUrl: 'http://10.201.0.1:8080/',
  tree: { url: 'http://10.201.0.1:8080/trees/alma-9', kernel: 'images/pxeboot/vmlinuz', initrd: '/images/pxeboot/initrd.img', stage2: true },
  kernelArgs: ['console=ttyS0', 'ip=dhcp'],
  kickstartPath: (host) => `/ks/${host}/1790000000.${'A'.repeat(43)}.ks`,
};
const install: BootPlan = { action: 'install', mac, hostId: 'an-a01n01', role: 'node', hostname: 'an-a01n01', reason: 'role-assigned' };
const opts = { discoveryRetrySeconds: 10 };
const ks = `inst.ks=http://10.201.0.1:8080/ks/an-a01n01/1790000000.${'A'.repeat(43)}.ks`;

describe('bootUrls', () => {
  it('builds installer URLs from the tree and the signed kickstart path', () => {
    expect(bootUrls(install, ctx)).toEqual({
      mac,
      strikerUrl: 'http://10.201.0.1:8080',
      ipxeScript: 'http://10.201.0.1:8080/boot/ipxe/52-54-00-12-34-56',
      grubConfig: 'http://10.201.0.1:8080/boot/grub/grub.cfg-01-52-54-00-12-34-56',
      installer: {
        kernel: 'http://10.201.0.1:8080/trees/alma-9/images/pxeboot/vmlinuz',
        initrd: 'http://10.201.0.1:8080/trees/alma-9/images/pxeboot/initrd.img',
        initrdName: 'initrd.img',
        args: [ks, 'inst.stage2=http://10.201.0.1:8080/trees/alma-9', 'console=ttyS0', 'ip=dhcp'],
      },
    });
  });

  it('adds the kickstart settings\' kernel arguments after the configured ones', () => {
    const plan = planBoot({ mac, machine: { mac, role: 'node', state: 'assigned', hostname: 'an-a01n01' }, kickstart: { hostId: 'an-a01n01', check: { status: 'ready' }, kernelArgs: ['inst.text', 'rd.debug'] }, installTree: true, unknown: 'discovery' });
    expect(bootUrls(plan, ctx).installer?.args.slice(-4)).toEqual(['console=ttyS0', 'ip=dhcp', 'inst.text', 'rd.debug']);
    expect(() => bootUrls({ ...install, kernelArgs: ['a b'] }, ctx)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('boots the installer from the tree the plan carries when none is configured', () => {
    const tree = { url: 'http://10.201.4.1:8080/trees/testlinux-9.9/', kernel: 'images/pxeboot/vmlinuz', initrd: 'images/pxeboot/initrd.img', stage2: false };
    expect(bootUrls({ ...install, tree }, { ...ctx, tree: undefined }).installer).toEqual({
      kernel: 'http://10.201.4.1:8080/trees/testlinux-9.9/images/pxeboot/vmlinuz',
      initrd: 'http://10.201.4.1:8080/trees/testlinux-9.9/images/pxeboot/initrd.img',
      initrdName: 'initrd.img',
      args: [ks, 'console=ttyS0', 'ip=dhcp'],
    });
    expect(bootUrls(install, { ...ctx, tree: undefined }).installer).toBeUndefined();
  });

  it('has no installer for other plans', () => {
    expect(bootUrls({ action: 'local', mac, reason: 'installed' }, ctx).installer).toBeUndefined();
  });

  it.each([
    ['a space in a kernel argument', { kernelArgs: ['quiet splash=1 x'] }, /kernelArgs\.0/],
    ['a ${} expansion in a kernel argument', { kernelArgs: ['x=${net0/ip}'] }, /kernelArgs\.0/],
    ['a query in the tree URL', { tree: { ...ctx.tree!, url: 'http://h/t?x=1&y=2' } }, /installTree/],
    ['a quote in the Striker URL', { strikerUrl: "http://h/'; reboot" }, /strikerUrl/],
    ['a newline in a kickstart path', { kickstartPath: () => '/ks/x\nboot' }, /kickstart URL/],
  ] as [string, Partial<BootUrlContext>, RegExp][])('refuses %s with a typed error', (_name, change, where) => {
    let error: unknown;
    try {
      bootUrls(install, { ...ctx, ...change });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(JSON.stringify((error as { details: unknown }).details)).toMatch(where);
  });
});

describe('script tokens', () => {
  it('accepts and refuses values', () => {
    expect(() => scriptMac('52:54:00:12:34:5G')).toThrow(/MAC/);
    expect(scriptHostname('an-a01n01')).toBe('an-a01n01');
    expect(scriptHostname('x; reboot')).toBe('(unnamed)');
    expect(scriptHostname(null)).toBe('(unnamed)');
    expect(scriptText("it's ${bad}\n#")).toBe('it_s __bad___');
    expect(() => kernelArg('')).toThrow();
    expect(scriptUrl('https://striker.example:8443/a/b', 'u')).toBe('https://striker.example:8443/a/b');
    expect(() => scriptUrl('ftp://x/y', 'u')).toThrow();
  });
});

describe('renderIpxeScript', () => {
  it('install: kernel and initrd over HTTP, failure falls through to the next boot device', () => {
    expect(renderIpxeScript(install, bootUrls(install, ctx), opts)).toBe(
      [
        '#!ipxe',
        `# Striker boot plan for ${mac}: install (role-assigned)`,
        'echo Striker: installing an-a01n01 (node)',
        `kernel http://10.201.0.1:8080/trees/alma-9/images/pxeboot/vmlinuz initrd=initrd.img ${ks} inst.stage2=http://10.201.0.1:8080/trees/alma-9 console=ttyS0 ip=dhcp || goto failed`,
        'initrd http://10.201.0.1:8080/trees/alma-9/images/pxeboot/initrd.img || goto failed',
        'boot || goto failed',
        ':failed',
        'echo Striker: the installer could not be fetched; trying the next boot device',
        'sleep 5',
        'exit 1',
        '',
      ].join('\n'),
    );
  });

  it('discovery: waits, then asks again; a key boots the disk', () => {
    const plan = planBoot({ mac, machine: undefined, kickstart: undefined, installTree: true, unknown: 'discovery' });
    const text = renderIpxeScript(plan, bootUrls(plan, ctx), opts);
    expect(text).toContain('prompt --key l --timeout 10000 Press l to boot from the local disk instead && exit ||');
    expect(text).toContain('chain --autofree http://10.201.0.1:8080/boot/ipxe/52-54-00-12-34-56');
    expect(text).not.toContain('kernel');
  });

  it('local after a failed check: exits, and says why without script metacharacters', () => {
    const plan: BootPlan = { action: 'local', mac, reason: 'kickstart-check-failed', problems: ['package ${x} missing; boot'] };
    const text = renderIpxeScript(plan, bootUrls(plan, ctx), opts);
    expect(text).toBe(`#!ipxe\n# Striker boot plan for ${mac}: local (kickstart-check-failed)\necho Striker: booting the local disk (kickstart-check-failed: package __x_ missing_ boot)\nexit\n`);
  });

  it('ignore exits too', () => {
    const plan: BootPlan = { action: 'ignore', mac, reason: 'unknown-machine' };
    expect(renderIpxeScript(plan, bootUrls(plan, ctx), opts)).toMatch(/\nexit\n$/);
  });
});

describe('renderGrubConfig', () => {
  it('converts URLs to GRUB http devices', () => {
    expect(grubPath('http://10.0.0.1:8080/a/b')).toBe('(http,10.0.0.1:8080)/a/b');
    expect(grubPath('http://h')).toBe('(http,h)/');
  });

  it('install', () => {
    const text = renderGrubConfig(install, bootUrls(install, ctx), opts);
    expect(text).toContain("menuentry 'Install an-a01n01 (node)' {");
    expect(text).toContain(`  linux (http,10.201.0.1:8080)/trees/alma-9/images/pxeboot/vmlinuz ${ks} inst.stage2=http://10.201.0.1:8080/trees/alma-9 console=ttyS0 ip=dhcp\n`);
    expect(text).toContain('  initrd (http,10.201.0.1:8080)/trees/alma-9/images/pxeboot/initrd.img\n');
    expect(text).toContain('set timeout=0');
  });

  it('with a TFTP server: probes HTTP before the menu, falls back to the tree on TFTP inside the entry', () => {
    const withTftp = { ...ctx, tftpServer: '10.201.0.1', treeOverTftp: true };
    const text = renderGrubConfig(install, bootUrls(install, withTftp), opts);
    const args = `${ks} inst.stage2=http://10.201.0.1:8080/trees/alma-9 console=ttyS0 ip=dhcp`;
    expect(text).toBe([
      `# Striker boot plan for ${mac}: install (role-assigned)`,
      'set default=0',
      'set timeout=0',
      'set striker_http=n',
      'source (http,10.201.0.1:8080)/boot/grub/http-probe',
      "menuentry 'Install an-a01n01 (node)' {",
      '  if [ "$striker_http" = y ]; then',
      `    linux (http,10.201.0.1:8080)/trees/alma-9/images/pxeboot/vmlinuz ${args}`,
      '    initrd (http,10.201.0.1:8080)/trees/alma-9/images/pxeboot/initrd.img',
      '  else',
      `    linux (tftp,10.201.0.1)/tree/images/pxeboot/vmlinuz ${args}`,
      '    initrd (tftp,10.201.0.1)/tree/images/pxeboot/initrd.img',
      '  fi',
      '}',
      '',
    ].join('\n'));
    const disc: BootPlan = { action: 'discovery', mac, reason: 'no-role' };
    expect(renderGrubConfig(disc, bootUrls(disc, withTftp), opts)).toContain('  configfile (tftp,10.201.0.1)/grub.cfg-01-52-54-00-12-34-56\n');
    expect(() => bootUrls(install, { ...withTftp, tftpServer: '10.0.0.1; reboot' })).toThrow(/tftpServer/);
    // A tree not on this disk: configs over TFTP, kernel and initrd over HTTP only.
    expect(renderGrubConfig(install, bootUrls(install, { ...withTftp, treeOverTftp: false }), opts)).not.toMatch(/striker_http|\(tftp,/);
  });

  it('discovery offers to ask again (default) or boot the disk', () => {
    const plan: BootPlan = { action: 'discovery', mac, reason: 'no-role' };
    const text = renderGrubConfig(plan, bootUrls(plan, ctx), opts);
    expect(text).toContain('set timeout=10');
    expect(text).toContain('  configfile (http,10.201.0.1:8080)/boot/grub/grub.cfg-01-52-54-00-12-34-56');
    expect(text).toContain('  exit');
  });

  it('dispatch loads the per-MAC file over HTTP, or over TFTP when given a TFTP server', () => {
    expect(renderGrubDispatch('http://10.201.0.1:8080')).toContain('configfile (http,10.201.0.1:8080)/boot/grub/grub.cfg-01-$net_default_mac');
    expect(renderGrubDispatch('http://10.201.0.1:8080', '10.201.0.1:1069')).toContain('\nconfigfile (tftp,10.201.0.1:1069)/grub.cfg-01-$net_default_mac\n');
  });
});

describe('renderPxelinuxConfig', () => {
  it('install: lpxelinux fetches kernel and initrd over HTTP', () => {
    const text = renderPxelinuxConfig(install, bootUrls(install, ctx), opts);
    expect(text).toContain('DEFAULT install\nPROMPT 0\n');
    expect(text).toContain('  KERNEL http://10.201.0.1:8080/trees/alma-9/images/pxeboot/vmlinuz\n');
    expect(text).toContain('  INITRD http://10.201.0.1:8080/trees/alma-9/images/pxeboot/initrd.img\n');
    expect(text).toContain(`  APPEND ${ks} inst.stage2=http://10.201.0.1:8080/trees/alma-9 console=ttyS0 ip=dhcp\n`);
  });

  it('local and discovery boot the disk; discovery waits with a prompt', () => {
    const local: BootPlan = { action: 'local', mac, reason: 'installed' };
    expect(renderPxelinuxConfig(local, bootUrls(local, ctx), opts)).toContain('DEFAULT local\nPROMPT 0\nTIMEOUT 1\nLABEL local\n  LOCALBOOT 0\n');
    const disc: BootPlan = { action: 'discovery', mac, reason: 'unknown-machine' };
    const text = renderPxelinuxConfig(disc, bootUrls(disc, ctx), opts);
    expect(text).toContain('PROMPT 1\nTIMEOUT 100\n');
    expect(text).toContain('has no role yet');
  });
});

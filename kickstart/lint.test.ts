import { describe, expect, it } from 'vitest';
import { lintKickstart, splitWords } from './lint.js';

const minimal = ['url --url=http://s/os/', 'lang en_US.UTF-8', 'rootpw --lock', '%packages', '@core', '%end'];
const lint = (lines: readonly string[]) => lintKickstart(`${lines.join('\n')}\n`);

describe('lintKickstart', () => {
  it('accepts a minimal kickstart', () => {
    expect(lint(minimal)).toEqual({ ok: true, problems: [] });
  });

  it.each([
    ['unknown command', ['bogus --x'], 2, 'unknown command bogus'],
    ['unknown option', ['network --bootproto=static --devise=eth0'], 2, 'network: unknown option --devise'],
    ['flag given a value', ['text --non-interactive=yes'], 2, 'text: option --non-interactive takes no value'],
    ['option missing its value', ['network --ip'], 2, 'network: option --ip needs a value'],
    ['too many arguments', ['lang en_US.UTF-8 de_DE.UTF-8'], 2, 'lang: expects 1 argument(s), got 2'],
    ['missing required option', ['repo --baseurl=http://s/x/'], 2, 'repo: option --name is required'],
    ['missing one-of option', ['timesource --nts'], 2, 'timesource: needs one of --ntp-server, --ntp-pool, --ntp-disable'],
    ['repeated single-use command', ['selinux --enforcing', 'selinux --permissive'], 3, 'selinux given more than once (first at line 2)'],
    ['unterminated quote', ['bootloader --append="quiet'], 2, 'unterminated " quote'],
    ['unknown section', ['%postinstall', '%end'], 2, 'unknown section %postinstall'],
    ['stray %end', ['%end'], 2, '%end without an open section'],
    ['bad package line', ['%packages --excludedocs', 'vim; rm -rf /', '%end'], 3, '%packages: not a package, group or exclusion: vim; rm -rf /'],
    ['undefined raid member', ['raid /boot --level=1 --device=boot raid.01 raid.02', 'part raid.01 --size=1024'], 2, 'raid: raid.02 is not defined by a part or raid command'],
    ['undefined volume group', ['logvol / --vgname=vg0 --name=root --size=100'], 2, 'logvol: volume group vg0 is not defined by volgroup'],
  ])('%s → error with its line number', (_name, extra, line, message) => {
    const result = lint([minimal[0] as string, ...extra, ...minimal.slice(1)]);
    expect(result.ok).toBe(false);
    expect(result.problems).toContainEqual({ line, severity: 'error', message });
  });

  it('reports an unclosed section at the line that opened it, and a section opened inside another', () => {
    const result = lint([...minimal, '%post', 'echo hi', '%pre', 'echo', '%end', '%post --nochroot']);
    expect(result.problems).toEqual([
      { line: 9, severity: 'error', message: '%pre starts before %post (line 7) is closed with %end' },
      { line: 12, severity: 'error', message: '%post is not closed with %end' },
    ]);
  });

  it('does not lint script bodies, and warns on deprecated options', () => {
    const result = lint([...minimal, 'timezone UTC --ntpservers=a', '%post', 'anything --goes here', '%end']);
    expect(result).toEqual({ ok: true, problems: [{ line: 7, severity: 'warning', message: 'timezone: option --ntpservers is deprecated, use timesource --ntp-server' }] });
  });

  it('requires url, lang, rootpw and %packages unless linting a fragment', () => {
    expect(lintKickstart('zerombr\n').problems.map((p) => p.message)).toEqual([
      'missing required command url', 'missing required command lang', 'missing required command rootpw', 'missing %packages section',
    ]);
    expect(lintKickstart('zerombr\n', { fragment: true })).toEqual({ ok: true, problems: [] });
  });

  it('splits words like shlex', () => {
    expect(splitWords(`bootloader --append="a b" 'c d' e\\ f # comment`).words).toEqual(['bootloader', '--append=a b', 'c d', 'e f']);
    expect(splitWords('x --opt=a#b').words).toEqual(['x', '--opt=a#b']);
  });
});

describe('lintKickstart on hostile input', () => {
  it('never throws on random text, and every problem has a line within the file', () => {
    let seed = 0x12345678;
    const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
    const alphabet = ['%packages', '%pre', '%post', '%end', '%include', 'part', 'raid', 'logvol', 'volgroup', 'network', '--', '=', '"', "'", '\\', '#', ' ', '\n', 'a', 'raid.1', 'pv.1', '\t', '\u0000', 'é'];
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: rand(60) }, () => alphabet[rand(alphabet.length)]).join('');
      const lines = text.split('\n').length;
      const result = lintKickstart(text);
      for (const p of result.problems) expect(p.line).toBeLessThanOrEqual(lines);
    }
  });
});

import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKickstartInput } from '../../kickstart/index.js';
import { renderPost } from '../../kickstart/render-post.js';
import { sampleInput } from '../../test/fixtures/kickstart/sample-input.js';
import { loadAgentConfig, loadAgentCredentials } from './agent-config.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ag-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The agent.json a kickstart's %post writes (the heredoc between STRIKER_AGENT markers). */
function agentJsonOf(post: string[]): string {
  const start = post.indexOf("cat > /etc/striker/agent.json <<'STRIKER_AGENT'");
  return post[start + 1]!;
}

const credential = `sta_${'A'.repeat(43)}`;
const hostId = '52-54-00-00-0a-01';

describe('agent configuration', () => {
  it('reads the agent.json %post writes: this Striker first, then the other Strikers, in order', async () => {
    const draft = { ...sampleInput('node'), otherStrikerUrls: ['http://10.201.4.2', 'http://10.201.4.1', 'http://10.201.4.3'] };
    draft.host = { ...draft.host, hostId };
    const text = agentJsonOf(renderPost(parseKickstartInput(draft)));
    expect(JSON.parse(text)).toEqual({ strikerUrls: ['http://10.201.4.1', 'http://10.201.4.2', 'http://10.201.4.3'], hostId, role: 'node' });
    await writeFile(join(dir, 'agent.json'), text);
    const config = await loadAgentConfig(join(dir, 'agent.json'));
    expect(config.strikerUrls).toEqual(['http://10.201.4.1', 'http://10.201.4.2', 'http://10.201.4.3']);
    expect(config.allowPowerActions).toBe(false);
  });

  it('takes a single strikerUrl as a one-element list', async () => {
    await writeFile(join(dir, 'single.json'), JSON.stringify({ strikerUrl: 'http://10.201.4.1/', hostId }));
    expect((await loadAgentConfig(join(dir, 'single.json'))).strikerUrls).toEqual(['http://10.201.4.1']);
  });

  it('lists every problem of a bad configuration with its key', async () => {
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ strikerUrls: ['ftp://x'], hostId: 'nope', heartbeatSeconds: 0, extra: 1 }));
    const error = (await loadAgentConfig(join(dir, 'bad.json')).then(() => new Error('no error'), (e: unknown) => e)) as Error;
    expect(error.message).toContain('strikerUrls.0: must be an http(s) URL');
    expect(error.message).toContain('hostId: must be a host id');
    expect(error.message).toContain('heartbeatSeconds');
    expect(error.message).toContain('extra: is not a known setting');
  });

  it('takes the power-off command as an argv array, systemctl poweroff by default', async () => {
    await writeFile(join(dir, 'power.json'), JSON.stringify({ strikerUrls: ['http://10.201.4.1'], hostId }));
    expect((await loadAgentConfig(join(dir, 'power.json'))).powerOffCommand).toEqual(['systemctl', 'poweroff']);
    const ipmi = ['ipmitool', '-I', 'lanplus', '-H', '10.201.11.1', '-U', 'admin', '-f', '/etc/striker/bmc-password', 'chassis', 'power', 'off'];
    await writeFile(join(dir, 'power.json'), JSON.stringify({ strikerUrls: ['http://10.201.4.1'], hostId, powerOffCommand: ipmi }));
    expect((await loadAgentConfig(join(dir, 'power.json'))).powerOffCommand).toEqual(ipmi);
  });

  it('refuses a power-off command that is not an argv array, naming the key', async () => {
    for (const [bad, message] of [
      [[], 'powerOffCommand: must name a command'],
      ['systemctl poweroff', 'powerOffCommand: '],
      [['systemctl poweroff'], 'powerOffCommand: must start with the program alone'],
      [['systemctl', ''], 'powerOffCommand.1: must not be an empty argument'],
    ] as const) {
      await writeFile(join(dir, 'bad-power.json'), JSON.stringify({ strikerUrls: ['http://10.201.4.1'], hostId, powerOffCommand: bad }));
      await expect(loadAgentConfig(join(dir, 'bad-power.json'))).rejects.toThrow(message);
    }
  });

  it('refuses a credentials file others may read, naming the mode and the fix', async () => {
    const path = join(dir, 'creds.json');
    await writeFile(path, JSON.stringify({ hostId, credentialId: '7f0c1e52-4a9b-4f4e-9a55-0c3f0f6f2b10', credential, issuedAt: '2026-01-01T00:00:00.000Z' }));
    await chmod(path, 0o644);
    await expect(loadAgentCredentials(path, hostId)).rejects.toThrow(`${path} must be readable by its owner only (mode 0600) — got 0644; run chmod 600 ${path}`);
    await chmod(path, 0o600);
    expect((await loadAgentCredentials(path, hostId)).credential).toBe(credential);
  });

  it('refuses credentials issued to another host', async () => {
    const path = join(dir, 'other.json');
    await writeFile(path, JSON.stringify({ hostId: '52-54-00-00-0a-02', credentialId: '7f0c1e52-4a9b-4f4e-9a55-0c3f0f6f2b10', credential, issuedAt: 'x' }), { mode: 0o600 });
    await expect(loadAgentCredentials(path, hostId)).rejects.toThrow("hostId: must be this host's id 52-54-00-00-0a-01");
  });
});

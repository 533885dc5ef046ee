/**
 * Network namespaces for the agent end-to-end test: each host is a namespace `ag-<tag>-<name>`
 * with one veth link to the test's namespace, a fixed MAC (its host id comes from it) and a
 * default route back. Strikers listen on the veth peers' addresses in the test's namespace, so
 * a host reaches every Striker (the kernel answers for any of its own addresses) and nothing
 * leaves the machine. Deleting a namespace deletes its veth pair; `destroy()` removes all.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killChildren } from './kill-children.js';
import { must } from './netns-dhcp.js';

export interface LabHost {
  ns: string;
  mac: string;
  hostId: string;
  /** The host's address. */
  ip: string;
  /** The address in the test's namespace at the other end of its link (a Striker may listen there). */
  gateway: string;
}

export class AgentLab {
  private readonly namespaces: string[] = [];
  private readonly processes: ChildProcess[] = [];
  readonly dir: string;

  constructor(readonly tag: string) {
    this.dir = mkdtempSync(join(tmpdir(), `ag-${tag}-`));
  }

  /** A host namespace linked to the test's namespace over 10.231.<subnet>.0/24 (.1 here, .2 there). */
  host(name: string, subnet: number, mac: string): LabHost {
    const ns = `ag-${this.tag}-${name}`;
    spawnSync('ip', ['netns', 'del', ns]);
    must(['ip', 'netns', 'add', ns]);
    this.namespaces.push(ns);
    const here = `ag${this.tag}${name}`.slice(0, 15);
    spawnSync('ip', ['link', 'del', here]);
    must(['ip', 'link', 'add', here, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    const gateway = `10.231.${subnet}.1`;
    const ip = `10.231.${subnet}.2`;
    must(['ip', 'addr', 'add', `${gateway}/24`, 'dev', here]);
    must(['ip', 'link', 'set', here, 'up']);
    must(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    must(['ip', '-n', ns, 'link', 'set', 'eth0', 'address', mac]);
    must(['ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    must(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
    must(['ip', '-n', ns, 'route', 'add', 'default', 'via', gateway]);
    return { ns, mac, hostId: mac.replaceAll(':', '-'), ip, gateway };
  }

  exec(ns: string, argv: string[], timeoutMs = 20_000): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** Starts `argv` inside `ns` (`ip netns exec` execs it: the child's pid is the program's). */
  spawn(ns: string, argv: string[], env: Record<string, string> = {}): ChildProcess {
    const proc = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.processes.push(proc);
    return proc;
  }

  async destroy(): Promise<void> {
    await killChildren(this.processes);
    for (const ns of this.namespaces) spawnSync('ip', ['netns', 'del', ns]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

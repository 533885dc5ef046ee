/**
 * A TFTP root under /tmp with known files, and Striker's TFTP server on an ephemeral loopback
 * port serving it (with a MemoryTimeline), for the interop tests.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { MemoryTimeline } from '../../../pxe/boot/timeline.js';
import { DirectorySource } from '../../../pxe/tftp/directory-source.js';
import { composeSources } from '../../../pxe/tftp/file-source.js';
import { startTftpServer, type TftpServer, type TftpServerOptions } from '../../../pxe/tftp/server.js';
import { VirtualFiles } from '../../../pxe/tftp/virtual-files.js';
import { runCommand } from '../../../striker/core/command/run-command.js';

export interface Fixture {
  readonly base: string;
  readonly root: string;
  readonly out: string;
  readonly server: TftpServer;
  readonly timeline: MemoryTimeline;
  readonly port: number;
  sha256(path: string): Promise<string>;
  cleanup(): Promise<void>;
}

/** `start`: startTftpServer (this thread), or pxe/tftp/tftp-worker.ts's startTftpWorker. */
export async function startFixture(files: Record<string, Buffer>, options: Partial<TftpServerOptions> = {}, start: (o: TftpServerOptions) => Promise<TftpServer> = startTftpServer): Promise<Fixture> {
  const base = await mkdtemp(join(tmpdir(), 'stk-tftp-'));
  const root = join(base, 'root');
  const out = join(base, 'out');
  await mkdir(join(root, 'sub'), { recursive: true });
  await mkdir(out);
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(root, name), bytes);
  await writeFile(join(base, 'secret'), 'outside the root');
  await symlink('../secret', join(root, 'link-outside'));
  await symlink('/etc/passwd', join(root, 'link-passwd'));
  await runCommand(['mknod', join(root, 'null-device'), 'c', '1', '3'], { timeoutMs: 5000 });
  await runCommand(['mkfifo', join(root, 'fifo')], { timeoutMs: 5000 });
  const timeline = new MemoryTimeline();
  const virtual = new VirtualFiles((path, peer) => (path === 'virtual/whoami.txt' ? Buffer.from(`you are ${peer.address}\n`) : null));
  const server = await start({
    host: '127.0.0.1',
    port: 0,
    source: composeSources(virtual, new DirectorySource(root)),
    logger: pino({ level: 'silent' }),
    timeline,
    limits: { maxTransfers: 256, maxPerClient: 256 },
    blksizeMax: 65464,
    windowsizeMax: 64,
    ...options,
  });
  return {
    base,
    root,
    out,
    server,
    timeline,
    port: server.address.port,
    async sha256(path) {
      return createHash('sha256').update(await readFile(path)).digest('hex');
    },
    async cleanup() {
      await server.close();
      await rm(base, { recursive: true, force: true });
    },
  };
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export { randomBytes };

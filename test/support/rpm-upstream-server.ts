/**
 * Test helper: a small upstream HTTP server on 127.0.0.1 (ephemeral port) serving a directory,
 * with Range support (RFC 9110 §14) and fault injection: die (destroy every socket and stop)
 * after N body bytes, stall, or count requests per path to prove what was (not) re-downloaded.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join, normalize } from 'node:path';

export interface UpstreamFaults {
  /** After this many body bytes in total, destroy all sockets and refuse new connections. */
  dieAfterBytes?: number;
  /** Paths (relative, e.g. `Packages/x.rpm`) answered with 404. */
  missing?: Set<string>;
  /** After this many body bytes in total, stop sending (connections stay open, as a hung upstream). */
  stallAfterBytes?: number;
  /** Ignore Range headers (answer 200 with the full body). */
  ignoreRange?: boolean;
}

export interface UpstreamServer {
  url: string;
  port: number;
  /** Requests per relative path, with the Range header seen. */
  requests: { path: string; range?: string; status: number }[];
  faults: UpstreamFaults;
  bytesSent: () => number;
  dead: () => boolean;
  close: () => Promise<void>;
}

export async function startUpstreamServer(root: string, faults: UpstreamFaults = {}): Promise<UpstreamServer> {
  const sockets = new Set<Socket>();
  const requests: UpstreamServer['requests'] = [];
  let sent = 0;
  let dead = false;
  const die = () => {
    dead = true;
    for (const s of sockets) s.destroy();
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    const path = normalize(join(root, rel));
    const entry: UpstreamServer['requests'][number] = { path: rel, status: 0, ...(req.headers.range ? { range: req.headers.range } : {}) };
    requests.push(entry);
    if (!path.startsWith(root) || faults.missing?.has(rel)) { entry.status = 404; res.writeHead(404).end(); return; }
    const st = await stat(path).catch(() => undefined);
    if (!st?.isFile()) { entry.status = 404; res.writeHead(404).end(); return; }
    let start = 0;
    let end = st.size - 1;
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (m && !faults.ignoreRange) {
      start = Number(m[1]);
      if (m[2]) end = Math.min(end, Number(m[2]));
      if (start > end) { entry.status = 416; res.writeHead(416, { 'content-range': `bytes */${st.size}` }).end(); return; }
      entry.status = 206;
      res.writeHead(206, { 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${st.size}`, 'accept-ranges': 'bytes' });
    } else {
      entry.status = 200;
      res.writeHead(200, { 'content-length': st.size, 'accept-ranges': 'bytes' });
    }
    if (req.method === 'HEAD' || st.size === 0) { res.end(); return; }
    const stream = createReadStream(path, { start, end, highWaterMark: 16 * 1024 });
    stream.on('data', (chunk) => {
      const buf = chunk as Buffer;
      if (faults.dieAfterBytes !== undefined && sent + buf.length > faults.dieAfterBytes) {
        const room = Math.max(0, faults.dieAfterBytes - sent);
        if (room > 0) res.write(buf.subarray(0, room));
        sent += room;
        stream.destroy();
        die();
        return;
      }
      if (faults.stallAfterBytes !== undefined && sent + buf.length > faults.stallAfterBytes) {
        const room = Math.max(0, faults.stallAfterBytes - sent);
        if (room > 0) res.write(buf.subarray(0, room));
        sent += room;
        stream.destroy();
        return;
      }
      sent += buf.length;
      if (!res.write(buf)) { stream.pause(); res.once('drain', () => stream.resume()); }
    });
    stream.on('end', () => res.end());
    stream.on('error', () => res.destroy());
  };
  const server = createServer((req, res) => {
    if (dead) { req.socket.destroy(); return; }
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (s) => { if (dead) { s.destroy(); return; } sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`, port, requests, faults,
    bytesSent: () => sent,
    dead: () => dead,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

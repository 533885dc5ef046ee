/**
 * A TCP proxy for HTTP tests that cuts or damages answers on the way: it relays every byte
 * between a client and an upstream server, remembers each request's head (request line and
 * Range), counts the bytes the upstream sent, and for requests whose path matches `target` can
 * drop the connection once after a number of bytes (a cut halfway) or flip one byte of every
 * answer at an offset (a corrupted copy).
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  line: string;
  range: string | undefined;
}

export class TcpFaultProxy {
  /** Bytes the upstream sent through the proxy on `target` requests. */
  servedBytes = 0;
  readonly requests: ProxiedRequest[] = [];
  /** Drop the next `target` connection once it carried this many answer bytes. */
  cutOnceAfter: number | undefined;
  /** Flip the answer byte at this offset of every `target` connection. */
  flipAt: number | undefined;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly upstream: { host: string; port: number }, private readonly target: RegExp) {
    this.server = createServer((client) => this.relay(client));
  }

  static async start(listen: { host: string; port?: number }, upstream: { host: string; port: number }, target: RegExp): Promise<TcpFaultProxy> {
    const proxy = new TcpFaultProxy(upstream, target);
    await new Promise<void>((resolve) => proxy.server.listen(listen.port ?? 0, listen.host, resolve));
    return proxy;
  }

  get url(): string {
    const a = this.server.address() as AddressInfo;
    return `http://${a.address}:${a.port}`;
  }

  private relay(client: Socket): void {
    const up = createConnection(this.upstream);
    this.sockets.add(client).add(up);
    let targeted = false;
    let answered = 0;
    client.on('data', (chunk: Buffer) => {
      const head = chunk.toString('latin1');
      const line = /^(GET|POST|PUT|DELETE|HEAD) (\S+) HTTP\/1\.1\r\n/.exec(head);
      if (line) {
        const range = /\r\nrange: *([^\r]+)\r\n/i.exec(head)?.[1];
        if (this.target.test(line[2]!)) {
          targeted = true;
          answered = 0;
          this.requests.push({ line: `${line[1]} ${line[2]}`, range });
        } else targeted = false;
      }
      up.write(chunk);
    });
    up.on('data', (chunk: Buffer) => {
      if (!targeted) return void send(chunk);
      let out = chunk;
      if (this.flipAt !== undefined && answered <= this.flipAt && this.flipAt < answered + chunk.length) {
        out = Buffer.from(chunk);
        out[this.flipAt - answered] = out[this.flipAt - answered]! ^ 0x5a;
      }
      if (this.cutOnceAfter !== undefined && answered + chunk.length >= this.cutOnceAfter) {
        const keep = this.cutOnceAfter - answered;
        this.cutOnceAfter = undefined;
        this.servedBytes += keep;
        client.write(out.subarray(0, keep), () => {
          client.destroy();
          up.destroy();
        });
        answered += chunk.length;
        return;
      }
      answered += chunk.length;
      this.servedBytes += chunk.length;
      send(out);
    });
    // Backpressure: the upstream waits while the client is slower.
    const send = (data: Buffer) => {
      if (!client.write(data)) up.pause();
    };
    client.on('drain', () => up.resume());
    const end = () => {
      client.destroy();
      up.destroy();
      this.sockets.delete(client);
      this.sockets.delete(up);
    };
    client.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

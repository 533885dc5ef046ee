/**
 * An undici connector whose sockets gather every write made in one turn of the event loop into one
 * `writev` (the socket is corked at the first write and uncorked on the next tick). With pipelining,
 * undici writes each request head on its own; when a sync puts dozens of GETs on a connection in one
 * turn, they leave as one batch, in as few TCP segments, rather than one system call and one wakeup
 * of the server per request.
 */
import type { Socket } from 'node:net';
import { buildConnector } from 'undici';

export function coalescingConnector(options: buildConnector.BuildOptions = {}): buildConnector.connector {
  const connect = buildConnector(options);
  return (target, callback) => {
    connect(target, (...args) => {
      if (args[0] === null) coalesceWrites(args[1]);
      callback(...args);
    });
  };
}

function coalesceWrites(socket: Socket): void {
  const write = socket.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = function coalescedWrite(this: Socket, ...args: Parameters<Socket['write']>): boolean {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    return write.apply(this, args);
  } as Socket['write'];
}

// A TCP forwarder for the cluster lab, run in its hub namespace: accepts on <listen address>:<port>
// and connects each client to <target address>:<target port> (a Striker in the test's namespace,
// reached over the lab's uplink). Nodes reach the hub, the hub reaches the test's namespace, and
// neither needs a route to the other's side. Usage: node tcp-forward.mjs LISTEN_ADDR PORT TARGET_ADDR TARGET_PORT
import { connect, createServer } from 'node:net';

const [listenAddress, port, targetAddress, targetPort] = process.argv.slice(2);
if (!listenAddress || !port || !targetAddress || !targetPort) {
  process.stderr.write('usage: tcp-forward.mjs LISTEN_ADDR PORT TARGET_ADDR TARGET_PORT\n');
  process.exit(2);
}
const server = createServer((client) => {
  const upstream = connect(Number(targetPort), targetAddress);
  client.pipe(upstream).pipe(client);
  const close = () => { client.destroy(); upstream.destroy(); };
  client.on('error', close);
  upstream.on('error', close);
  client.on('close', close);
  upstream.on('close', close);
});
server.listen(Number(port), listenAddress, () => process.stdout.write(`listening ${listenAddress}:${port} -> ${targetAddress}:${targetPort}\n`));

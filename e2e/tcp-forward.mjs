// A TCP forwarder in a process of its own (so a busy test process does not slow the traffic it carries):
// listens on <host>:0 and pipes each connection to 127.0.0.1:<port>; prints the port it listens on.
import net from 'node:net';

const [host, port] = process.argv.slice(2);
const server = net.createServer((inbound) => {
  const upstream = net.connect(Number(port), '127.0.0.1');
  for (const s of [inbound, upstream]) {
    s.setNoDelay(true);
    s.on('error', () => {
      inbound.destroy();
      upstream.destroy();
    });
  }
  inbound.pipe(upstream);
  upstream.pipe(inbound);
});
server.listen(0, host, () => console.log(String(server.address().port)));
process.on('SIGTERM', () => process.exit(0));

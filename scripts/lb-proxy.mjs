// A small load balancer for local use and tests: HTTP and WebSocket upgrades to several backend
// instances, round robin, skipping an instance that refuses connections. No sticky sessions: the
// realtime transport is websocket-only. Listens on loopback.
import http from 'node:http';
import net from 'node:net';

export function startProxy({ port = 0, backends, log = () => {}, downForMs = 5000 }) {
  let next = 0;
  // A backend that refused a connection or dropped its sockets is left out for a while (its port may
  // even be reused by another program meanwhile).
  const downUntil = new Map();
  const markDown = (b, why) => {
    if ((downUntil.get(b.port) ?? 0) < Date.now())
      log(`backend :${b.port} is down (${why}); leaving it out for ${downForMs} ms`);
    downUntil.set(b.port, Date.now() + downForMs);
  };
  const pick = (skip = new Set()) => {
    const up = backends.filter((b) => (downUntil.get(b.port) ?? 0) < Date.now());
    const pool = up.length ? up : backends;
    for (let i = 0; i < pool.length; i++) {
      const b = pool[(next + i) % pool.length];
      if (!skip.has(b.port)) {
        next = (next + i + 1) % pool.length;
        return b;
      }
    }
    return null;
  };

  const open = new Set();
  const track = (s) => {
    open.add(s);
    s.once('close', () => open.delete(s));
  };

  const server = http.createServer((req, res) => {
    const tried = new Set();
    // The body is read whole first, so a request whose backend refused the connection (nothing of it was
    // delivered) can go to the next backend whatever its method, as HAProxy's `retry-on conn-failure` does.
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.once('end', () => attempt(Buffer.concat(chunks)));
    req.once('error', () => res.destroy());
    const attempt = (body) => {
      const b = pick(tried);
      if (!b) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('no backend instance is answering');
        return;
      }
      tried.add(b.port);
      const headers = { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress };
      const up = http.request({ host: '127.0.0.1', port: b.port, method: req.method, path: req.url, headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.on('error', () => res.destroy());
        r.pipe(res);
      });
      res.once('close', () => up.destroy());
      up.on('error', (e) => {
        markDown(b, e.code);
        // Replayed: a refused connection (never delivered), or a request without a body.
        if (!res.headersSent && (e.code === 'ECONNREFUSED' || req.method === 'GET' || req.method === 'HEAD'))
          attempt(body);
        else if (!res.headersSent) {
          res.writeHead(502);
          res.end();
        } else res.destroy();
      });
      up.end(body);
    };
  });

  server.on('upgrade', (req, socket, head) => {
    track(socket);
    const tried = new Set();
    const attempt = () => {
      const b = pick(tried);
      if (!b) return socket.destroy();
      tried.add(b.port);
      const up = net.connect(b.port, '127.0.0.1');
      track(up);
      // Before the backend accepts, a failure only means "try the next one".
      const refused = (e) => {
        markDown(b, e.code);
        up.destroy();
        attempt();
      };
      up.once('error', refused);
      up.once('connect', () => {
        up.off('error', refused);
        const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
        for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
        lines.push(`X-Forwarded-For: ${req.socket.remoteAddress}`);
        up.write(lines.join('\r\n') + '\r\n\r\n');
        if (head?.length) up.write(head);
        up.pipe(socket);
        socket.pipe(up);
        let clientClosed = false;
        up.on('error', () => socket.destroy());
        socket.on('error', () => up.destroy());
        up.once('close', () => {
          // The backend dropped a live websocket the client did not close: it is likely gone.
          if (!clientClosed) markDown(b, 'dropped a websocket');
          socket.destroy();
        });
        socket.once('close', () => {
          clientClosed = true;
          up.destroy();
        });
      });
    };
    attempt();
  });

  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      resolve({
        port: server.address().port,
        close: () => {
          for (const s of open) s.destroy();
          server.closeAllConnections();
          return new Promise((r) => server.close(() => r()));
        },
        server,
      });
    });
  });
}

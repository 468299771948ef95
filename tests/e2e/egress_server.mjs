// egress_server.mjs - the HTTPS origin for tests/e2e/egress_https.sh and
// bench/bench_egress.c: listens on 127.0.0.1 (port 0, written to a file) with
// a certificate generated at test time, and answers fixed routes that let the
// test observe what the egress proxy sent (credential present, query
// parameter, body) and provoke its limits (big bodies, redirects).
// Usage: node egress_server.mjs KEY CERT PORTFILE EXPECTED_SECRET
import https from 'node:https';
import fs from 'node:fs';

const [key, cert, portFile, secret] = process.argv.slice(2);
const big = Buffer.alloc(2 * 1024 * 1024, 0x61);
const mib = Buffer.alloc(1024 * 1024, 0x62);

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'text/plain', ...headers });
  res.end(body);
}

const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
  const u = new URL(req.url, 'https://egress.test');
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    switch (u.pathname) {
      case '/auth':
        if (req.headers['authorization'] === 'Bearer ' + secret) return send(res, 200, 'auth-ok');
        return send(res, 401, 'auth-missing');
      case '/query':
        return send(res, u.searchParams.get('token') === secret ? 200 : 401, 'query-checked');
      case '/echo':
        return send(res, 200, JSON.stringify(req.headers));
      case '/post':
        return send(res, 200, `got ${req.method} ${body.length} ${body.toString('utf8', 0, 16)}`);
      case '/big':
        return send(res, 200, big);
      case '/mib':
        return send(res, 200, mib);
      case '/redirect-evil':
        return send(res, 302, '', { location: 'https://evil.example.net/steal' });
      case '/redirect-meta':
        return send(res, 302, '', { location: 'https://169.254.169.254/latest/meta-data/' });
      case '/redirect-ok':
        return send(res, 302, '', { location: '/auth' });
      default:
        return send(res, 404, 'no such route');
    }
  });
});
server.keepAliveTimeout = 1000;
server.listen(0, '127.0.0.1', () => fs.writeFileSync(portFile, String(server.address().port)));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

/**
 * The floor of one extra process hop, for the inventory benchmark's overhead figure: the least a
 * proxy written on Node's http modules can do — take a GET, send the same path and Authorization
 * header to F&O over a keep-alive https connection, parse the JSON answer and send it back
 * re-serialised. No routing, validation, authentication, cache, logging or metrics.
 *
 * Started as its own process: `UPSTREAM=<F&O https origin> node bare-passthrough.mjs`; prints
 * the port it listens on (loopback). Trusts F&O's certificate through NODE_EXTRA_CA_CERTS.
 */
import { createServer } from 'node:http';
import { Agent, request } from 'node:https';

const upstream = process.env.UPSTREAM;
if (!upstream) {
  console.error('UPSTREAM is not set');
  process.exit(78);
}
const agent = new Agent({ keepAlive: true });

const server = createServer((req, res) => {
  const out = request(
    `${upstream}${req.url}`,
    { agent, headers: { authorization: req.headers.authorization ?? '' } },
    (answer) => {
      const chunks = [];
      answer.on('data', (c) => chunks.push(c));
      answer.on('end', () => {
        const body = JSON.stringify(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json' });
        res.end(body);
      });
    },
  );
  out.on('error', (err) => {
    res.writeHead(502);
    res.end(String(err));
  });
  out.end();
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => {
  agent.destroy();
  server.close(() => process.exit(0));
});

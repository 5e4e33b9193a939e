import * as net from 'node:net';

/**
 * A free port below Linux's ephemeral range (32768-60999). Ports the OS hands out for outgoing
 * connections and for the dev server's own internal services come from that range, so a port
 * chosen there could be taken in the seconds between a kill -9 and a restart on the same port.
 */
export async function freePort(avoid: number[] = []): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (avoid.includes(port)) continue;
    if (await canListen(port)) return port;
  }
  throw new Error('no free port found between 20000 and 32000');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP pass-through between a worker and the Temporal server that a test can hold shut in one
 * direction. `holdUpstream()` stops forwarding what the worker sends (its RPCs queue up here,
 * unsent), so a test can let the worker finish some local work while the server hears nothing of
 * it; `dropAll()` then discards the held bytes and closes every connection, as a crash would.
 * This makes "the activity did its work but its completion never reached the server" exact,
 * where racing a `kill -9` against a few milliseconds of gRPC would be flaky.
 */
import * as net from 'node:net';

export interface TcpProxy {
  /** `127.0.0.1:<port>`: give this to the worker as TEMPORAL_ADDRESS. */
  readonly address: string;
  /** From now on, bytes from the worker are held here instead of reaching the server. */
  holdUpstream(): void;
  /** Bytes held since `holdUpstream()` (what the server never received). */
  heldBytes(): number;
  /** Discards held bytes and destroys every open connection; new connections pass again. */
  dropAll(): void;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  server: net.Socket;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const [host, portText] = target.split(':') as [string, string];
  const port = Number(portText);
  const pairs = new Set<Pair>();
  let holding = false;
  let held = 0;

  const listener = net.createServer((client) => {
    const server = net.connect({ host, port });
    const pair = { client, server };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on('error', end).on('close', end);
    server.on('error', end).on('close', end);
    client.on('data', (chunk: Buffer) => {
      if (holding) held += chunk.length;
      else server.write(chunk);
    });
    server.on('data', (chunk: Buffer) => client.write(chunk));
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', () => resolve());
  });
  const { port: listenPort } = listener.address() as net.AddressInfo;

  const destroyAll = () => {
    for (const { client, server } of pairs) {
      client.destroy();
      server.destroy();
    }
    pairs.clear();
  };

  return {
    address: `127.0.0.1:${listenPort}`,
    holdUpstream() {
      holding = true;
    },
    heldBytes: () => held,
    dropAll() {
      destroyAll();
      holding = false;
      held = 0;
    },
    close() {
      destroyAll();
      return new Promise((resolve) => listener.close(() => resolve()));
    },
  };
}

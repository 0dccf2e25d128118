import { createServer, Server, Socket } from 'node:net';

/** A running {@link startTcpProxy}: its port stays the same across `pause()` and `resume()`. */
export interface TcpProxy {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** How many client connections it has accepted since it started. */
  connections(): number;
  /** Drops every open connection, both sides; it keeps listening, so new connections still go through. */
  cut(): void;
  /** Stops listening (new connections are refused) and drops every open connection; resolves once the listener is closed. */
  pause(): Promise<void>;
  /** Listens again on the same port after `pause()` (does nothing while it listens). */
  resume(): Promise<void>;
  /** The same as `pause()`: call it once the test is done with the proxy. */
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a local server (`targetPort` on 127.0.0.1), for tests that
 * need a real network fault between the code and PostgreSQL, Redis or an SMTP server: a connection
 * cut mid-conversation (`cut()`), or the server unreachable (`pause()`) and back (`resume()`).
 * Each client connection is piped to a new connection to the target; when either side closes or
 * fails, both are destroyed.
 */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let opened = 0;
  let server: Server | undefined;
  let port = 0;

  const cut = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };

  const resume = () =>
    new Promise<void>((resolve, reject) => {
      if (server) return resolve();
      const listening = createServer((client) => {
        opened++;
        const upstream = new Socket();
        sockets.add(client).add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        upstream.connect(targetPort, '127.0.0.1', () => {
          client.pipe(upstream);
          upstream.pipe(client);
        });
      });
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => {
        listening.off('error', reject);
        port = (listening.address() as { port: number }).port;
        server = listening;
        resolve();
      });
    });

  // Stop accepting first, then drop what is open: server.close() waits for the open connections.
  const pause = () =>
    new Promise<void>((resolve) => {
      const closing = server;
      server = undefined;
      if (closing) closing.close(() => resolve());
      cut();
      if (!closing) resolve();
    });

  await resume();
  return {
    get port() {
      return port;
    },
    connections: () => opened,
    cut,
    pause,
    resume,
    close: pause,
  };
}

/**
 * A TCP relay on 127.0.0.1 that cuts every connection through it once the client has sent more than
 * `cutAfterBytes`: a deterministic "connection lost" in the middle of an upload, without timing.
 */
import { createServer, connect, type Socket } from "node:net";

/** A running relay; close() stops it and drops its connections. */
export interface TcpProxy {
  port: number;
  /** Connections cut so far. */
  cuts: number;
  /** Bytes a connection may send before it is cut (Infinity: never). */
  cutAfterBytes: number;
  close(): Promise<void>;
}

/** Starts a relay to 127.0.0.1:`targetPort`. */
export function startProxy(targetPort: number, cutAfterBytes = Infinity): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const proxy: TcpProxy = {
    port: 0, cuts: 0, cutAfterBytes,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    let sent = 0;
    client.on("data", (d: Buffer) => {
      sent += d.length;
      if (sent > proxy.cutAfterBytes) {
        proxy.cuts++;
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(d);
    });
    upstream.on("data", (d: Buffer) => client.write(d));
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    proxy.port = (server.address() as { port: number }).port;
    resolve(proxy);
  }));
}

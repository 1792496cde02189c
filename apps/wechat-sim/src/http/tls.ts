// An optional HTTPS listener in front of the simulator's one request handler. Like WeChat, it demands the merchant's
// client certificate for the /secapi/ paths ("请求需要双向证书"): a connection without one that verifies against the
// configured CA is dropped before the request is read. Every other path is served as over plain HTTP.
import { createServer } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";

export type SimTlsOptions = {
  /** 0 picks a free port. */
  port?: number;
  /** The listener's own certificate and key (PEM). */
  certPem: string;
  keyPem: string;
  /** CA (or self-signed merchant certificates) that client certificates must chain to (PEM). */
  clientCaPem: string;
};

export type SimTlsListener = { url: string; port: number; close(): Promise<void> };

export async function startTlsListener(
  host: string,
  opts: SimTlsOptions,
  onRequest: (req: IncomingMessage, res: ServerResponse) => void,
  log: (line: string) => void,
): Promise<SimTlsListener> {
  const server = createServer(
    {
      cert: opts.certPem,
      key: opts.keyPem,
      ca: opts.clientCaPem,
      // Asked of every client, required only for /secapi/ (checked per request below).
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const socket = req.socket as TLSSocket;
      if (path.startsWith("/secapi/") && !socket.authorized) {
        log(
          `TLS: ${path} without a valid client certificate (${String(socket.authorizationError)}); dropped`,
        );
        socket.destroy();
        return;
      }
      onRequest(req, res);
    },
  );
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

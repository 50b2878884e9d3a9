import net from 'node:net';
import tls from 'node:tls';
import type { Connect } from '@confab/protocol';
import { NdjsonDecoder, encodeFrame } from '@confab/protocol';

/** Where the terminal client connects. */
export interface Endpoint {
  host: string;
  port: number;
  /** TLS on the server's port (`--tls`). */
  tls: boolean;
  /** Accept a certificate that does not verify (a self-signed test server). */
  insecure?: boolean;
}

/** A human reason for a failed connection. */
function describe(error: NodeJS.ErrnoException, endpoint: Endpoint): string {
  const where = `${endpoint.host}:${endpoint.port}`;
  switch (error.code) {
    case 'ECONNREFUSED':
      return `nothing is listening on ${where} (connection refused)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot find the host ${endpoint.host}`;
    case 'ETIMEDOUT':
      return `${where} did not answer (timed out)`;
    default:
      return `cannot connect to ${where}: ${error.message}`;
  }
}

/**
 * The JSON stream over TCP (or TLS) as a client-core transport: frames are
 * encoded one per line, and lines decoded as they arrive, in any chunking.
 */
export function tcpConnect(endpoint: Endpoint): Connect {
  return (handlers) => {
    let closed = false;
    let failure: string | undefined;
    const decoder = new NdjsonDecoder();
    const onConnect = () => handlers.open();
    const socket = endpoint.tls
      ? tls.connect(
          {
            host: endpoint.host,
            port: endpoint.port,
            servername: endpoint.host,
            rejectUnauthorized: !endpoint.insecure,
          },
          onConnect,
        )
      : net.connect({ host: endpoint.host, port: endpoint.port }, onConnect);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 15_000);
    socket.on('data', (chunk: Buffer) =>
      decoder.push(chunk, { frame: handlers.frame, error: handlers.decodeError }),
    );
    socket.on('error', (error: NodeJS.ErrnoException) => {
      failure ??= describe(error, endpoint);
    });
    socket.on('close', () => {
      if (closed) return;
      closed = true;
      handlers.close(failure === undefined ? {} : { error: failure });
    });
    return {
      send: (frame) => {
        if (!socket.destroyed) socket.write(encodeFrame(frame));
      },
      close: () => {
        if (!socket.destroyed) socket.end();
        setTimeout(() => socket.destroy(), 1_000).unref();
      },
    };
  };
}

/**
 * The transport: plain HTTP/1.1, or TLS with HTTP/2 negotiated by ALPN (and
 * HTTP/1.1 still allowed), as the real API is reached. Tracks connections so
 * close() is graceful first and certain in the end.
 */
import * as http from "node:http";
import * as http2 from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import type { AnyRequest, AnyResponse } from "./http-io";

/** TLS material: PEM strings or buffers. */
export interface TlsOptions {
  cert: string | Buffer;
  key: string | Buffer;
}

/** A listening HTTP(S) server for one request handler. */
export class Transport {
  /** The node server. */
  readonly server: http.Server | http2.Http2SecureServer;
  /** "https" when TLS is on. */
  readonly protocol: "http" | "https";
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private inFlight = 0;
  private closing = false;
  private onIdle: (() => void) | undefined;

  constructor(handle: (req: AnyRequest, res: AnyResponse) => void, tls?: TlsOptions) {
    // Counts requests in flight, so close() can wait for them and no longer.
    const handler = (req: AnyRequest, res: AnyResponse) => {
      this.inFlight++;
      res.once("close", () => {
        this.inFlight--;
        if (this.closing && this.inFlight === 0) this.onIdle?.();
      });
      handle(req, res);
    };
    if (tls) {
      this.protocol = "https";
      const server = http2.createSecureServer({ cert: tls.cert, key: tls.key, allowHTTP1: true }, handler);
      server.on("session", (session) => {
        this.sessions.add(session);
        session.on("close", () => this.sessions.delete(session));
        session.on("error", () => undefined); // a broken client connection is not the server's problem
      });
      server.on("sessionError", () => undefined);
      this.server = server;
    } else {
      this.protocol = "http";
      const server = http.createServer(handler);
      server.keepAliveTimeout = 65_000; // longer than typical client pools, so they close first
      this.server = server;
    }
    this.server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      socket.on("error", () => undefined);
    });
    // Malformed HTTP is left to node's default 'clientError' handling (400, 431 or 408, then close).
  }

  /** Starts listening; resolves with the bound address. */
  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server.once("error", onError);
      this.server.listen(port, host, () => {
        this.server.off("error", onError);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Number of open client connections. */
  get connectionCount(): number {
    return this.sockets.size;
  }

  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then cuts every connection. */
  close(graceMs = 2000): Promise<void> {
    return new Promise((resolve) => {
      this.closing = true;
      const cutAll = () => {
        for (const s of this.sessions) s.destroy();
        for (const s of this.sockets) s.destroy();
      };
      if (!this.server.listening) {
        cutAll();
        resolve();
        return;
      }
      const timer = setTimeout(cutAll, graceMs);
      timer.unref();
      this.onIdle = () => {
        clearTimeout(timer);
        cutAll();
      };
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      for (const s of this.sessions) s.close();
      if (this.inFlight === 0) this.onIdle();
    });
  }
}

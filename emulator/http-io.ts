/**
 * Reading requests and writing responses, identically over HTTP/1.1 and HTTP/2
 * (node's compatibility API gives both the same request/response objects).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Http2ServerRequest, type Http2ServerResponse, constants as http2constants } from "node:http2";
import { sortedJson } from "../provider/client/wire";
import { ClientGoneError, PayloadTooLargeError, UnsupportedMediaTypeError } from "./errors";

/** A request over HTTP/1.1 or HTTP/2. */
export type AnyRequest = IncomingMessage | Http2ServerRequest;
/** A response over HTTP/1.1 or HTTP/2. */
export type AnyResponse = ServerResponse | Http2ServerResponse;

/**
 * True when the exchange runs over HTTP/2: an HTTP/2 stream, not the version a request line claims
 * (node's HTTP/1 parser accepts "POST / HTTP/2.0" and reports httpVersionMajor 2).
 */
function isHttp2(req: AnyRequest): req is Http2ServerRequest {
  return (req as Partial<Http2ServerRequest>).stream !== undefined;
}

/** Reads the whole body, refusing (413) more than `maxBytes`, from Content-Length before reading when possible. */
export function readBody(req: AnyRequest, maxBytes: number): Promise<Buffer> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > maxBytes) {
    return Promise.reject(tooLarge(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: Error | undefined) => {
      if (settled) return;
      settled = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onGone);
      req.off("aborted", onGone);
      req.off("close", onClose);
      if (error) reject(error);
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Stop buffering; the caller answers 413 and closes the connection.
        req.pause();
        finish(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish(undefined);
    const onGone = () => finish(new ClientGoneError());
    const onClose = () => {
      if (!req.complete) finish(new ClientGoneError());
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onGone);
    req.on("aborted", onGone);
    req.on("close", onClose);
  });
}

function tooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`request body is larger than ${maxBytes} bytes`);
}

/** Throws 415 unless the request declares a JSON body. */
export function requireJsonContentType(req: AnyRequest): void {
  const type = req.headers["content-type"];
  const mediaType = type?.split(";", 1)[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw new UnsupportedMediaTypeError(
      type === undefined ? "content-type header is missing; send content-type: application/json" : "content-type must be application/json",
    );
  }
}

/** Sends a JSON response (keys sorted). `closeConnection` asks HTTP/1.1 clients to reconnect (after 413). */
export function sendJson(
  req: AnyRequest,
  res: AnyResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
  closeConnection = false,
): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  const text = sortedJson(body);
  const all: Record<string, string | number> = {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  };
  if (closeConnection && !isHttp2(req)) all.connection = "close";
  (res as ServerResponse).writeHead(status, all);
  res.end(text);
}

/** Ends the exchange without an answer: resets the TCP connection (HTTP/1.1) or the stream (HTTP/2). */
export function abortExchange(req: AnyRequest, res: AnyResponse): void {
  if (isHttp2(req)) {
    const stream = (res as Http2ServerResponse).stream;
    if (!stream.destroyed) stream.close(http2constants.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  const socket = (req as IncomingMessage).socket;
  // resetAndDestroy sends a TCP RST, which is what "connection reset" means to a client.
  const s = socket as typeof socket & { resetAndDestroy?: () => void };
  if (typeof s.resetAndDestroy === "function") s.resetAndDestroy();
  else socket.destroy();
}

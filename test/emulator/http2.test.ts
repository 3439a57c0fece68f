/**
 * With a certificate the emulator serves HTTPS and negotiates HTTP/2 by ALPN (the
 * real API is reached over HTTP/2), still accepting HTTP/1.1 clients.
 */
import * as http2 from "node:http2";
import * as https from "node:https";
import type { TLSSocket } from "node:tls";
import { Transport } from "../../emulator/server";
import { closeAll, type Harness, PREPARE_PDA, startEmulator, tempDir, waitFor } from "./helpers/harness";
import { selfSignedCertificate } from "./helpers/jwt";

const cert = selfSignedCertificate(tempDir("emu-cert-"));
let h: Harness;
beforeAll(async () => {
  h = await startEmulator({ tls: { cert: cert.cert, key: cert.key } });
});
afterAll(closeAll);
beforeEach(async () => {
  await h.admin.reset(); // runs, faults and the request log as seeded: no test sees another's
});

const readBody = { action: "get_last_status", ...PREPARE_PDA };

interface H2Result {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of any shape, read by assertions
  body: any;
  headers?: http2.IncomingHttpHeaders;
  error?: NodeJS.ErrnoException;
}

/** One POST on an HTTP/2 session. */
function h2post(session: http2.ClientHttp2Session, path: string, body: unknown, token = h.token): Promise<H2Result> {
  return new Promise((resolve) => {
    const stream = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
    });
    let status = 0;
    let answered: http2.IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    stream.on("response", (headers) => {
      status = Number(headers[":status"]);
      answered = headers;
    });
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      resolve({ status, body: text ? JSON.parse(text) : undefined, ...(answered ? { headers: answered } : {}) });
    });
    stream.on("error", (error) => resolve({ status, body: undefined, error }));
    stream.end(typeof body === "string" ? body : JSON.stringify(body));
  });
}

function connect(): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(h.url, { ca: cert.cert });
    session.once("connect", () => resolve(session));
    session.once("error", reject);
  });
}

describe("HTTPS with HTTP/2", () => {
  it("serves https:// and negotiates h2 by ALPN", async () => {
    expect(h.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const session = await connect();
    try {
      expect(session.alpnProtocol).toBe("h2");
      const r = await h2post(session, "/v1/dag/status", readBody);
      expect(r.status).toBe(200);
      expect(r.body.results).toHaveLength(3);
      const [entry] = (await h.admin.requests()).slice(-1);
      expect(entry?.http_version).toBe("2.0");
    } finally {
      session.close();
    }
  });

  it("dates answers, or not while the Date header switch is off", async () => {
    const session = await connect();
    try {
      expect((await h2post(session, "/v1/dag/status", readBody)).headers?.date).toEqual(expect.any(String));
      await h.admin.setDateHeader(false);
      const without = await h2post(session, "/v1/dag/status", readBody);
      expect(without.status).toBe(200);
      expect(without.headers?.date).toBeUndefined();
    } finally {
      session.close();
    }
  });

  it("serves many concurrent streams on one connection", async () => {
    const session = await connect();
    try {
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          i % 5 === 0
            ? h2post(session, "/v1/dag/launch", { action: "launch_job", ...PREPARE_PDA })
            : h2post(session, "/v1/dag/status", readBody),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(25).fill(200));
    } finally {
      session.close();
    }
  });

  it("still accepts HTTP/1.1 clients over TLS", async () => {
    const r = await new Promise<{ status: number; alpn: string | false | null; body: string }>((resolve, reject) => {
      const req = https.request(
        `${h.url}/v1/dag/status`,
        {
          method: "POST",
          ca: cert.cert,
          agent: false,
          headers: { "content-type": "application/json", authorization: `Bearer ${h.token}` },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, alpn: (res.socket as TLSSocket).alpnProtocol, body: Buffer.concat(chunks).toString() }),
          );
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify(readBody));
    });
    expect(r.status).toBe(200);
    expect(r.alpn === false || r.alpn === "http/1.1").toBe(true);
    expect(JSON.parse(r.body).results).toHaveLength(3);
  });

  it("answers errors the same way over HTTP/2 (401, 400, 413, 405)", async () => {
    const session = await connect();
    try {
      expect((await h2post(session, "/v1/dag/status", readBody, "")).body).toEqual({ code: 401, message: "Jwt is missing" });
      expect((await h2post(session, "/v1/dag/status", "{nope")).status).toBe(400);
      expect((await h2post(session, "/v1/dag/status", JSON.stringify({ ...readBody, pad: "x".repeat(70_000) }))).status).toBe(413);
      const get = await new Promise<number>((resolve) => {
        const s = session.request({ ":method": "GET", ":path": "/v1/dag/status" });
        s.on("response", (headers) => resolve(Number(headers[":status"])));
        s.resume();
        s.end();
      });
      expect(get).toBe(405);
      // The session survived all of it.
      expect((await h2post(session, "/v1/dag/status", readBody)).status).toBe(200);
    } finally {
      session.close();
    }
  });

  it("resets the stream (not the whole connection) for reset and drop_response faults; a dropped launch is persisted", async () => {
    await h.admin.addFaults([
      { kind: "reset", action: "get_last_status", max_count: 1 },
      { kind: "drop_response", action: "launch_job", max_count: 1 },
    ]);
    const session = await connect();
    try {
      const reset = await h2post(session, "/v1/dag/status", readBody);
      expect(reset.error?.code).toBe("ERR_HTTP2_STREAM_ERROR");
      await h.admin.clearRequests();
      const dropped = await h2post(session, "/v1/dag/launch", { action: "launch_job", ...PREPARE_PDA });
      expect(dropped.error?.code).toBe("ERR_HTTP2_STREAM_ERROR");
      const [entry] = await h.admin.requests({ action: "launch_job" });
      expect(entry).toMatchObject({ fault: "drop_response", status: 200 });
      expect(await h.admin.listRuns({ run_id: entry?.run_id as string })).toHaveLength(1);
      expect((await h2post(session, "/v1/dag/status", readBody)).status).toBe(200);
    } finally {
      session.close();
      await h.admin.clearFaults();
    }
  });

  it("holds a late_processing request's stream, not the connection; the held stream gets 504 when the launch is performed", async () => {
    await h.admin.addFault({ kind: "late_processing", action: "launch_job", hold: true, delay_ms: 10_000, max_count: 1 });
    const session = await connect();
    try {
      const held = h2post(session, "/v1/dag/launch", { action: "launch_job", ...PREPARE_PDA });
      await waitFor(async () => (await h.admin.requests({ action: "launch_job" }))[0], "the held launch in the log");
      expect((await h2post(session, "/v1/dag/status", readBody)).status).toBe(200);
      await h.admin.advanceClock(10);
      expect((await held).status).toBe(504);
      const [entry] = await h.admin.requests({ action: "launch_job" });
      expect(entry).toMatchObject({ status: 504, http_version: "2.0" });
      expect(await h.admin.listRuns({ run_id: entry?.run_id as string, origin: "launch" })).toHaveLength(1);
    } finally {
      session.close();
    }
  });

  it("accepts tokens whose audience is its https URL", async () => {
    const session = await connect();
    try {
      const token = h.emulator.mintToken({ audience: h.url.replace("127.0.0.1", "localhost") });
      expect((await h2post(session, "/v1/dag/status", readBody, token)).status).toBe(200);
    } finally {
      session.close();
    }
  });

  it("closes without waiting out its grace period when an idle HTTP/2 session is left open", async () => {
    // A grace period of an hour: were close() to wait for the idle session, the test would time out.
    const transport = new Transport((_req, res) => res.end(), { cert: cert.cert, key: cert.key });
    const { port } = await transport.listen(0, "127.0.0.1");
    const session = http2.connect(`https://127.0.0.1:${port}`, { ca: cert.cert });
    session.on("error", () => undefined);
    await new Promise((r) => session.once("connect", r));
    const sessionClosed = new Promise((r) => session.once("close", r));
    await transport.close(3_600_000);
    await sessionClosed;
    expect(transport.connectionCount).toBe(0);
  });
});

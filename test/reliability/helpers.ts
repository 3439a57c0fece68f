/**
 * Shared pieces of the reliability suites: how many cases to run (moderate under `npm test`, the full
 * counts under `npm run test:stress`, i.e. TAILER_STRESS=1), a figures report, a garbage collector for
 * memory measurements, and a raw-socket HTTP exchange.
 */
import * as net from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** True under `npm run test:stress` (TAILER_STRESS=1): the full counts of issue 6. */
export const STRESS = process.env.TAILER_STRESS === "1" || process.env.TAILER_STRESS === "true";

/**
 * A count: `env` (an explicit override, e.g. TAILER_RELIABILITY_REQUESTS=50000) wins, then the stress
 * count under TAILER_STRESS=1, then the default count of `npm test`.
 */
export function count(env: string, defaults: { normal: number; stress: number }): number {
  const raw = process.env[env];
  if (raw !== undefined && raw !== "") {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${env} must be a positive integer (got ${raw})`);
    return n;
  }
  return STRESS ? defaults.stress : defaults.normal;
}

/** The seed of fast-check runs: TAILER_RELIABILITY_SEED to replay a failure, else fast-check's own. */
export function fcSeed(): { seed?: number } {
  const raw = process.env.TAILER_RELIABILITY_SEED;
  return raw === undefined || raw === "" ? {} : { seed: Number(raw) };
}

/** Prints one line of figures for the report (jest shows console.info output with the suite). */
export function report(suite: string, figures: Record<string, unknown>): void {
  const text = Object.entries(figures)
    .map(([k, v]) => `${k}=${typeof v === "number" && !Number.isInteger(v) ? v.toFixed(1) : String(v)}`)
    .join(" ");
  console.info(`[reliability] ${suite}${STRESS ? " (stress)" : ""}: ${text}`);
}

let gcFunction: (() => void) | undefined;

/** A full garbage collection (node's gc, exposed at run time without --expose-gc). */
export function collectGarbage(): void {
  if (!gcFunction) {
    setFlagsFromString("--expose-gc");
    gcFunction = runInNewContext("gc") as () => void;
  }
  gcFunction();
  gcFunction();
}

/** Heap used and RSS in MiB, after a full collection. */
export function memoryMiB(): { heap: number; rss: number } {
  collectGarbage();
  const m = process.memoryUsage();
  return { heap: m.heapUsed / 2 ** 20, rss: m.rss / 2 ** 20 };
}

/** What the server sent back on a raw socket: the bytes as text and whether it closed the connection. */
export interface RawAnswer {
  text: string;
  /** The status code of the first response line, or undefined when the server answered nothing. */
  status: number | undefined;
  /** True when the server ended the connection before `timeoutMs`. */
  closed: boolean;
}

/**
 * Writes `chunks` on a fresh TCP connection (each chunk a separate write), half-closes when `end` is
 * true, and collects the answer until the server closes or `timeoutMs` passes (then the socket is
 * destroyed: a client that gives up).
 */
export function rawExchange(url: string, chunks: Array<string | Buffer>, { end = true, timeoutMs = 2000 } = {}): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    let settled = false;
    const socket = net.connect(Number(port), hostname);
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(received).toString("latin1");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ text, status: m ? Number(m[1]) : undefined, closed });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on("connect", () => {
      for (const c of chunks) socket.write(c);
      if (end) socket.end();
    });
    socket.on("data", (c: Buffer) => {
      received.push(c);
      // A complete answer with a content-length: no need to wait for the close (keep-alive).
      const text = Buffer.concat(received).toString("latin1");
      const head = text.indexOf("\r\n\r\n");
      if (head !== -1) {
        const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, head));
        if (length && Buffer.byteLength(text, "latin1") >= head + 4 + Number(length[1])) finish(false);
      }
    });
    socket.on("close", () => finish(true));
    socket.on("error", () => finish(true));
  });
}

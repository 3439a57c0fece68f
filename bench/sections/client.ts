/**
 * Item 5: the client against the limit. TailerClient calls per second against the emulator beside raw
 * undici requests with the same payload, headers and connection settings (the floor of what any client
 * can do: send, read the body, nothing else), over HTTP/1.1 (plain) and HTTP/2 (TLS, ALPN). The
 * emulator runs in its own process; the two are interleaved, several rounds each.
 */

import { TailerClient } from "pulumi-tailer/client";
import { Agent } from "undici";
import { selfSignedCertificate } from "../../test/helpers/tls";
import type { BenchContext } from "../lib/context";
import { benchWorld, startEmulatorProcess } from "../lib/emulator";
import { closedLoop, type LoadWindow } from "../lib/load";
import { type Sampled, sampled } from "../lib/stats";

/** One protocol's comparison. */
export interface ClientProtocolResult {
  protocol: "HTTP/1.1" | "HTTP/2";
  /** The http_version the emulator logged for the client's calls. */
  negotiated: string;
  concurrency: number;
  rounds: number;
  secondsPerRound: number;
  raw: { callsPerSecond: Sampled; cpuUsPerCall: Sampled; errors: number };
  client: { callsPerSecond: Sampled; cpuUsPerCall: Sampled; errors: number };
  /** client / raw calls per second, medians. */
  ratio: number;
  /** client / raw CPU per call in the calling process, medians. */
  cpuRatio: number;
}

/** The section's results. */
export interface ClientResult {
  action: string;
  protocols: ClientProtocolResult[];
}

/** The same settings TailerClient gives its own pool (CLIENT_DEFAULTS). */
const AGENT_SETTINGS = { allowH2: true, connections: 16, keepAliveTimeout: 30_000 } as const;
const CONCURRENCY = 16;

const payload = {
  action: "get_last_status" as const,
  account: "000099",
  environment: "DEV" as const,
  configuration_type: "table-to-table" as const,
  configuration_id: "000099_bench_0000_DEV",
  limit: 3,
};

/** Runs the section. */
export async function runClient(ctx: BenchContext): Promise<ClientResult> {
  const rounds = ctx.quick ? 1 : 5;
  const seconds = ctx.quick ? 0.5 : 3;
  const protocols: ClientProtocolResult[] = [];
  for (const protocol of ["HTTP/1.1", "HTTP/2"] as const) {
    const dir = ctx.tempDir("client-emulator");
    const tls = protocol === "HTTP/2" ? selfSignedCertificate(dir) : undefined;
    const emulator = await startEmulatorProcess({ stateDir: dir, seed: benchWorld(1), ...(tls ? { tls } : {}) });
    const ca = tls?.cert;
    const client = new TailerClient({ apiUrl: emulator.url, auth: { credentials: emulator.devKeyJson }, env: {}, ...(ca ? { ca } : {}) });
    const agent = new Agent({ ...AGENT_SETTINGS, connect: { timeout: 10_000, ...(ca ? { ca } : {}) } });
    const token = await emulator.admin.mintToken();
    const origin = new URL(emulator.url).origin;
    const headers = {
      "content-type": "application/json",
      accept: "application/json",
      authorization: `Bearer ${token}`,
      "user-agent": `pulumi-tailer/0.1.0 node/${process.versions.node}`,
    };
    const raw = async () => {
      const response = await agent.request({ origin, path: "/v1/dag/status", method: "POST", headers, body: JSON.stringify(payload) });
      await response.body.text();
      if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}`);
    };
    const { action: _action, ...body } = payload;
    const ours = () => client.getLastStatus(body);
    try {
      ctx.log(`client: ${protocol} warm-up`);
      await closedLoop(raw, CONCURRENCY, ctx.quick ? 0.2 : 1);
      await closedLoop(ours, CONCURRENCY, ctx.quick ? 0.2 : 1);
      await emulator.admin.clearRequests();
      await ours();
      const negotiated = (await emulator.admin.requests()).at(-1)?.http_version ?? "?";
      const windows: { raw: LoadWindow[]; client: LoadWindow[] } = { raw: [], client: [] };
      for (let round = 0; round < rounds; round++) {
        ctx.log(`client: ${protocol} round ${round + 1}/${rounds}`);
        const order = round % 2 === 0 ? (["raw", "client"] as const) : (["client", "raw"] as const);
        for (const which of order) windows[which].push(await closedLoop(which === "raw" ? raw : ours, CONCURRENCY, seconds));
      }
      const summary = (w: LoadWindow[]) => ({
        callsPerSecond: sampled(w.map((x) => x.callsPerSecond)),
        cpuUsPerCall: sampled(w.map((x) => x.cpuUsPerCall)),
        errors: w.reduce((a, x) => a + x.errors, 0),
      });
      const r = summary(windows.raw);
      const c = summary(windows.client);
      protocols.push({
        protocol,
        negotiated,
        concurrency: CONCURRENCY,
        rounds,
        secondsPerRound: seconds,
        raw: r,
        client: c,
        ratio: c.callsPerSecond.median / r.callsPerSecond.median,
        cpuRatio: c.cpuUsPerCall.median / r.cpuUsPerCall.median,
      });
    } finally {
      await client.close();
      await agent.close();
      await emulator.stop();
    }
  }
  return { action: "get_last_status", protocols };
}

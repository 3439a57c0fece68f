/**
 * Test harness: an emulator on a random port, a token for it, and small HTTP
 * helpers that return status, headers and parsed body. Everything started here
 * is closed by `closeAll()` (call it in afterEach/afterAll).
 */

import { mkdtempSync, rmSync } from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import type { AdminClient } from "../../../emulator/admin-client";
import { createEmulator, DEFAULT_SEED, type Emulator, type EmulatorOptions } from "../../../emulator/index";
import { loadSeed } from "../../../emulator/seed";

/** A started emulator with what tests use most. */
/** The default world (the docs', the examples' and their history): how many configurations and runs it holds. */
export const DEFAULT_WORLD = (() => {
  const world = loadSeed(DEFAULT_SEED);
  return { configurations: world.configurations.length, runs: world.runs.length };
})();

export interface Harness {
  emulator: Emulator;
  url: string;
  admin: AdminClient;
  /** A valid token for every account (dev service account, aud = the emulator's URL); "" without the dev account. */
  token: string;
  /** POSTs a JSON body (or raw text) to the public API with the harness token. */
  post(path: string, body: unknown, options?: PostOptions): Promise<HttpResult>;
}

/** Options of Harness.post / httpRequest. */
export interface PostOptions {
  token?: string | null;
  headers?: Record<string, string>;
  method?: string;
  /** Send this text as the body instead of JSON.stringify(body). */
  raw?: string | Buffer;
}

/** An HTTP exchange's outcome. */
export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The parsed JSON body (undefined when not JSON). */
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of any shape, read by assertions
  body: any;
}

const open: Emulator[] = [];

/** Starts an emulator (in memory, docs seed unless told otherwise) on 127.0.0.1 and a random port. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Harness> {
  const emulator = createEmulator(options);
  open.push(emulator);
  const { url } = await emulator.listen({ port: 0 });
  const admin = emulator.admin();
  const token = emulator.devServiceAccountKey ? emulator.mintToken() : "";
  return {
    emulator,
    url,
    admin,
    token,
    post: (path, body, o = {}) => httpRequest(`${url}${path}`, body, { ...o, token: o.token === undefined ? token : o.token }),
  };
}

const tempDirs: string[] = [];

/** A fresh temporary folder, removed by closeAll() or removeTempDirs(). */
export function tempDir(prefix = "emu-test-"): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Removes the folders made by tempDir(). */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Closes every emulator started by startEmulator, then removes the temporary folders. */
export async function closeAll(): Promise<void> {
  const all = open.splice(0);
  await Promise.all(all.map((e) => e.close()));
  removeTempDirs();
}

/** One HTTP/1.1 request with a fresh connection (no pooling surprises between tests). */
export function httpRequest(url: string, body: unknown, options: PostOptions = {}): Promise<HttpResult> {
  const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  const headers: Record<string, string> = {
    ...(payload !== undefined ? { "content-type": "application/json" } : {}),
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? "POST", headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    if (payload !== undefined) req.end(payload);
    else req.end();
  });
}

/** Resolves with the socket-level error of a POST that gets no HTTP answer (reset, dropped); fails if one comes. */
export function expectNoAnswer(url: string, body: unknown, token: string): Promise<NodeJS.ErrnoException> {
  return new Promise((resolve, reject) => {
    const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
    const req = http.request(url, { method: "POST", agent: false, headers }, (res) => {
      reject(new Error(`unexpected answer ${res.statusCode}`));
    });
    req.on("error", (e) => resolve(e as NodeJS.ErrnoException));
    req.end(JSON.stringify(body));
  });
}

/** Resolves when `check` returns a truthy value (polled every few ms), or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T> | T, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The docs' table-to-table configuration. */
export const PREPARE_PDA = {
  account: "000099",
  environment: "DEV",
  configuration_type: "table-to-table",
  configuration_id: "000099_iowa_liquor_prepare_pda_DEV",
} as const;

/** The docs' configuration that the newer page disables, enables and archives. */
export const LOAD_PDA = {
  account: "000099",
  environment: "DEV",
  configuration_type: "table-to-table",
  configuration_id: "000099_Load_PDA_f_traffic_ma_DEV",
} as const;

/** The docs' storage-to-storage data operation. */
export const JARVIS_STS = {
  account: "000099",
  environment: "DEV",
  configuration_type: "storage-to-storage",
  configuration_id: "000099-jarvis-demo-iowa-liquor-storage-to-storage",
} as const;

/** The docs' workflow. */
export const LOAD_PDA_WORKFLOW = {
  account: "000099",
  environment: "DEV",
  configuration_type: "workflow",
  configuration_id: "000099-iowa-liquor-load-pda",
} as const;

/** The run id pattern of launched runs. */
export const LAUNCHED_RUN_ID = /^\d{8}-\d{6}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

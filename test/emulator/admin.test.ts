/**
 * The admin API (/_emulator/): its own token, and the out-of-band changes a
 * person makes in Tailer Studio, which the public API then reflects.
 */

import * as path from "node:path";
import { AdminApiError } from "../../emulator/errors";
import { DOCS_SEED, EXAMPLES_SEED } from "../../emulator/index";
import { tokenFingerprint } from "../../emulator/request-log";
import { ACTION_PATHS } from "../../provider/client/schemas";
import { launchOutsidePulumi, outsideActorToken } from "../helpers/emulator";
import { closeAll, DEFAULT_WORLD, type Harness, httpRequest, LOAD_PDA, PREPARE_PDA, startEmulator, tempDir } from "./helpers/harness";

let h: Harness;
beforeAll(async () => {
  h = await startEmulator({ adminToken: "test-admin-token" });
});
afterAll(closeAll);
beforeEach(async () => {
  await h.admin.reset();
});

const lastStatus = (identity: Record<string, unknown>) => h.post(ACTION_PATHS.get_last_status, { action: "get_last_status", ...identity });

describe("access", () => {
  it("answers health without a token", async () => {
    expect((await httpRequest(`${h.url}/_emulator/health`, undefined, { method: "GET" })).body).toEqual({ ok: true });
  });

  it("refuses a missing or wrong admin token (401), and API tokens", async () => {
    for (const token of [null, "wrong-token", h.token]) {
      const r = await httpRequest(`${h.url}/_emulator/runs`, undefined, { method: "GET", token });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ code: 401, data: {}, message: expect.stringMatching(/admin token/) });
    }
    expect(h.emulator.adminToken).toBe("test-admin-token");
  });

  it("answers 404 for an unknown route and 405 with Allow for a wrong method", async () => {
    const unknown = await httpRequest(`${h.url}/_emulator/nope`, undefined, { method: "GET", token: "test-admin-token" });
    expect(unknown.status).toBe(404);
    const wrong = await httpRequest(`${h.url}/_emulator/clock`, {}, { method: "PUT", token: "test-admin-token" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe("GET");
  });

  it("throws AdminApiError with status and body from the client", async () => {
    const error = await h.admin.updateConfiguration({ ...PREPARE_PDA, configuration_id: "nope" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminApiError);
    expect((error as AdminApiError).status).toBe(404);
    expect((error as AdminApiError).message).toMatch(/PATCH \/_emulator\/configurations -> 404: configuration nope/);
  });
});

describe("configurations", () => {
  it("start in the default world: every configuration of the docs' world and of the examples' world, and the DEV sales load's successful run", async () => {
    const ids = (await h.admin.listConfigurations()).map((c) => c.configuration_id).sort();
    const seeded = [DOCS_SEED, EXAMPLES_SEED].flatMap(
      (seed) => (seed as { configurations: { configuration_id: string }[] }).configurations,
    );
    expect(ids).toEqual(seeded.map((c) => c.configuration_id).sort());
    const [last] = await h.admin.listRuns({ configuration_id: "000099_sales_load_DEV", limit: 1 });
    expect(last).toMatchObject({ status: "SUCCESS", origin: "seed" });
  });

  it("lists the seeded configurations with their defaults, filterable", async () => {
    expect(await h.admin.listConfigurations()).toHaveLength(DEFAULT_WORLD.configurations);
    const [prepare] = await h.admin.listConfigurations(PREPARE_PDA);
    expect(prepare).toEqual({
      ...PREPARE_PDA,
      activated: true,
      archived: false,
      job_ids: ["gbq-to-gbq|000099_iowa_liquor_prepare_pda_DEV"],
      max_active_runs: 1,
      run: { duration: "0:01:30", outcome: "SUCCESS" },
      workflow: null,
      schedule: null,
      pending_scripted_launches: 0,
    });
    expect(await h.admin.listConfigurations({ account: "000110" })).toHaveLength(3);
  });

  it("adds configurations the API can then use (what a deployment does)", async () => {
    const identity = {
      account: "000200",
      environment: "PROD",
      configuration_type: "table-to-storage",
      configuration_id: "export",
    } as const;
    await h.admin.putConfigurations([identity]);
    const r = await h.post(ACTION_PATHS.launch_job, { action: "launch_job", ...identity });
    expect(r.status).toBe(200);
    const [run] = await h.admin.listRuns({ run_id: r.body.run_id });
    expect(run?.job_id).toBe("table-to-storage|table-to-storage|export");
  });

  it("refuses invalid configurations, naming the field", async () => {
    await expect(h.admin.putConfigurations([{ ...LOAD_PDA, account: "1" }])).rejects.toThrow(
      /configurations\[0\]\.account: account must be 6 digits/,
    );
    await expect(h.admin.putConfigurations([{ ...LOAD_PDA, max_active_runs: 0 }])).rejects.toThrow(/configurations\[0\]\.max_active_runs/);
    await expect(h.admin.putConfigurations([{ ...LOAD_PDA, configuration_type: "workflow" }])).rejects.toThrow(
      /workflow: a workflow configuration needs a workflow definition/,
    );
  });

  it("changes a configuration out of band: the API sees the drift", async () => {
    await h.admin.updateConfiguration({ ...LOAD_PDA, archived: true });
    expect((await h.admin.listConfigurations(LOAD_PDA))[0]).toMatchObject({ activated: false, archived: true });
    expect((await h.post(ACTION_PATHS.launch_job, { action: "launch_job", ...LOAD_PDA })).status).toBe(404);
  });

  it("deletes a configuration: the API then answers 404", async () => {
    await h.admin.deleteConfiguration(LOAD_PDA);
    expect((await lastStatus(LOAD_PDA)).status).toBe(404);
    await expect(h.admin.deleteConfiguration(LOAD_PDA)).rejects.toThrow(/404/);
  });
});

describe("runs", () => {
  it("inserts historical runs, shown by get_last_status in the documented form", async () => {
    await h.admin.addRuns([
      {
        ...LOAD_PDA,
        run_id: "20210101-000000-11111111-1111-4111-8111-111111111111",
        status: "FAILED",
        start_execution_date: "2021-01-01T00:00:00.5+00:00",
        last_update_date: "2021-01-01T00:10:00+00:00",
      },
    ]);
    const r = await lastStatus(LOAD_PDA);
    expect(r.body.results).toEqual([
      {
        account: "000099",
        configuration_id: LOAD_PDA.configuration_id,
        configuration_type: "gbq-to-gbq",
        duration: "0:09:59.500000",
        environment: "DEV",
        job_id: "gbq-to-gbq|000099_Load_PDA_f_traffic_ma_DEV",
        last_update_date: "2021-01-01T00:10:00+00:00",
        run_id: "20210101-000000-11111111-1111-4111-8111-111111111111",
        start_execution_date: "2021-01-01T00:00:00.500000+00:00",
        status: "FAILED",
      },
    ]);
  });

  it("refuses a duplicate run id or an unknown configuration", async () => {
    const run = {
      ...LOAD_PDA,
      run_id: "20201230-112837-0a795c70-2557-4a60-ba16-788aa2bea179",
      status: "SUCCESS" as const,
      start_execution_date: "2021-01-01T00:00:00+00:00",
    };
    await expect(h.admin.addRuns([run])).rejects.toThrow(/400.*already exists/);
    await expect(h.admin.addRuns([{ ...run, run_id: "x", configuration_id: "nope" }])).rejects.toThrow(/404/);
  });

  it("sets a run's status out of band, any status", async () => {
    const { body } = await h.post(ACTION_PATHS.launch_job, { action: "launch_job", ...PREPARE_PDA });
    expect((await h.admin.setRunStatus(body.run_id, "NO_MATCH")).status).toBe("NO_MATCH");
    await expect(h.admin.setRunStatus("nope", "FAILED")).rejects.toThrow(/404: run nope not found/);
  });

  it("lists runs with their origin, the request and token that launched them, and their scheduled end", async () => {
    const r = await h.post(ACTION_PATHS.launch_job, { action: "launch_job", ...PREPARE_PDA });
    const [run] = await h.admin.listRuns({ run_id: r.body.run_id });
    const [entry] = await h.admin.requests({ action: "launch_job" });
    expect(run).toMatchObject({
      origin: "launch",
      triggered_by: null,
      execution_date: null,
      request_id: r.headers["x-request-id"],
      request_seq: entry?.seq,
      token_fingerprint: tokenFingerprint(h.token),
      visible_date: run?.start_execution_date,
      scheduled_end_date: expect.stringMatching(/\+00:00$/),
    });
    expect((await h.admin.listRuns({ status: "SUCCESS", limit: 2 })).length).toBe(2);
  });

  it("counts runs per origin and launching token: API launches (a second actor apart), workflows, the seed, the admin API", async () => {
    await h.post(ACTION_PATHS.launch_job, { action: "launch_job", ...PREPARE_PDA }); // the workflow's job: it triggers LOAD_PDA
    const second = outsideActorToken({ emulator: h.emulator });
    await launchOutsidePulumi({ url: h.url, emulator: h.emulator }, LOAD_PDA);
    await h.admin.addRuns([{ ...LOAD_PDA, run_id: "history-1", status: "SUCCESS", start_execution_date: "2021-01-01T00:00:00+00:00" }]);
    await h.admin.advanceClock(91);
    const counts = await h.admin.countRunsByOrigin();
    expect(counts).toEqual(
      expect.arrayContaining([
        { origin: "launch", token_fingerprint: tokenFingerprint(h.token), runs: 1 },
        { origin: "launch", token_fingerprint: second.fingerprint, runs: 1 },
        { origin: "workflow", token_fingerprint: null, runs: 1 },
        { origin: "seed", token_fingerprint: null, runs: DEFAULT_WORLD.runs },
        { origin: "admin", token_fingerprint: null, runs: 1 },
      ]),
    );
    expect(counts).toHaveLength(5);
    expect(await h.admin.countRunsByOrigin({ origin: "launch", token_fingerprint: second.fingerprint })).toEqual([
      { origin: "launch", token_fingerprint: second.fingerprint, runs: 1 },
    ]);
    await expect(h.admin.listRuns({ origin: "nobody" as never })).rejects.toThrow(/400.*origin must be one of launch, scheduler/);
  });
});

describe("tokens, info and reset", () => {
  it("mints dev-account tokens for the API, optionally limited to accounts", async () => {
    const token = await h.admin.mintToken({ accounts: ["000110"] });
    const other = await h.post(ACTION_PATHS.get_last_status, { action: "get_last_status", ...PREPARE_PDA }, { token });
    expect(other.status).toBe(403);
    const own = await h.post(
      ACTION_PATHS.get_last_status,
      {
        action: "get_last_status",
        account: "000110",
        environment: "DEV",
        configuration_type: "storage-to-storage",
        configuration_id: "000110-tailer-STS-POC-ETL-VTE",
      },
      { token },
    );
    expect(own.status).toBe(200);
  });

  it("says where the dev account's key file is, without the admin token (null for a key kept in memory)", async () => {
    const stateDir = tempDir("emu-admin-");
    const withFolder = await startEmulator({ stateDir });
    const key = withFolder.emulator.devServiceAccountKey as { private_key_id: string; client_email: string };
    const anyone = await httpRequest(`${withFolder.url}/_emulator/dev-account`, undefined, { method: "GET" });
    expect([anyone.status, anyone.body]).toEqual([
      200,
      {
        dev_account: { client_email: key.client_email, kid: key.private_key_id, key_file: path.join(stateDir, "dev-service-account.json") },
      },
    ]);
    expect(JSON.stringify(anyone.body)).not.toContain("PRIVATE KEY");
    expect((await h.admin.devAccount()).dev_account?.key_file).toBeNull();
  });

  it("reports counts, internal errors and the guesses in use", async () => {
    const info = await h.admin.info();
    expect(info).toMatchObject({ url: h.url, ...DEFAULT_WORLD, internal_errors: 0, database: ":memory:" });
    expect(info.guesses).toMatchObject({ defaultLastStatusLimit: 3 });
  });

  it("reset restores the seed and clears scripted launches, faults and the log", async () => {
    await h.admin.deleteConfiguration(PREPARE_PDA);
    await h.admin.addFault({ kind: "error" });
    const r = await h.admin.reset();
    expect(r).toEqual({ reset: true, ...DEFAULT_WORLD });
    expect((await h.admin.listFaults()).faults).toEqual([]);
    expect((await lastStatus(PREPARE_PDA)).status).toBe(200);
  });
});

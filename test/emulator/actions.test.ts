/**
 * The seven actions of the public API: what each does when things go right, and
 * each way it can go wrong. Runs on the docs' world (emulator/seeds/docs.json).
 */
import { ACTION_PATHS, type Action, RESPONSE_SCHEMAS } from "../../provider/client/schemas";
import {
  closeAll,
  type Harness,
  type HttpResult,
  JARVIS_STS,
  LAUNCHED_RUN_ID,
  LOAD_PDA,
  LOAD_PDA_WORKFLOW,
  PREPARE_PDA,
  startEmulator,
} from "./helpers/harness";

let h: Harness;
beforeAll(async () => {
  h = await startEmulator();
});
afterAll(closeAll);
beforeEach(async () => {
  await h.admin.reset();
});

/** Calls an action on its documented path. */
async function call(action: Action, fields: Record<string, unknown>): Promise<HttpResult> {
  const r = await h.post(ACTION_PATHS[action], { action, ...fields });
  if (r.status === 200) expect(RESPONSE_SCHEMAS[action].safeParse(r.body).success).toBe(true);
  return r;
}

function expectApiError(r: HttpResult, status: number, message: RegExp): void {
  expect(r.status).toBe(status);
  expect(r.body).toEqual({ code: status, data: {}, message: expect.stringMatching(message) });
}

async function launch(identity: Record<string, unknown> = PREPARE_PDA): Promise<string> {
  const r = await call("launch_job", identity);
  expect(r.status).toBe(200);
  return r.body.run_id as string;
}

async function runStatus(
  runId: string,
  identity: Record<string, unknown> = PREPARE_PDA,
  jobId = `gbq-to-gbq|${String(identity.configuration_id)}`,
) {
  const r = await call("check_run_status", { ...identity, job_id: jobId, run_id: runId });
  expect(r.status).toBe(200);
  return r.body.results[0];
}

describe("launch_job", () => {
  it("launches a run and answers its id, YYYYMMDD-HHMMSS-<uuid4> in emulated UTC time", async () => {
    const before = await h.admin.clock();
    const runId = await launch();
    expect(runId).toMatch(LAUNCHED_RUN_ID);
    expect(runId.slice(0, 8)).toBe(before.now.slice(0, 10).replace(/-/g, ""));
    const run = await runStatus(runId);
    expect(run).toMatchObject({
      run_id: runId,
      status: "RUNNING",
      job_id: "gbq-to-gbq|000099_iowa_liquor_prepare_pda_DEV",
      configuration_type: "table-to-table",
    });
    expect(run.start_execution_date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00$/);
  });

  it("treats gbq-to-gbq as table-to-table", async () => {
    const runId = await launch({ ...PREPARE_PDA, configuration_type: "gbq-to-gbq" });
    expect((await runStatus(runId)).run_id).toBe(runId);
  });

  it("accepts the optional execution_date (also YYYY/MM/DD) and the older page's job_id", async () => {
    const a = await launch({ ...PREPARE_PDA, execution_date: "2020-12-09" });
    const b = await launch({ ...PREPARE_PDA, execution_date: "2020/12/10", job_id: "gbq-to-gbq|000099_iowa_liquor_prepare_pda_DEV" });
    expect((await h.admin.listRuns({ run_id: a }))[0]?.execution_date).toBe("2020-12-09");
    expect((await h.admin.listRuns({ run_id: b }))[0]?.execution_date).toBe("2020-12-10");
  });

  it("refuses a job_id that is not one of the configuration's jobs (404)", async () => {
    expectApiError(
      await call("launch_job", { ...PREPARE_PDA, job_id: "gbq-to-gbq|other" }),
      404,
      /job gbq-to-gbq\|other not found in configuration 000099_iowa_liquor_prepare_pda_DEV/,
    );
  });

  it("answers 404 naming an unknown configuration", async () => {
    expectApiError(
      await call("launch_job", { ...PREPARE_PDA, configuration_id: "000099_nope_DEV" }),
      404,
      /^configuration 000099_nope_DEV \(table-to-table, environment DEV, account 000099\) not found$/,
    );
  });

  it("hints at the environment suffix when a table-to-table id lacks it", async () => {
    expectApiError(
      await call("launch_job", { ...PREPARE_PDA, configuration_id: "000099_iowa_liquor_prepare_pda" }),
      404,
      /not found; table-to-table configurations are addressed with their environment suffix: did you mean 000099_iowa_liquor_prepare_pda_DEV\?/,
    );
  });

  it("answers 404 for the right id in another environment or account", async () => {
    expectApiError(await call("launch_job", { ...PREPARE_PDA, environment: "PROD" }), 404, /not found/);
    expectApiError(await call("launch_job", { ...PREPARE_PDA, account: "000100" }), 404, /not found/);
  });

  it("answers 404 naming an archived configuration and why", async () => {
    await h.admin.updateConfiguration({ ...LOAD_PDA, archived: true });
    expectApiError(
      await call("launch_job", LOAD_PDA),
      404,
      /^configuration 000099_Load_PDA_f_traffic_ma_DEV .* is archived and cannot be launched$/,
    );
  });

  it("creates a DEACTIVATED run, ended at once, when the configuration is disabled", async () => {
    await h.admin.updateConfiguration({ ...LOAD_PDA, activated: false });
    const runId = await launch(LOAD_PDA);
    const run = await runStatus(runId, LOAD_PDA);
    expect(run).toMatchObject({ status: "DEACTIVATED", duration: "0:00:00" });
    expect(run.last_update_date).toBe(run.start_execution_date);
  });

  it("refuses types that run on file arrival or on triggers (400)", async () => {
    expectApiError(await call("launch_job", JARVIS_STS), 400, /storage-to-storage configurations run when their files arrive/);
    expectApiError(await call("launch_job", LOAD_PDA_WORKFLOW), 400, /workflow configurations run when their jobs succeed/);
  });
});

describe("check_run_status", () => {
  it("echoes the request's configuration_type (table-to-table or gbq-to-gbq) for the same run", async () => {
    const runId = "20201230-112837-0a795c70-2557-4a60-ba16-788aa2bea179";
    const job = "gbq-to-gbq|000099_iowa_liquor_prepare_pda_DEV";
    const asNew = await call("check_run_status", { ...PREPARE_PDA, job_id: job, run_id: runId });
    const asOld = await call("check_run_status", { ...PREPARE_PDA, configuration_type: "gbq-to-gbq", job_id: job, run_id: runId });
    expect(asNew.body.results[0].configuration_type).toBe("table-to-table");
    expect(asOld.body.results[0].configuration_type).toBe("gbq-to-gbq");
  });

  it("shows storage runs without last_update_date, as the docs do", async () => {
    const r = await call("check_run_status", {
      ...JARVIS_STS,
      job_id: "storage-to-storage|000099|000099-jarvis-demo-iowa-liquor-storage-to-storage|DEV|stores-{{FD_DATE}}-{{FD_TIME}}.csv",
      run_id: "20201209-cf026ae9-c79c-4cf9-8ffb-0bb63ad39469",
    });
    expect(r.body.results[0]).not.toHaveProperty("last_update_date");
    expect(r.body.results[0].start_execution_date).toBe("2020-12-09T17:17:23+00:00");
  });

  it("answers 404 for an unknown run, a run of another configuration, or another job", async () => {
    const job = "gbq-to-gbq|000099_iowa_liquor_prepare_pda_DEV";
    expectApiError(
      await call("check_run_status", { ...PREPARE_PDA, job_id: job, run_id: "20201230-112837-00000000-0000-4000-8000-000000000000" }),
      404,
      /run .* not found in configuration 000099_iowa_liquor_prepare_pda_DEV/,
    );
    const other = await launch(LOAD_PDA);
    expectApiError(await call("check_run_status", { ...PREPARE_PDA, job_id: job, run_id: other }), 404, /not found/);
    expectApiError(
      await call("check_run_status", {
        ...PREPARE_PDA,
        job_id: "gbq-to-gbq|x",
        run_id: "20201230-112837-0a795c70-2557-4a60-ba16-788aa2bea179",
      }),
      404,
      /is not a run of job gbq-to-gbq\|x/,
    );
  });

  it("answers 404 for an unknown configuration", async () => {
    expectApiError(
      await call("check_run_status", { ...PREPARE_PDA, configuration_id: "x_DEV", job_id: "gbq-to-gbq|x_DEV", run_id: "r" }),
      404,
      /configuration x_DEV .* not found/,
    );
  });

  it("shows a RUNNING run's duration growing with the clock", async () => {
    const runId = await launch();
    await h.admin.advanceClock(30);
    const run = await runStatus(runId);
    expect(run.status).toBe("RUNNING");
    expect(run.duration).toMatch(/^0:00:3\d/);
  });
});

describe("get_last_status", () => {
  it("returns the newest runs first, 3 by default, with the stored type name gbq-to-gbq", async () => {
    await launch();
    const r = await call("get_last_status", PREPARE_PDA);
    expect(r.body.results).toHaveLength(3);
    expect(r.body.results[0].status).toBe("RUNNING");
    expect(r.body.results.map((x: { configuration_type: string }) => x.configuration_type)).toEqual([
      "gbq-to-gbq",
      "gbq-to-gbq",
      "gbq-to-gbq",
    ]);
    expect(r.body.results[1].run_id).toBe("20201230-112837-0a795c70-2557-4a60-ba16-788aa2bea179");
  });

  it("filters by status, job_id, execution_date (UTC day of the start) and limit", async () => {
    const fails = await call("get_last_status", {
      account: "000110",
      environment: "DEV",
      configuration_type: "storage-to-storage",
      configuration_id: "000110-tailer-STS-POC-ETL-VTE",
      status: "FAILED",
    });
    expect(fails.body.results.map((x: { run_id: string }) => x.run_id)).toEqual(["20201119-e81f4a6b-2c7d-4b95-b036-94a5d2c8f017"]);
    const day = await call("get_last_status", { ...PREPARE_PDA, execution_date: "2020-12-10", limit: 10 });
    expect(day.body.results.map((x: { run_id: string }) => x.run_id)).toEqual(["20201210-140612-19e547a1-de6a-47f0-b563-b8a3d5754118"]);
    const one = await call("get_last_status", { ...PREPARE_PDA, limit: 1, job_id: "gbq-to-gbq|000099_iowa_liquor_prepare_pda_DEV" });
    expect(one.body.results).toHaveLength(1);
    const none = await call("get_last_status", { ...PREPARE_PDA, job_id: "gbq-to-gbq|nope" });
    expect(none.body).toEqual({ results: [] });
  });

  it("answers an empty list for a configuration without runs, and 404 for an unknown one", async () => {
    expect((await call("get_last_status", LOAD_PDA)).body).toEqual({ results: [] });
    expectApiError(await call("get_last_status", { ...LOAD_PDA, configuration_id: "gone_DEV" }), 404, /not found/);
  });

  it("still reads an archived configuration's history", async () => {
    await h.admin.updateConfiguration({ ...PREPARE_PDA, archived: true });
    expect((await call("get_last_status", PREPARE_PDA)).body.results).toHaveLength(3);
  });

  it("reads a deleted configuration as unknown (404)", async () => {
    await h.admin.deleteConfiguration(PREPARE_PDA);
    expectApiError(await call("get_last_status", PREPARE_PDA), 404, /not found/);
  });
});

describe("get_by_status", () => {
  it("lists an account's runs of one type across configurations, newest first", async () => {
    const a = await launch(PREPARE_PDA);
    const b = await launch(LOAD_PDA);
    const r = await call("get_by_status", { account: "000099", configuration_type: "table-to-table", status: "RUNNING" });
    expect(r.body.results.map((x: { run_id: string }) => x.run_id).sort()).toEqual([a, b].sort());
    expect(r.body.results[0].configuration_type).toBe("gbq-to-gbq");
  });

  it("filters by environment, execution_date and limit", async () => {
    const all = await call("get_by_status", { account: "000099", configuration_type: "storage-to-storage" });
    expect(all.body.results).toHaveLength(3);
    const day = await call("get_by_status", {
      account: "000099",
      configuration_type: "storage-to-storage",
      execution_date: "2020/12/09",
      limit: 2,
      environment: "DEV",
    });
    expect(day.body.results.map((x: { run_id: string }) => x.run_id)).toEqual([
      "20201209-cf026ae9-c79c-4cf9-8ffb-0bb63ad39469",
      "20201209-7b7b7a66-1cc0-4f09-a893-ce4a35adf09b",
    ]);
    const prod = await call("get_by_status", { account: "000099", configuration_type: "storage-to-storage", environment: "PROD" });
    expect(prod.body).toEqual({ results: [] });
  });
});

describe("set_run_status", () => {
  it("ends a RUNNING run with the given status and fixes its duration", async () => {
    const runId = await launch();
    await h.admin.advanceClock(10);
    const r = await call("set_run_status", {
      account: "000099",
      configuration_type: "table-to-table",
      configuration_id: PREPARE_PDA.configuration_id,
      run_id: runId,
      status: "FAILED",
    });
    expect(r.body).toEqual({ message: "ok" });
    const run = await runStatus(runId);
    expect(run.status).toBe("FAILED");
    await h.admin.advanceClock(3600);
    expect((await runStatus(runId)).duration).toBe(run.duration);
  });

  it("marks a failed run CHECKED, with environment given or not", async () => {
    await h.admin.scriptLaunches(PREPARE_PDA, [{ duration: 1, outcome: "FAILED" }]);
    const runId = await launch();
    await h.admin.advanceClock(2);
    expect((await runStatus(runId)).status).toBe("FAILED");
    const r = await call("set_run_status", {
      account: "000099",
      environment: "DEV",
      configuration_type: "gbq-to-gbq",
      configuration_id: PREPARE_PDA.configuration_id,
      run_id: runId,
      status: "CHECKED",
    });
    expect(r.status).toBe(200);
    expect((await runStatus(runId)).status).toBe("CHECKED");
  });

  it("answers 404 for an unknown run or one that belongs elsewhere", async () => {
    const runId = await launch();
    const base = {
      account: "000099",
      configuration_type: "table-to-table",
      configuration_id: PREPARE_PDA.configuration_id,
      status: "SUCCESS",
    };
    expectApiError(await call("set_run_status", { ...base, run_id: "nope" }), 404, /run nope not found/);
    expectApiError(await call("set_run_status", { ...base, run_id: runId, configuration_id: LOAD_PDA.configuration_id }), 404, /not found/);
    expectApiError(await call("set_run_status", { ...base, run_id: runId, environment: "PROD" }), 404, /not found/);
  });

  it("refuses statuses a person cannot set (400 naming status)", async () => {
    const r = await call("set_run_status", {
      account: "000099",
      configuration_type: "table-to-table",
      configuration_id: PREPARE_PDA.configuration_id,
      run_id: "x",
      status: "WAITING",
    });
    expectApiError(r, 400, /status: status must be one of SUCCESS, FAILED, RUNNING, NO_MATCH, CHECKED/);
  });
});

describe("reset_workflow_status", () => {
  it("answers the documented {code: 200, data: {}, message: ok}", async () => {
    expect((await call("reset_workflow_status", LOAD_PDA_WORKFLOW)).body).toEqual({ code: 200, data: {}, message: "ok" });
  });

  it("answers 404 for an unknown workflow and 400 when the type is not workflow", async () => {
    expectApiError(
      await call("reset_workflow_status", { ...LOAD_PDA_WORKFLOW, configuration_id: "nope" }),
      404,
      /configuration nope \(workflow/,
    );
    expectApiError(
      await call("reset_workflow_status", { ...LOAD_PDA_WORKFLOW, configuration_type: "table-to-table" }),
      400,
      /configuration_type: configuration_type must be workflow/,
    );
  });
});

describe("set_configuration_status", () => {
  const set = (activated: unknown, archived: unknown) => call("set_configuration_status", { ...LOAD_PDA, activated, archived });
  const stored = async () => (await h.admin.listConfigurations(LOAD_PDA))[0];

  it("disables, enables, archives and unarchives a configuration", async () => {
    expect((await set(false, false)).body).toEqual({ message: "ok" });
    expect(await stored()).toMatchObject({ activated: false, archived: false });
    expect((await runStatus(await launch(LOAD_PDA), LOAD_PDA)).status).toBe("DEACTIVATED");
    await set(true, false);
    expect((await runStatus(await launch(LOAD_PDA), LOAD_PDA)).status).toBe("RUNNING");
    await set(false, true);
    expect(await stored()).toMatchObject({ activated: false, archived: true });
    expect((await call("launch_job", LOAD_PDA)).status).toBe(404);
    await set(true, false);
    expect(await stored()).toMatchObject({ activated: true, archived: false });
  });

  it("keeps an archived configuration off even when asked to activate it", async () => {
    await set(true, true);
    expect(await stored()).toMatchObject({ activated: false, archived: true });
  });

  it("answers 404 for an unknown configuration and 400 for non-boolean flags", async () => {
    expectApiError(
      await call("set_configuration_status", { ...LOAD_PDA, configuration_id: "nope_DEV", activated: true, archived: false }),
      404,
      /not found/,
    );
    expectApiError(await set("yes", false), 400, /activated: activated must be true or false/);
    expectApiError(await set(true, undefined), 400, /archived: is required/);
  });
});

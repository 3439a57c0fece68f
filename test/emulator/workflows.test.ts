/**
 * Workflows: when every authorized job has succeeded since the last trigger or
 * reset, the target is launched and the marks cleared. The JA/JB/JC -> JT story
 * of both doc pages, as a test, then the edges.
 */

import type { AdminIdentity } from "../../emulator/admin-client";
import { ACTION_PATHS, type Action } from "../../provider/client/schemas";
import { closeAll, type Harness, startEmulator } from "./helpers/harness";

let h: Harness;
beforeAll(async () => {
  h = await startEmulator({ seed: null });
});
afterAll(closeAll);

const id = (name: string): AdminIdentity => ({
  account: "000099",
  environment: "DEV",
  configuration_type: "table-to-table",
  configuration_id: `${name}_DEV`,
});
const JA = id("JA");
const JB = id("JB");
const JC = id("JC");
const JT = id("JT");
const WF: AdminIdentity = { account: "000099", environment: "DEV", configuration_type: "workflow", configuration_id: "wf-jt" };
const job = (c: AdminIdentity) => `gbq-to-gbq|${c.configuration_id}`;

beforeEach(async () => {
  await h.admin.reset(); // empty world (seed: null)
  await h.admin.putConfigurations([
    ...[JA, JB, JC, JT].map((c) => ({ ...c, run: { duration: 60 } })),
    {
      ...WF,
      workflow: {
        authorized_job_ids: [job(JA), job(JB), job(JC)],
        target_dag: { configuration_type: "table-to-table", configuration_id: JT.configuration_id },
      },
    },
  ]);
});

async function call(action: Action, fields: object) {
  const r = await h.post(ACTION_PATHS[action], { action, ...fields });
  expect(r.status).toBe(200);
  return r.body;
}
/** Launches a job and lets it finish (60 s of emulated time). */
async function runJob(c: AdminIdentity, outcome: "SUCCESS" | "FAILED" = "SUCCESS"): Promise<string> {
  if (outcome === "FAILED") await h.admin.scriptLaunches(c, [{ outcome: "FAILED" }]);
  const { run_id } = await call("launch_job", c);
  await h.admin.advanceClock(61);
  return run_id as string;
}
const targetRuns = () => h.admin.listRuns({ configuration_id: JT.configuration_id });
const marks = async () => ((await h.admin.listWorkflows())[0]?.marks ?? []).map((m) => m.job_id).sort();

describe("the JA, JB, JC -> JT example of the docs", () => {
  it("launches JT once all three succeeded, only then", async () => {
    await runJob(JA);
    await runJob(JB);
    await runJob(JC, "FAILED"); // JA and JB are OK, JC is not: JT is not triggered
    expect(await targetRuns()).toHaveLength(0);
    expect(await marks()).toEqual([job(JA), job(JB)]);

    const jc = await runJob(JC); // fix and relaunch JC: JT is triggered
    const jt = await targetRuns();
    expect(jt).toHaveLength(1);
    expect(jt[0]).toMatchObject({ origin: "workflow", triggered_by: WF.configuration_id, job_id: job(JT) });
    expect(await marks()).toEqual([]);
    // JT started the instant JC ended.
    const [jcRun] = await h.admin.listRuns({ run_id: jc });
    expect(jt[0]?.start_execution_date).toBe(jcRun?.last_update_date);
  });

  it("fires on a stale mark in the unbalanced case (JC ran alone the next morning)", async () => {
    for (const c of [JA, JB, JC]) await runJob(c);
    expect(await targetRuns()).toHaveLength(1);
    await runJob(JC); // the next morning: JA(0), JB(0), JC(1)
    expect(await marks()).toEqual([job(JC)]);
    await runJob(JA);
    await runJob(JB); // JC is already considered OK: JT fires again
    expect(await targetRuns()).toHaveLength(2);
  });

  it("after reset_workflow_status, JA and JB alone no longer trigger JT", async () => {
    for (const c of [JA, JB, JC]) await runJob(c);
    await runJob(JC);
    expect(await call("reset_workflow_status", WF)).toEqual({ code: 200, data: {}, message: "ok" });
    expect(await marks()).toEqual([]);
    await runJob(JA);
    await runJob(JB);
    expect(await targetRuns()).toHaveLength(1);
    await runJob(JC);
    expect(await targetRuns()).toHaveLength(2);
  });
});

describe("workflow edges", () => {
  it("records nothing while the workflow is disabled", async () => {
    await call("set_configuration_status", { ...WF, activated: false, archived: false });
    for (const c of [JA, JB, JC]) await runJob(c);
    expect(await marks()).toEqual([]);
    expect(await targetRuns()).toHaveLength(0);
  });

  it("launches a disabled target as a DEACTIVATED run", async () => {
    await h.admin.updateConfiguration({ ...JT, activated: false });
    for (const c of [JA, JB, JC]) await runJob(c);
    expect((await targetRuns()).map((r) => r.status)).toEqual(["DEACTIVATED"]);
  });

  it("launches nothing for an archived or deleted target, and still clears the marks", async () => {
    await h.admin.updateConfiguration({ ...JT, archived: true });
    for (const c of [JA, JB, JC]) await runJob(c);
    expect(await targetRuns()).toHaveLength(0);
    expect(await marks()).toEqual([]);
  });

  it("counts a run set SUCCESS by hand (set_run_status)", async () => {
    await runJob(JA);
    await runJob(JB);
    const jc = await runJob(JC, "FAILED");
    await call("set_run_status", {
      account: "000099",
      configuration_type: "table-to-table",
      configuration_id: JC.configuration_id,
      run_id: jc,
      status: "SUCCESS",
    });
    expect(await targetRuns()).toHaveLength(1);
  });

  it("lets one job feed several workflows", async () => {
    const JU = id("JU");
    await h.admin.putConfigurations([
      { ...JU, run: { duration: 60 } },
      {
        ...WF,
        configuration_id: "wf-ju",
        workflow: {
          authorized_job_ids: [job(JA)],
          target_dag: { configuration_type: "gbq-to-gbq", configuration_id: JU.configuration_id },
        },
      },
    ]);
    await runJob(JA);
    expect(await h.admin.listRuns({ configuration_id: JU.configuration_id })).toHaveLength(1);
    expect(await marks()).toEqual([job(JA)]);
  });

  it("chains: a triggered target that succeeds can trigger the next workflow", async () => {
    const JV = id("JV");
    await h.admin.putConfigurations([
      { ...JV, run: { duration: 60 } },
      {
        ...WF,
        configuration_id: "wf-jv",
        workflow: {
          authorized_job_ids: [job(JT)],
          target_dag: { configuration_type: "table-to-table", configuration_id: JV.configuration_id },
        },
      },
    ]);
    for (const c of [JA, JB, JC]) await runJob(c);
    await h.admin.advanceClock(3600); // JT runs 60 s, then JV is launched and runs 60 s
    const [jv] = await h.admin.listRuns({ configuration_id: JV.configuration_id });
    expect(jv).toMatchObject({ status: "SUCCESS", triggered_by: "wf-jv" });
  });

  it("in the docs' world, a successful prepare_pda launches Load_PDA (000099-iowa-liquor-load-pda)", async () => {
    const docs = await startEmulator();
    await docs.post("/v1/dag/launch", {
      action: "launch_job",
      account: "000099",
      environment: "DEV",
      configuration_type: "table-to-table",
      configuration_id: "000099_iowa_liquor_prepare_pda_DEV",
    });
    await docs.admin.advanceClock(91);
    const [load] = await docs.admin.listRuns({ configuration_id: "000099_Load_PDA_f_traffic_ma_DEV" });
    expect(load).toMatchObject({ status: "RUNNING", triggered_by: "000099-iowa-liquor-load-pda" });
  });
});

/** The read functions against the emulator: each function, each filter, both forms, same config as the resources. */
import * as pulumi from "@pulumi/pulumi";
import {
  checkRunStatus,
  checkRunStatusOutput,
  getLastStatus,
  getLastStatusOutput,
  getRunsByStatus,
  getRunsByStatusOutput,
} from "../../provider/functions";
import { closeClients } from "../../provider/resources/clients";
import { type RunningEmulator, startEmulator } from "../helpers/emulator";

const storage = {
  account: "000099",
  environment: "DEV" as const,
  configurationType: "storage-to-storage" as const,
  configurationId: "000099-jarvis-demo-iowa-liquor-storage-to-storage",
};
const t2t = {
  account: "000099",
  environment: "DEV" as const,
  configurationType: "table-to-table" as const,
  configurationId: "000099_iowa_liquor_prepare_pda",
};

let env: RunningEmulator;

beforeAll(async () => {
  env = await startEmulator(); // the docs' world
  // What `pulumi up` gives the program: the stack's config, secrets included.
  pulumi.runtime.setAllConfig({ "tailer:apiUrl": env.url, "tailer:credentials": JSON.stringify(env.emulator.devServiceAccountKey) }, [
    "tailer:credentials",
  ]);
});
afterAll(async () => {
  await closeClients();
  await env.close();
});

function value<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

describe("getLastStatus", () => {
  test("returns the runs newest first, camelCase, with the newest as lastRun", async () => {
    const result = await getLastStatus({ ...t2t, appendEnvironmentSuffix: true });
    expect(result.runs).toHaveLength(3);
    expect(result.lastRun).toEqual({
      runId: "20201230-112837-0a795c70-2557-4a60-ba16-788aa2bea179",
      jobId: "gbq-to-gbq|000099_iowa_liquor_prepare_pda_DEV",
      status: "SUCCESS",
      account: "000099",
      environment: "DEV",
      configurationType: "table-to-table",
      configurationId: "000099_iowa_liquor_prepare_pda_DEV",
      startExecutionDate: "2020-12-30T11:28:43.861340+00:00",
      lastUpdateDate: "2020-12-30T11:30:07.960767+00:00",
      duration: "0:01:24.002519",
    });
  });

  test.each([
    ["limit", { limit: 1 }, 1],
    ["status", { status: "FAILED" as const }, 0],
    ["executionDate", { executionDate: "2020-12-09", limit: 10 }, 3],
    [
      "jobId",
      { jobId: "storage-to-storage|000099|000099-jarvis-demo-iowa-liquor-storage-to-storage|DEV|stores-{{FD_DATE}}-{{FD_TIME}}.csv" },
      3,
    ],
    ["another jobId", { jobId: "storage-to-storage|000099|000099-jarvis-demo-iowa-liquor-storage-to-storage|DEV|other.csv" }, 0],
  ])("filters by %s", async (_name, filter, count) => {
    expect((await getLastStatus({ ...storage, ...filter })).runs).toHaveLength(count);
  });

  test("an empty result has no lastRun", async () => {
    expect(await getLastStatus({ ...storage, executionDate: "2019-01-01" })).toEqual({ runs: [] });
  });

  test("the Output form takes Inputs", async () => {
    const result = getLastStatusOutput({ ...storage, configurationId: pulumi.output(storage.configurationId), limit: pulumi.output(2) });
    expect((await value(result)).runs).toHaveLength(2);
  });

  test("errors are the client's, with the fix, and hold no secret", async () => {
    const error = await getLastStatus({ ...t2t }).catch((e: unknown) => e);
    expect(String(error)).toMatch(/000099_iowa_liquor_prepare_pda_DEV/);
    expect(String(error)).not.toMatch(/PRIVATE KEY|eyJ/);
  });
});

describe("checkRunStatus", () => {
  const run = {
    ...t2t,
    appendEnvironmentSuffix: true,
    jobId: "gbq-to-gbq|000099_iowa_liquor_prepare_pda_DEV",
    runId: "20201230-112837-0a795c70-2557-4a60-ba16-788aa2bea179",
  };

  test("returns the run", async () => {
    expect((await checkRunStatus(run)).run).toMatchObject({ runId: run.runId, status: "SUCCESS", duration: "0:01:24.002519" });
  });

  test("the Output form", async () => {
    expect((await value(checkRunStatusOutput({ ...run, runId: pulumi.output(run.runId) }))).run?.status).toBe("SUCCESS");
  });
});

describe("getRunsByStatus", () => {
  test("filters by status, environment and limit", async () => {
    const result = await getRunsByStatus({
      account: "000099",
      configurationType: "storage-to-storage",
      environment: "DEV",
      status: "SUCCESS",
      limit: 2,
    });
    expect(result.runs).toHaveLength(2);
    expect(result.runs.every((r) => r.status === "SUCCESS")).toBe(true);
  });

  test("filters by execution date", async () => {
    const result = await getRunsByStatus({ account: "000099", configurationType: "storage-to-storage", executionDate: "2020-12-09" });
    expect(result.runs.length).toBeGreaterThan(0);
    expect(result.runs.every((r) => r.startExecutionDate.startsWith("2020-12-09"))).toBe(true);
  });

  test("the Output form", async () => {
    expect(
      (await value(getRunsByStatusOutput({ account: pulumi.output("000099"), configurationType: "table-to-table" }))).runs.length,
    ).toBeGreaterThan(0);
  });
});

/**
 * State on a SQLite file survives a restart: configurations and their drift,
 * runs, workflow marks, scripted launches; the seed only fills a fresh database;
 * runs that were due while the emulator was down end at their own times; the
 * clock never goes backwards.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import Database from "better-sqlite3";
import { createEmulator, isEmulatorError } from "../../emulator/index";
import { parseIsoDate } from "../../provider/client/wire";
import { closeAll, DEFAULT_WORLD, LOAD_PDA, PREPARE_PDA, startEmulator, tempDir } from "./helpers/harness";

afterEach(closeAll);

/** The schema of the first emulator release (version 1), for the migration test. */
const SCHEMA_V1 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE configurations (
  account TEXT NOT NULL, environment TEXT NOT NULL, configuration_type TEXT NOT NULL, configuration_id TEXT NOT NULL,
  activated INTEGER NOT NULL, archived INTEGER NOT NULL, job_ids TEXT NOT NULL, max_active_runs INTEGER,
  run_duration_us INTEGER, run_outcome TEXT NOT NULL, workflow TEXT,
  PRIMARY KEY (account, environment, configuration_type, configuration_id)
);
CREATE TABLE runs (
  seq INTEGER PRIMARY KEY, run_id TEXT NOT NULL UNIQUE,
  account TEXT NOT NULL, environment TEXT NOT NULL, configuration_type TEXT NOT NULL, configuration_id TEXT NOT NULL,
  job_id TEXT NOT NULL, status TEXT NOT NULL, start_us INTEGER NOT NULL, running_us INTEGER, ends_us INTEGER,
  planned_duration_us INTEGER, planned_outcome TEXT, duration_us INTEGER, last_update_us INTEGER,
  execution_date TEXT, origin TEXT NOT NULL, triggered_by TEXT
);
CREATE TABLE workflow_marks (
  account TEXT NOT NULL, environment TEXT NOT NULL, workflow_id TEXT NOT NULL, job_id TEXT NOT NULL,
  run_id TEXT NOT NULL, marked_us INTEGER NOT NULL, PRIMARY KEY (account, environment, workflow_id, job_id)
);
CREATE TABLE scripted_launches (
  id INTEGER PRIMARY KEY, account TEXT NOT NULL, environment TEXT NOT NULL, configuration_type TEXT NOT NULL,
  configuration_id TEXT NOT NULL, duration_us INTEGER, outcome TEXT
);`;

const tmp = () => tempDir("emu-db-");

describe("a file database", () => {
  it("keeps runs, drift, marks and scripted launches across a restart, and is not reseeded", async () => {
    const database = path.join(tmp(), "state.db");
    const first = await startEmulator({ database });
    expect(first.emulator.internals.store.db.pragma("journal_mode", { simple: true })).toBe("wal");
    const launched = await first.post("/v1/dag/launch", { action: "launch_job", ...PREPARE_PDA });
    await first.admin.updateConfiguration({ ...LOAD_PDA, activated: false });
    await first.admin.deleteConfiguration({
      account: "000099",
      environment: "DEV",
      configuration_type: "storage-to-storage",
      configuration_id: "000099-jarvis-demo-iowa-liquor-storage-to-storage",
    });
    await first.admin.scriptLaunches(PREPARE_PDA, [{ outcome: "FAILED" }, { outcome: "FAILED" }]);
    await first.admin.advanceClock(91); // prepare_pda succeeds: the workflow launches Load_PDA (disabled: DEACTIVATED)
    const runsBefore = await first.admin.listRuns({ limit: 1000 });
    await first.emulator.close();

    const second = await startEmulator({ database });
    expect(await second.admin.listRuns({ limit: 1000 })).toEqual(runsBefore);
    expect((await second.admin.listConfigurations(LOAD_PDA))[0]).toMatchObject({ activated: false });
    expect(await second.admin.listConfigurations({ configuration_id: "000099-jarvis-demo-iowa-liquor-storage-to-storage" })).toEqual([]);
    expect((await second.admin.listConfigurations(PREPARE_PDA))[0]?.pending_scripted_launches).toBe(2);
    const r = await second.post("/v1/dag/status", {
      action: "check_run_status",
      ...PREPARE_PDA,
      job_id: "gbq-to-gbq|000099_iowa_liquor_prepare_pda_DEV",
      run_id: launched.body.run_id,
    });
    expect(r.body.results[0].status).toBe("SUCCESS");
  });

  it("ends, after a restart, the runs that were due while the emulator was down, at their own times", async () => {
    const database = path.join(tmp(), "state.db");
    const first = await startEmulator({ database });
    const { body } = await first.post("/v1/dag/launch", { action: "launch_job", ...PREPARE_PDA });
    await first.emulator.close();
    const second = await startEmulator({ database });
    await second.admin.advanceClock(3600);
    const [run] = await second.admin.listRuns({ run_id: body.run_id });
    expect(run?.status).toBe("SUCCESS");
    expect(
      ((parseIsoDate(run?.last_update_date as string) as number) - (parseIsoDate(run?.start_execution_date as string) as number)) / 1e6,
    ).toBe(90);
  });

  it("keeps the workflow marks", async () => {
    const database = path.join(tmp(), "state.db");
    const first = await startEmulator({ database, seed: null });
    await first.admin.putConfigurations([
      { account: "000099", environment: "DEV", configuration_type: "table-to-table", configuration_id: "A_DEV", run: { duration: 1 } },
      { account: "000099", environment: "DEV", configuration_type: "table-to-table", configuration_id: "B_DEV", run: { duration: 1 } },
      {
        account: "000099",
        environment: "DEV",
        configuration_type: "workflow",
        configuration_id: "wf",
        workflow: {
          authorized_job_ids: ["gbq-to-gbq|A_DEV", "gbq-to-gbq|B_DEV"],
          target_dag: { configuration_type: "table-to-table", configuration_id: "B_DEV" },
        },
      },
    ]);
    await first.post("/v1/dag/launch", {
      action: "launch_job",
      account: "000099",
      environment: "DEV",
      configuration_type: "table-to-table",
      configuration_id: "A_DEV",
    });
    await first.admin.advanceClock(2);
    const marks = (await first.admin.listWorkflows())[0]?.marks;
    expect(marks).toHaveLength(1);
    await first.emulator.close();
    const second = await startEmulator({ database, seed: null });
    expect((await second.admin.listWorkflows())[0]?.marks).toEqual(marks);
  });

  it("is used by one emulator at a time (a second one is refused with a clear error)", async () => {
    const database = path.join(tmp(), "state.db");
    await startEmulator({ database });
    expect(() => createEmulator({ database })).toThrow(/cannot open database .*state\.db: database .* is in use by another process/);
  });

  it("made by an emulator of schema version 1 is migrated: its runs stay, new runs record their origin", async () => {
    const database = path.join(tmp(), "state.db");
    const v1 = new Database(database);
    v1.exec(SCHEMA_V1);
    v1.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', '1'), ('seeded', '1')").run();
    v1.prepare(
      `INSERT INTO configurations VALUES ('000099', 'DEV', 'table-to-table', 'old_DEV', 1, 0, '["gbq-to-gbq|old_DEV"]', 1, NULL, 'SUCCESS', NULL)`,
    ).run();
    v1.prepare(
      `INSERT INTO runs (run_id, account, environment, configuration_type, configuration_id, job_id, status, start_us, duration_us, last_update_us, origin)
       VALUES ('20200101-000000-11111111-1111-4111-8111-111111111111', '000099', 'DEV', 'table-to-table', 'old_DEV', 'gbq-to-gbq|old_DEV', 'SUCCESS', 1577836800000000, 0, 1577836800000000, 'launch')`,
    ).run();
    v1.close();
    const old = { account: "000099", environment: "DEV", configuration_type: "table-to-table", configuration_id: "old_DEV" } as const;
    const h = await startEmulator({ database });
    expect(await h.admin.listRuns(old)).toEqual([
      expect.objectContaining({ run_id: "20200101-000000-11111111-1111-4111-8111-111111111111", origin: "launch", request_id: null }),
    ]);
    const { body } = await h.post("/v1/dag/launch", { action: "launch_job", ...old });
    expect((await h.admin.listRuns({ run_id: body.run_id }))[0]?.request_id).toEqual(expect.any(String));
    expect(h.emulator.internals.store.getMeta("schema_version")).toBe("2");
  });

  it("is wiped and reseeded with reseed: true", async () => {
    const database = path.join(tmp(), "state.db");
    const first = await startEmulator({ database });
    await first.post("/v1/dag/launch", { action: "launch_job", ...PREPARE_PDA });
    await first.emulator.close();
    const second = await startEmulator({ database, reseed: true });
    expect(await second.admin.listRuns({ ...PREPARE_PDA, status: "RUNNING" })).toEqual([]);
    expect(await second.admin.listRuns({ limit: 1000 })).toHaveLength(DEFAULT_WORLD.runs);
  });

  it("never shows an earlier time after a restart, even when the last clock ran ahead of real time", async () => {
    const database = path.join(tmp(), "state.db");
    const first = await startEmulator({ database, clockSpeed: 1000 });
    const ahead = await first.admin.advanceClock(30 * 86_400);
    await first.emulator.close();
    const second = await startEmulator({ database }); // real speed, real time is a month earlier
    const after = await second.admin.clock();
    expect(after.now_us).toBeGreaterThanOrEqual(ahead.now_us);
  });
});

describe("seeds", () => {
  it("are read from a JSON file", async () => {
    const file = path.join(tmp(), "seed.json");
    writeFileSync(
      file,
      JSON.stringify({
        configurations: [{ account: "000123", environment: "PROD", configuration_type: "table-to-table", configuration_id: "x_PROD" }],
      }),
    );
    const h = await startEmulator({ seed: file });
    expect(await h.admin.listConfigurations()).toMatchObject([
      { configuration_id: "x_PROD", activated: true, archived: false, max_active_runs: 1, job_ids: ["gbq-to-gbq|x_PROD"] },
    ]);
  });

  it.each([
    ["unreadable", "/nonexistent/seed.json", /cannot read seed file/],
    [
      "a bad field",
      { configurations: [{ account: "12", environment: "DEV", configuration_type: "table-to-table", configuration_id: "x" }] },
      /configurations\[0\]\.account: account must be 6 digits/,
    ],
    [
      "a workflow without definition",
      { configurations: [{ account: "000001", environment: "DEV", configuration_type: "workflow", configuration_id: "w" }] },
      /configurations\[0\]\.workflow: a workflow configuration needs a workflow definition/,
    ],
    [
      "a run of an unknown configuration",
      {
        runs: [
          {
            account: "000001",
            environment: "DEV",
            configuration_type: "table-to-table",
            configuration_id: "x",
            run_id: "r",
            status: "SUCCESS",
            start_execution_date: "2020-01-01T00:00:00+00:00",
          },
        ],
      },
      /run r belongs to configuration x .* which the seed does not define/,
    ],
    [
      "a bad date",
      {
        configurations: [{ account: "000001", environment: "DEV", configuration_type: "table-to-table", configuration_id: "x" }],
        runs: [
          {
            account: "000001",
            environment: "DEV",
            configuration_type: "table-to-table",
            configuration_id: "x",
            run_id: "r",
            status: "SUCCESS",
            start_execution_date: "yesterday",
          },
        ],
      },
      /runs\[0\]\.start_execution_date: must be an ISO 8601 date-time/,
    ],
    [
      "a duplicated configuration",
      {
        configurations: [1, 2].map(() => ({
          account: "000001",
          environment: "DEV",
          configuration_type: "gbq-to-gbq",
          configuration_id: "x",
        })),
      },
      /appears twice/,
    ],
    ["an unknown field", { configurations: [], extra: 1 }, /Unrecognized key/],
  ])("are refused with a clear error when %s", (_name, seed, message) => {
    let error: unknown;
    try {
      createEmulator({ seed });
    } catch (e) {
      error = e;
    }
    expect(isEmulatorError(error) && error.code).toBe("invalid_seed");
    expect((error as Error).message).toMatch(message);
  });
});

/**
 * SQLite persistence (better-sqlite3, WAL): configurations, runs, workflow marks,
 * scripted launches and the clock lease. Synchronous by design: the emulator is
 * single-threaded, so a statement is atomic and a transaction needs no locking.
 *
 * Durability: WAL with synchronous=NORMAL survives the process being killed
 * (kill -9) with every committed transaction; only an OS crash or power loss can
 * lose the last ones, which `durability: "full"` (synchronous=FULL) also covers.
 */
import type Database from "better-sqlite3";
import type { CanonicalConfigurationType, Environment, RunStatus } from "../provider/client/schemas";
import { DatabaseInUseError, SqliteUnavailableError } from "./errors";

/** How a configuration is addressed: account, environment, canonical type, id. */
export interface ConfigurationIdentity {
  account: string;
  environment: Environment;
  configuration_type: CanonicalConfigurationType;
  configuration_id: string;
}

/** What a workflow waits for, and what it launches. */
export interface WorkflowDefinition {
  /** Job ids whose successful runs the workflow waits for. */
  authorized_job_ids: string[];
  /** The configuration launched when every authorized job succeeded. */
  target_dag: { configuration_type: CanonicalConfigurationType; configuration_id: string };
}

/** The outcome a run reaches after its RUNNING time. */
export type RunOutcome = "SUCCESS" | "FAILED";

/** Which execution_date a scheduled launch carries: none, the day it fires, or the day its interval started (Airflow's). */
export type ExecutionDateRule = "none" | "launch_day" | "interval_start";

/** A configuration's schedule, as Tailer's schedules launch runs: every `every_us`, the next at `next_us`. */
export interface ScheduleRecord {
  every_us: number;
  execution_date: ExecutionDateRule;
  /** Emulated time of the next launch. */
  next_us: number;
}

/** A configuration as stored. */
export interface ConfigurationRecord extends ConfigurationIdentity {
  activated: boolean;
  archived: boolean;
  job_ids: string[];
  /** Concurrent RUNNING runs allowed; null = unlimited. */
  max_active_runs: number | null;
  /** Scripted RUNNING time of a launch; null = the guessed default. */
  run_duration_us: number | null;
  /** Scripted outcome of a launch. */
  run_outcome: RunOutcome;
  /** Only for workflows. */
  workflow: WorkflowDefinition | null;
  /** Periodic launches, if any. */
  schedule: ScheduleRecord | null;
}

/** Where runs come from: the public API's launch_job, a schedule, a workflow trigger, the seed, the admin API. */
export const RUN_ORIGINS = ["launch", "scheduler", "workflow", "seed", "admin"] as const;
/** Where a run came from. */
export type RunOrigin = (typeof RUN_ORIGINS)[number];

/** A run as stored. Times are epoch microseconds. */
export interface RunRecord extends ConfigurationIdentity {
  /** Insertion order; breaks ties between equal start times. */
  seq: number;
  run_id: string;
  job_id: string;
  status: RunStatus;
  /** start_execution_date. */
  start_us: number;
  /** When the run entered RUNNING (null while WAITING, or for seeded runs). */
  running_us: number | null;
  /** Scheduled end of a RUNNING run (null when nothing is scheduled). */
  ends_us: number | null;
  /** Scripted RUNNING time, applied when the run starts. */
  planned_duration_us: number | null;
  /** Scripted outcome, applied at `ends_us`. */
  planned_outcome: RunOutcome | null;
  /** Fixed duration once the run ended (null while it runs: computed from the clock). */
  duration_us: number | null;
  /** last_update_date; null only for seeded storage runs, which the docs show without it. */
  last_update_us: number | null;
  execution_date: string | null;
  origin: RunOrigin;
  /** The workflow that launched this run, for workflow-triggered runs. */
  triggered_by: string | null;
  /** launch_job runs: the x-request-id of the request that created the run (also when performed late). */
  request_id: string | null;
  /** launch_job runs: that request's sequence number in the request log. */
  request_seq: number | null;
  /** launch_job runs: the first 12 hex digits of the SHA-256 of the launching token. */
  token_fingerprint: string | null;
  /** Emulated time from which the public API shows the run (null: from its creation). */
  visible_us: number | null;
}

/** A workflow's record that one of its jobs succeeded since the last trigger or reset. */
export interface WorkflowMark {
  job_id: string;
  run_id: string;
  marked_us: number;
}

/** One scripted launch: the next launch of a configuration takes this duration and outcome. */
export interface ScriptedLaunch {
  duration_us: number | null;
  outcome: RunOutcome | null;
}

/** Filters of the run listings (get_last_status, get_by_status, admin). All optional but identity parts. */
export interface RunQuery {
  account?: string;
  environment?: string;
  configuration_type?: string;
  configuration_id?: string;
  job_id?: string;
  status?: string;
  run_id?: string;
  origin?: string;
  token_fingerprint?: string;
  /** [start, end) bounds on start_us. */
  startRange?: [number, number];
  /** Only runs visible at this emulated time (the public API's view). */
  visibleAt?: number;
  limit: number;
}

/** How many runs came from one origin (and, for launches, one token). */
export interface RunOriginCount {
  origin: RunOrigin;
  token_fingerprint: string | null;
  runs: number;
}

/** Options of the store. */
interface StoreOptions {
  /** `synchronous` pragma: NORMAL (survives kill -9) or FULL (survives power loss too). */
  durability?: "normal" | "full";
}

const SCHEMA_VERSION = "2";

/** What turns a database of an older schema version into the current one. */
const MIGRATIONS: Readonly<Record<string, string>> = {
  "1": `ALTER TABLE runs ADD COLUMN request_id TEXT; ALTER TABLE runs ADD COLUMN request_seq INTEGER;
        ALTER TABLE runs ADD COLUMN token_fingerprint TEXT; ALTER TABLE runs ADD COLUMN visible_us INTEGER;
        ALTER TABLE configurations ADD COLUMN schedule TEXT;`,
};

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS configurations (
  account TEXT NOT NULL, environment TEXT NOT NULL, configuration_type TEXT NOT NULL, configuration_id TEXT NOT NULL,
  activated INTEGER NOT NULL, archived INTEGER NOT NULL, job_ids TEXT NOT NULL, max_active_runs INTEGER,
  run_duration_us INTEGER, run_outcome TEXT NOT NULL, workflow TEXT, schedule TEXT,
  PRIMARY KEY (account, environment, configuration_type, configuration_id)
);
CREATE TABLE IF NOT EXISTS runs (
  seq INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL UNIQUE,
  account TEXT NOT NULL, environment TEXT NOT NULL, configuration_type TEXT NOT NULL, configuration_id TEXT NOT NULL,
  job_id TEXT NOT NULL, status TEXT NOT NULL, start_us INTEGER NOT NULL, running_us INTEGER, ends_us INTEGER,
  planned_duration_us INTEGER, planned_outcome TEXT, duration_us INTEGER, last_update_us INTEGER,
  execution_date TEXT, origin TEXT NOT NULL, triggered_by TEXT,
  request_id TEXT, request_seq INTEGER, token_fingerprint TEXT, visible_us INTEGER
);
CREATE INDEX IF NOT EXISTS runs_by_start ON runs (account, environment, configuration_type, configuration_id, start_us, seq);
CREATE INDEX IF NOT EXISTS runs_by_status ON runs (account, environment, configuration_type, configuration_id, status, seq);
CREATE INDEX IF NOT EXISTS runs_by_account ON runs (account, configuration_type, start_us, seq);
CREATE INDEX IF NOT EXISTS runs_due ON runs (ends_us, seq) WHERE ends_us IS NOT NULL;
CREATE TABLE IF NOT EXISTS workflow_marks (
  account TEXT NOT NULL, environment TEXT NOT NULL, workflow_id TEXT NOT NULL, job_id TEXT NOT NULL,
  run_id TEXT NOT NULL, marked_us INTEGER NOT NULL,
  PRIMARY KEY (account, environment, workflow_id, job_id)
);
CREATE TABLE IF NOT EXISTS scripted_launches (
  id INTEGER PRIMARY KEY,
  account TEXT NOT NULL, environment TEXT NOT NULL, configuration_type TEXT NOT NULL, configuration_id TEXT NOT NULL,
  duration_us INTEGER, outcome TEXT
);
CREATE INDEX IF NOT EXISTS scripted_by_configuration ON scripted_launches (account, environment, configuration_type, configuration_id, id);
`;

type Row = Record<string, unknown>;

const RUN_COLUMNS =
  "seq, run_id, account, environment, configuration_type, configuration_id, job_id, status, start_us, running_us, ends_us, planned_duration_us, planned_outcome, duration_us, last_update_us, execution_date, origin, triggered_by, request_id, request_seq, token_fingerprint, visible_us";

const IDENTITY_WHERE = "account = ? AND environment = ? AND configuration_type = ? AND configuration_id = ?";

function identityParams(c: ConfigurationIdentity): [string, string, string, string] {
  return [c.account, c.environment, c.configuration_type, c.configuration_id];
}

function toConfiguration(row: Row): ConfigurationRecord {
  return {
    account: row.account as string,
    environment: row.environment as Environment,
    configuration_type: row.configuration_type as CanonicalConfigurationType,
    configuration_id: row.configuration_id as string,
    activated: row.activated === 1,
    archived: row.archived === 1,
    job_ids: JSON.parse(row.job_ids as string) as string[],
    max_active_runs: (row.max_active_runs as number | null) ?? null,
    run_duration_us: (row.run_duration_us as number | null) ?? null,
    run_outcome: row.run_outcome as RunOutcome,
    workflow: row.workflow === null ? null : (JSON.parse(row.workflow as string) as WorkflowDefinition),
    schedule: row.schedule === null ? null : (JSON.parse(row.schedule as string) as ScheduleRecord),
  };
}

type SqliteConstructor = typeof import("better-sqlite3");
let sqlite: SqliteConstructor | undefined;

/** better-sqlite3, loaded on first use, or a SqliteUnavailableError that says how to rebuild it. */
function loadSqlite(): SqliteConstructor {
  if (sqlite) return sqlite;
  try {
    // An optional dependency with a native build, required here rather than imported, so a missing build is one clear error.
    const Sqlite = require("better-sqlite3") as SqliteConstructor;
    // The native addon loads with the first database, not with the module: open one now, so a broken build fails here.
    new Sqlite(":memory:").close();
    sqlite = Sqlite;
    return Sqlite;
  } catch (e) {
    const reason = (e instanceof Error ? e.message : String(e)).split("\n", 1)[0];
    throw new SqliteUnavailableError(
      `the emulator's SQLite driver, better-sqlite3, cannot be loaded (${reason}): its native build is missing or was made for another Node.js version; run \`npm rebuild better-sqlite3\` (or \`npm install better-sqlite3\` if it was never installed)`,
    );
  }
}

/** True for SQLite's "another connection holds the lock" errors, by their code (SQLITE_BUSY, SQLITE_LOCKED and their extended codes). */
function isLockError(e: unknown): boolean {
  const code = typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === "string" && /^SQLITE_(BUSY|LOCKED)(_|$)/.test(code);
}

/** Opens the file (or memory) with the emulator's pragmas, the schema, and the exclusive lock; migrates older schemas. */
function openDatabase(path: string, options: StoreOptions): Database.Database {
  const Sqlite = loadSqlite();
  const db = new Sqlite(path);
  try {
    // One emulator per database: an exclusive lock (taken by the first write below) keeps a second
    // process, with its own scheduler, from sharing the file. Set before WAL, so no shared memory is used.
    db.pragma("busy_timeout = 1000");
    if (path !== ":memory:") {
      db.pragma("locking_mode = EXCLUSIVE");
      db.pragma("journal_mode = WAL");
    }
    db.pragma(`synchronous = ${options.durability === "full" ? "FULL" : "NORMAL"}`);
    db.exec(SCHEMA);
    db.exec("BEGIN IMMEDIATE; COMMIT;");
    migrate(db, path);
    return db;
  } catch (e) {
    db.close();
    if (isLockError(e)) throw new DatabaseInUseError(`database ${path} is in use by another process (another emulator?)`);
    throw e;
  }
}

function migrate(db: Database.Database, path: string): void {
  const version = (db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined)?.value;
  if (version === SCHEMA_VERSION) return;
  if (version !== undefined) {
    const migration = MIGRATIONS[version];
    if (migration === undefined) {
      throw new Error(`database ${path} has schema version ${version}; this emulator understands ${SCHEMA_VERSION}`);
    }
    db.exec(migration);
  }
  db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(
    SCHEMA_VERSION,
  );
}

const RUN_FILTER_COLUMNS = [
  "account",
  "environment",
  "configuration_type",
  "configuration_id",
  "job_id",
  "status",
  "run_id",
  "origin",
  "token_fingerprint",
] as const;

/** The WHERE clause and parameters of a run query. */
function runFilter(q: Omit<RunQuery, "limit">): { where: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  for (const column of RUN_FILTER_COLUMNS) {
    if (q[column] === undefined) continue;
    where.push(`${column} = ?`);
    params.push(q[column]);
  }
  if (q.startRange) {
    where.push("start_us >= ? AND start_us < ?");
    params.push(q.startRange[0], q.startRange[1]);
  }
  if (q.visibleAt !== undefined) {
    where.push("(visible_us IS NULL OR visible_us <= ?)");
    params.push(q.visibleAt);
  }
  return { where: where.length ? ` WHERE ${where.join(" AND ")}` : "", params };
}

/** The SQLite-backed state of the emulator. */
export class Store {
  /** The underlying connection (exposed for diagnostics, not for callers to write through). */
  readonly db: Database.Database;
  private readonly statements: {
    getMeta: Database.Statement;
    setMeta: Database.Statement;
    allConfigurations: Database.Statement;
    upsertConfiguration: Database.Statement;
    deleteConfiguration: Database.Statement;
    insertRun: Database.Statement;
    updateRun: Database.Statement;
    runById: Database.Statement;
    nextDue: Database.Statement;
    minDue: Database.Statement;
    countRunning: Database.Statement;
    oldestWaiting: Database.Statement;
    marks: Database.Statement;
    allMarks: Database.Statement;
    addMark: Database.Statement;
    clearMarks: Database.Statement;
    pushScript: Database.Statement;
    firstScript: Database.Statement;
    deleteScript: Database.Statement;
    clearScripts: Database.Statement;
    clearAllScripts: Database.Statement;
    scriptCounts: Database.Statement;
    countRuns: Database.Statement;
  };
  private readonly queryCache = new Map<string, Database.Statement>();
  private readonly inTransaction: <T>(fn: () => T) => T;

  /** Opens (creating if needed) the database at `path`, or an in-memory one for ':memory:'. */
  constructor(
    readonly path: string,
    options: StoreOptions = {},
  ) {
    this.db = openDatabase(path, options);
    const p = (sql: string) => this.db.prepare(sql);
    this.statements = {
      getMeta: p("SELECT value FROM meta WHERE key = ?"),
      setMeta: p("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
      allConfigurations: p("SELECT * FROM configurations ORDER BY account, environment, configuration_type, configuration_id"),
      upsertConfiguration: p(
        `INSERT INTO configurations (account, environment, configuration_type, configuration_id, activated, archived, job_ids, max_active_runs, run_duration_us, run_outcome, workflow, schedule)
         VALUES (@account, @environment, @configuration_type, @configuration_id, @activated, @archived, @job_ids, @max_active_runs, @run_duration_us, @run_outcome, @workflow, @schedule)
         ON CONFLICT (account, environment, configuration_type, configuration_id) DO UPDATE SET
           activated = excluded.activated, archived = excluded.archived, job_ids = excluded.job_ids, max_active_runs = excluded.max_active_runs,
           run_duration_us = excluded.run_duration_us, run_outcome = excluded.run_outcome, workflow = excluded.workflow, schedule = excluded.schedule`,
      ),
      deleteConfiguration: p(`DELETE FROM configurations WHERE ${IDENTITY_WHERE}`),
      insertRun: p(
        `INSERT INTO runs (run_id, account, environment, configuration_type, configuration_id, job_id, status, start_us, running_us, ends_us, planned_duration_us, planned_outcome, duration_us, last_update_us, execution_date, origin, triggered_by, request_id, request_seq, token_fingerprint, visible_us)
         VALUES (@run_id, @account, @environment, @configuration_type, @configuration_id, @job_id, @status, @start_us, @running_us, @ends_us, @planned_duration_us, @planned_outcome, @duration_us, @last_update_us, @execution_date, @origin, @triggered_by, @request_id, @request_seq, @token_fingerprint, @visible_us)`,
      ),
      updateRun: p(
        "UPDATE runs SET status = @status, running_us = @running_us, ends_us = @ends_us, duration_us = @duration_us, last_update_us = @last_update_us, planned_outcome = @planned_outcome WHERE seq = @seq",
      ),
      runById: p(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_id = ?`),
      nextDue: p(`SELECT ${RUN_COLUMNS} FROM runs WHERE ends_us IS NOT NULL AND ends_us <= ? ORDER BY ends_us, seq LIMIT 1`),
      minDue: p("SELECT ends_us FROM runs WHERE ends_us IS NOT NULL ORDER BY ends_us LIMIT 1"),
      countRunning: p(`SELECT COUNT(*) AS n FROM runs WHERE ${IDENTITY_WHERE} AND status = 'RUNNING'`),
      oldestWaiting: p(`SELECT ${RUN_COLUMNS} FROM runs WHERE ${IDENTITY_WHERE} AND status = 'WAITING' ORDER BY seq LIMIT 1`),
      marks: p(
        "SELECT job_id, run_id, marked_us FROM workflow_marks WHERE account = ? AND environment = ? AND workflow_id = ? ORDER BY job_id",
      ),
      allMarks: p(
        "SELECT account, environment, workflow_id, job_id, run_id, marked_us FROM workflow_marks ORDER BY account, environment, workflow_id, job_id",
      ),
      addMark: p(
        `INSERT INTO workflow_marks (account, environment, workflow_id, job_id, run_id, marked_us) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (account, environment, workflow_id, job_id) DO UPDATE SET run_id = excluded.run_id, marked_us = excluded.marked_us`,
      ),
      clearMarks: p("DELETE FROM workflow_marks WHERE account = ? AND environment = ? AND workflow_id = ?"),
      pushScript: p(
        "INSERT INTO scripted_launches (account, environment, configuration_type, configuration_id, duration_us, outcome) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      firstScript: p(`SELECT id, duration_us, outcome FROM scripted_launches WHERE ${IDENTITY_WHERE} ORDER BY id LIMIT 1`),
      deleteScript: p("DELETE FROM scripted_launches WHERE id = ?"),
      clearScripts: p(`DELETE FROM scripted_launches WHERE ${IDENTITY_WHERE}`),
      clearAllScripts: p("DELETE FROM scripted_launches"),
      scriptCounts: p(
        "SELECT account, environment, configuration_type, configuration_id, COUNT(*) AS n FROM scripted_launches GROUP BY account, environment, configuration_type, configuration_id",
      ),
      countRuns: p("SELECT COUNT(*) AS n FROM runs"),
    };
    const txn = this.db.transaction((fn: () => unknown) => fn());
    this.inTransaction = <T>(fn: () => T) => txn(fn) as T;
  }

  /** Runs `fn` in one transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T {
    return this.inTransaction(fn);
  }

  /** Closes the connection; checkpoints the WAL when possible. */
  close(): void {
    if (!this.db.open) return;
    try {
      if (this.path !== ":memory:") this.db.pragma("wal_checkpoint(TRUNCATE)");
    } finally {
      this.db.close();
    }
  }

  /** A meta value (schema version, clock lease, seeded flag). */
  getMeta(key: string): string | undefined {
    return (this.statements.getMeta.get(key) as { value: string } | undefined)?.value;
  }

  /** Sets a meta value. */
  setMeta(key: string, value: string): void {
    this.statements.setMeta.run(key, value);
  }

  /** Every configuration, sorted by identity. */
  allConfigurations(): ConfigurationRecord[] {
    return (this.statements.allConfigurations.all() as Row[]).map(toConfiguration);
  }

  /** Inserts or replaces a configuration. */
  upsertConfiguration(c: ConfigurationRecord): void {
    this.statements.upsertConfiguration.run({
      ...c,
      activated: c.activated ? 1 : 0,
      archived: c.archived ? 1 : 0,
      job_ids: JSON.stringify(c.job_ids),
      workflow: c.workflow === null ? null : JSON.stringify(c.workflow),
      schedule: c.schedule === null ? null : JSON.stringify(c.schedule),
    });
  }

  /** Deletes a configuration (its runs stay, as history). True when it existed. */
  deleteConfiguration(c: ConfigurationIdentity): boolean {
    return this.statements.deleteConfiguration.run(...identityParams(c)).changes > 0;
  }

  /** Inserts a run and returns its seq. */
  insertRun(r: Omit<RunRecord, "seq">): number {
    return Number(this.statements.insertRun.run(r).lastInsertRowid);
  }

  /** Writes a run's mutable fields (status, times, planned outcome). */
  updateRun(r: RunRecord): void {
    this.statements.updateRun.run({
      seq: r.seq,
      status: r.status,
      running_us: r.running_us,
      ends_us: r.ends_us,
      duration_us: r.duration_us,
      last_update_us: r.last_update_us,
      planned_outcome: r.planned_outcome,
    });
  }

  /** The run with this id, if any. */
  runById(runId: string): RunRecord | undefined {
    return this.statements.runById.get(runId) as RunRecord | undefined;
  }

  /** The RUNNING run with the earliest scheduled end at or before `us`. */
  nextDue(us: number): RunRecord | undefined {
    return this.statements.nextDue.get(us) as RunRecord | undefined;
  }

  /** The earliest scheduled end of any run, or undefined. */
  minDue(): number | undefined {
    return (this.statements.minDue.get() as { ends_us: number } | undefined)?.ends_us;
  }

  /** How many runs of the configuration are RUNNING. */
  countRunning(c: ConfigurationIdentity): number {
    return (this.statements.countRunning.get(...identityParams(c)) as { n: number }).n;
  }

  /** The configuration's oldest WAITING run. */
  oldestWaiting(c: ConfigurationIdentity): RunRecord | undefined {
    return this.statements.oldestWaiting.get(...identityParams(c)) as RunRecord | undefined;
  }

  /** Total number of runs. */
  countRuns(): number {
    return (this.statements.countRuns.get() as { n: number }).n;
  }

  /** Runs matching the filters, newest start first (ties: last inserted first). */
  queryRuns(q: RunQuery): RunRecord[] {
    const { where, params } = runFilter(q);
    const sql = `SELECT ${RUN_COLUMNS} FROM runs${where} ORDER BY start_us DESC, seq DESC LIMIT ?`;
    return this.cachedStatement(sql).all(...params, q.limit) as RunRecord[];
  }

  /** How many runs match the filters, per origin and launching token (the limit is ignored). */
  countRunsByOrigin(q: Omit<RunQuery, "limit">): RunOriginCount[] {
    const { where, params } = runFilter(q);
    const sql = `SELECT origin, token_fingerprint, COUNT(*) AS runs FROM runs${where} GROUP BY origin, token_fingerprint ORDER BY origin, token_fingerprint`;
    return this.cachedStatement(sql).all(...params) as RunOriginCount[];
  }

  // A few hundred filter shapes at most: one prepared statement per shape.
  private cachedStatement(sql: string): Database.Statement {
    let statement = this.queryCache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.queryCache.set(sql, statement);
    }
    return statement;
  }

  /** A workflow's marks. */
  marks(account: string, environment: string, workflowId: string): WorkflowMark[] {
    return this.statements.marks.all(account, environment, workflowId) as WorkflowMark[];
  }

  /** Every mark of every workflow. */
  allMarks(): Array<WorkflowMark & { account: string; environment: string; workflow_id: string }> {
    return this.statements.allMarks.all() as Array<WorkflowMark & { account: string; environment: string; workflow_id: string }>;
  }

  /** Records that `jobId` succeeded for the workflow. */
  addMark(account: string, environment: string, workflowId: string, mark: WorkflowMark): void {
    this.statements.addMark.run(account, environment, workflowId, mark.job_id, mark.run_id, mark.marked_us);
  }

  /** Clears a workflow's marks; returns how many there were. */
  clearMarks(account: string, environment: string, workflowId: string): number {
    return this.statements.clearMarks.run(account, environment, workflowId).changes;
  }

  /** Appends a scripted launch for the configuration. */
  pushScript(c: ConfigurationIdentity, s: ScriptedLaunch): void {
    this.statements.pushScript.run(...identityParams(c), s.duration_us, s.outcome);
  }

  /** Removes and returns the configuration's next scripted launch. */
  shiftScript(c: ConfigurationIdentity): ScriptedLaunch | undefined {
    const row = this.statements.firstScript.get(...identityParams(c)) as (ScriptedLaunch & { id: number }) | undefined;
    if (!row) return undefined;
    this.statements.deleteScript.run(row.id);
    return { duration_us: row.duration_us, outcome: row.outcome };
  }

  /** Drops the scripted launches of one configuration, or of all. */
  clearScripts(c?: ConfigurationIdentity): number {
    return c ? this.statements.clearScripts.run(...identityParams(c)).changes : this.statements.clearAllScripts.run().changes;
  }

  /** Pending scripted launches per configuration. */
  scriptCounts(): Array<ConfigurationIdentity & { n: number }> {
    return this.statements.scriptCounts.all() as Array<ConfigurationIdentity & { n: number }>;
  }

  /** Deletes every configuration, run, mark and script (meta stays: the clock never goes back). */
  wipe(): void {
    this.transaction(() => {
      this.db.exec("DELETE FROM configurations; DELETE FROM runs; DELETE FROM workflow_marks; DELETE FROM scripted_launches;");
      this.db.prepare("DELETE FROM meta WHERE key = 'seeded'").run();
    });
  }
}

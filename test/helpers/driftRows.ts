/**
 * The drift cases of TailerConfigurationStatus, one row each, shared by the provider test
 * (test/resources/configurationStatusDrift.test.ts) and the end-to-end one (test/e2e/drift.test.ts), and
 * written out in the README's "What drift can and cannot be seen". Each row says what the world looks like
 * before `pulumi up` sets the status, what Tailer Studio and the scheduler do after, and what follows.
 */
import { launchOutsidePulumi, type RunningEmulator, type WireIdentity } from "./emulator";

/** What happens outside Pulumi: Tailer Studio, the scheduler, the clock, the network. */
export interface Studio {
  /** Moves the API's clock forward. */
  advance(seconds: number): Promise<void>;
  disable(): Promise<void>;
  enable(): Promise<void>;
  archive(): Promise<void>;
  unarchive(activated: boolean): Promise<void>;
  /** A run launched as the scheduler would (DEACTIVATED at once on a disabled configuration). */
  run(): Promise<void>;
  /** A run with this start, `afterSetUs` microseconds after `statusSetAt`. */
  runAt(afterSetUs: number, status: "DEACTIVATED" | "SUCCESS"): Promise<void>;
  /** The configuration deleted from Tailer. */
  remove(): Promise<void>;
  /** Sets this machine's clock `ms` off the API's. */
  skewLocalClock(ms: number): Promise<void>;
  /** The API's answers lose their Date header. */
  dropDateHeader(): Promise<void>;
}

/** One case. */
export interface DriftRow {
  name: string;
  /** What the program declares. */
  declared: { activated?: boolean; archived?: boolean };
  /** The world before `pulumi up` sets the status. */
  before?: (studio: Studio) => Promise<void>;
  /** The API's answers carry no Date header from `before` on, and this machine's clock is `localClockSkewMs` off the API's. */
  withoutDateHeader?: { localClockSkewMs: number };
  /** What happens outside Pulumi after the status was set. */
  after?: (studio: Studio) => Promise<void>;
  /** The refreshed outputs (a subset), or "gone" when the refresh removes the resource. */
  refreshed: Record<string, unknown> | "gone";
  /** The one line the refresh prints about configuration `id`, if any. */
  line?: (id: string) => RegExp;
  /** Whether `pulumi preview --refresh --expect-no-changes` fails. */
  previewFails: boolean;
  /** set_configuration_status calls of `pulumi up --refresh` without enforce (with enforce "always": always 1). */
  upSends: number;
}

const FIVE_MINUTES_MS = 5 * 60_000;
/** The run ids runAt gives its runs: the offset after statusSetAt, then the configuration. */
const BOUNDARY_RUN_PREFIX = "20300101-000000-boundary-";
const disabledBy = (id: string) => new RegExp(`${id} disabled outside Pulumi: run \\S+ came back DEACTIVATED at \\d{4}-`);
const notVerifiable = (id: string) => new RegExp(`${id} not verifiable: no run since the status was set at \\d{4}-`);

/** Before the set: someone disabled the configuration and its scheduled run came back DEACTIVATED; a minute later we activate it. */
const oldDeactivatedRun = async (s: Studio) => {
  await s.disable();
  await s.run();
  await s.advance(60);
};
/** After the set, within five minutes: someone disables it, and its next run comes back DEACTIVATED. */
const newDeactivatedRun = async (s: Studio) => {
  await s.advance(60);
  await s.disable();
  await s.run();
};
const ahead = { localClockSkewMs: FIVE_MINUTES_MS };
const behind = { localClockSkewMs: -FIVE_MINUTES_MS };

/** The rows, in the README's order. */
export const DRIFT_ROWS: readonly DriftRow[] = [
  {
    name: "unchanged: a run since confirms the status",
    declared: {},
    after: async (s) => {
      await s.advance(5);
      await s.run();
    },
    refreshed: { activated: true, statusEvidence: "run", evidenceRunStatus: expect.stringMatching(/^(RUNNING|SUCCESS)$/) },
    previewFails: false,
    upSends: 0,
  },
  {
    name: "disabled in Studio, then a DEACTIVATED run",
    declared: {},
    after: async (s) => {
      await s.advance(5);
      await s.disable();
      await s.run();
    },
    refreshed: { activated: false, statusEvidence: "run", evidenceRunStatus: "DEACTIVATED" },
    line: disabledBy,
    previewFails: true,
    upSends: 1,
  },
  {
    name: "disabled in Studio, no run since: not verifiable",
    declared: {},
    after: async (s) => {
      await s.advance(5);
      await s.disable();
    },
    refreshed: { activated: true, statusEvidence: "none" },
    line: notVerifiable,
    previewFails: false,
    upSends: 0,
  },
  {
    name: "enabled in Studio after we disabled it, then a run",
    declared: { activated: false },
    after: async (s) => {
      await s.advance(5);
      await s.enable();
      await s.run();
    },
    refreshed: { activated: true, statusEvidence: "run", evidenceRunStatus: expect.stringMatching(/^(RUNNING|SUCCESS)$/) },
    line: (id) => new RegExp(`${id} enabled outside Pulumi: run \\S+ started \\(now (RUNNING|SUCCESS)\\) at \\d{4}-`),
    previewFails: true,
    upSends: 1,
  },
  {
    name: "archived in Studio: no evidence, not verifiable",
    declared: {},
    after: async (s) => {
      await s.advance(5);
      await s.archive(); // it never runs again: nothing can show it
    },
    refreshed: { activated: true, archived: false, statusEvidence: "none" },
    line: notVerifiable,
    previewFails: false,
    upSends: 0,
  },
  {
    name: "un-archived (and enabled) in Studio after we archived it, then a run",
    declared: { archived: true },
    after: async (s) => {
      await s.advance(5);
      await s.unarchive(true);
      await s.run();
    },
    refreshed: { activated: true, archived: false, statusEvidence: "run" },
    line: (id) => new RegExp(`${id} un-archived and enabled outside Pulumi: run \\S+ started \\(now (RUNNING|SUCCESS)\\) at`),
    previewFails: true,
    upSends: 1,
  },
  {
    name: "un-archived in Studio but left disabled, then a DEACTIVATED run",
    declared: { archived: true },
    after: async (s) => {
      await s.advance(5);
      await s.unarchive(false);
      await s.run();
    },
    refreshed: { activated: false, archived: false, evidenceRunStatus: "DEACTIVATED" },
    line: (id) => new RegExp(`${id} un-archived outside Pulumi: run \\S+ came back DEACTIVATED at`),
    previewFails: true,
    upSends: 1,
  },
  {
    name: "disabled then enabled in Studio, a DEACTIVATED run between: the disable is proven, up re-sends active",
    declared: {},
    after: async (s) => {
      await s.advance(5);
      await s.disable();
      await s.run();
      await s.enable();
    },
    refreshed: { activated: false, evidenceRunStatus: "DEACTIVATED" },
    line: disabledBy,
    previewFails: true,
    upSends: 1,
  },
  {
    name: "no Date header, local clock 5 minutes ahead: a DEACTIVATED run before the set is not drift",
    declared: {},
    before: oldDeactivatedRun,
    withoutDateHeader: ahead,
    refreshed: { activated: true, statusSetClock: "local", statusEvidence: "none" },
    line: notVerifiable,
    previewFails: false,
    upSends: 0,
  },
  {
    name: "no Date header, local clock 5 minutes ahead: a DEACTIVATED run a minute after the set is drift",
    declared: {},
    before: oldDeactivatedRun,
    withoutDateHeader: ahead,
    after: newDeactivatedRun,
    refreshed: { activated: false, statusSetClock: "local", evidenceRunStatus: "DEACTIVATED" },
    line: disabledBy,
    previewFails: true,
    upSends: 1,
  },
  {
    name: "no Date header, local clock 5 minutes behind: a DEACTIVATED run before the set is not drift",
    declared: {},
    before: oldDeactivatedRun,
    withoutDateHeader: behind,
    refreshed: { activated: true, statusSetClock: "local", statusEvidence: "none" },
    line: notVerifiable,
    previewFails: false,
    upSends: 0,
  },
  {
    name: "no Date header, local clock 5 minutes behind: a DEACTIVATED run a minute after the set is drift",
    declared: {},
    before: oldDeactivatedRun,
    withoutDateHeader: behind,
    after: newDeactivatedRun,
    refreshed: { activated: false, statusSetClock: "local", evidenceRunStatus: "DEACTIVATED" },
    line: disabledBy,
    previewFails: true,
    upSends: 1,
  },
  {
    name: "a DEACTIVATED run exactly one second after statusSetAt counts",
    declared: {},
    after: async (s) => {
      await s.disable();
      await s.runAt(1_000_000, "DEACTIVATED");
      await s.advance(5);
    },
    refreshed: { activated: false, evidenceRunId: expect.stringMatching(`^${BOUNDARY_RUN_PREFIX}1000000-`) },
    line: disabledBy,
    previewFails: true,
    upSends: 1,
  },
  {
    name: "a DEACTIVATED run within the second of statusSetAt (+0.999999 s) may predate the set: ignored",
    declared: {},
    after: async (s) => {
      await s.disable();
      await s.runAt(999_999, "DEACTIVATED");
      await s.advance(5);
    },
    refreshed: { activated: true, statusEvidence: "none" },
    line: notVerifiable,
    previewFails: false,
    upSends: 0,
  },
  {
    name: "deleted from Tailer: the refresh removes it, up fails to set it",
    declared: {},
    after: (s) => s.remove(),
    refreshed: "gone",
    line: (id) => new RegExp(`${id} not found in Tailer: refresh removes it from state`),
    previewFails: true,
    upSends: 1,
  },
];

/** Before the set: the API's answers lose their Date header, and this machine's clock goes off the API's, as the row says. */
export async function takeDateHeaderAway(row: DriftRow, studio: Studio): Promise<void> {
  if (!row.withoutDateHeader) return;
  await studio.dropDateHeader();
  await studio.skewLocalClock(row.withoutDateHeader.localClockSkewMs);
}

/**
 * After the set: statusSetAt is on the clock the row says, the API's, or without the Date header this
 * machine's, off the API's (`apiNowMs`, read just after the set) in the skew's direction by most of it.
 */
export function expectStatusSetClock(row: DriftRow, outputs: Record<string, unknown>, apiNowMs: number): void {
  const skew = row.withoutDateHeader?.localClockSkewMs;
  expect(outputs.statusSetClock).toBe(skew === undefined ? "server" : "local");
  if (skew === undefined) return;
  const offMs = Date.parse(String(outputs.statusSetAt)) - apiNowMs;
  expect({ direction: Math.sign(offMs), mostOfTheSkew: Math.abs(offMs) > 0.8 * Math.abs(skew) }).toEqual({
    direction: Math.sign(skew),
    mostOfTheSkew: true,
  });
}

/** Studio on a test emulator, acting on `configuration`; `statusSetAt` dates runAt; `skew` sets the local clock. */
export function studioOn(
  env: RunningEmulator,
  configuration: WireIdentity,
  statusSetAt: () => string,
  skew: (ms: number) => Promise<void>,
): Studio {
  const patch = async (change: { activated?: boolean; archived?: boolean }) => {
    await env.admin.updateConfiguration({ ...configuration, ...change });
  };
  return {
    advance: async (seconds) => {
      await env.admin.advanceClock(seconds);
    },
    disable: () => patch({ activated: false }),
    enable: () => patch({ activated: true }),
    archive: () => patch({ activated: false, archived: true }),
    unarchive: (activated) => patch({ activated, archived: false }),
    run: async () => {
      await launchOutsidePulumi(env, configuration);
    },
    runAt: async (afterSetUs, status) => {
      const ms = Date.parse(statusSetAt()) + Math.floor(afterSetUs / 1000);
      const start = new Date(ms).toISOString().replace("Z", `${String(afterSetUs % 1000).padStart(3, "0")}+00:00`);
      const runId = `${BOUNDARY_RUN_PREFIX}${afterSetUs}-${configuration.configuration_id}`;
      await env.admin.addRuns([{ ...configuration, run_id: runId, status, start_execution_date: start }]);
    },
    remove: () => env.admin.deleteConfiguration(configuration),
    skewLocalClock: skew,
    dropDateHeader: () => env.admin.setDateHeader(false),
  };
}

/**
 * The emulated Tailer platform: configurations, the life of runs (WAITING ->
 * RUNNING -> SUCCESS/FAILED, DEACTIVATED), the max_active_runs queue, workflow
 * marks and triggers, schedules, all moving on the emulated clock.
 *
 * Time moves in two ways: a timer fires at the next due event (so runs progress
 * when nobody polls), and every request first catches up (cheap: one comparison
 * unless something is due). Catching up replays due events (run ends, scheduled
 * launches, late actions) in time order, each at its own instant, so a big clock
 * jump gives the same timestamps as waiting would have.
 */
import { isTerminalRunStatus, type RunStatus } from "../provider/client/schemas";
import { formatIsoDate, US_PER_SECOND } from "../provider/client/wire";
import type { EmulatorClock } from "./clock";
import { newRunId } from "./format";
import type { Guesses } from "./guesses";
import type { Logger } from "./logger";
import { type ConfigurationInput, identityKey, type RunInput, type SeedFile, toConfigurationRecord, toIdentity, toRunRecord } from "./seed";
import type {
  ConfigurationIdentity,
  ConfigurationRecord,
  RunOrigin,
  RunOutcome,
  RunRecord,
  ScheduleRecord,
  ScriptedLaunch,
  Store,
  WorkflowMark,
} from "./store";

/** The public-API request behind a launch. */
export interface LaunchRequest {
  /** Its x-request-id. */
  id: string;
  /** Its sequence number in the request log. */
  seq: number;
  /** The first 12 hex digits of the SHA-256 of its bearer token. */
  tokenFingerprint: string | null;
}

/** How a run is launched. */
export interface LaunchOptions {
  jobId?: string;
  executionDate?: string | null;
  origin: RunOrigin;
  triggeredBy?: string | null;
  /** launch_job: the request that launched the run. */
  request?: LaunchRequest;
  /** Emulated delay, on top of the global one, before the run shows in the public API. */
  extraVisibilityDelayUs?: number;
}

/** What the platform asks of the rest of the emulator. */
export interface PlatformHooks {
  /** The emulated delay before any new run shows in the public API (the faults' global visibility delay). */
  visibilityDelayUs?: () => number;
  /** Told of each run a schedule launched (the request log records it). */
  onScheduledLaunch?: (run: RunRecord) => void;
}

/** An action to perform at an emulated instant (a late_processing fault's), with what to do if it never is. */
interface DeferredAction {
  atUs: number;
  seq: number;
  perform: (atUs: number) => void;
  cancel: () => void;
}

/** An out-of-band status change. */
interface StatusChangeOptions {
  /** For RUNNING: end the run after this long (microseconds); otherwise it runs until changed again. */
  durationUs?: number;
  /** For RUNNING with a duration: the status it ends in. */
  outcome?: RunOutcome;
}

/** A workflow and the jobs it has seen succeed since its last trigger or reset. */
interface WorkflowState {
  configuration: ConfigurationRecord;
  marks: WorkflowMark[];
}

// Guards against a workflow that (directly or not) triggers itself with zero-length runs.
const MAX_EVENTS_PER_BATCH = 10_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Changes the admin API can make to a configuration. */
type ConfigurationChanges = Partial<
  Pick<
    ConfigurationRecord,
    "activated" | "archived" | "job_ids" | "max_active_runs" | "run_duration_us" | "run_outcome" | "workflow" | "schedule"
  >
>;

/** The execution_date a scheduled launch at `t` carries. */
function scheduledExecutionDate(schedule: ScheduleRecord, t: number): string | null {
  if (schedule.execution_date === "none") return null;
  return formatIsoDate(schedule.execution_date === "launch_day" ? t : t - schedule.every_us).slice(0, 10);
}

/** The emulated platform over a Store and a clock. */
export class Platform {
  private configurations = new Map<string, ConfigurationRecord>();
  /** `account\nenvironment\njob_id` -> workflows listening to that job. */
  private workflowsByJob = new Map<string, ConfigurationRecord[]>();
  private scriptCounts = new Map<string, number>();
  private nextDueUs = Number.POSITIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private timerDueUs = Number.POSITIVE_INFINITY;
  private stopped = false;
  private deferred: DeferredAction[] = [];
  private deferredSeq = 0;
  /** While replaying events: the instant of the event being processed. */
  private eventTimeUs: number | undefined;

  constructor(
    private readonly store: Store,
    readonly clock: EmulatorClock,
    private readonly guesses: Guesses,
    private readonly logger: Logger,
    private readonly hooks: PlatformHooks = {},
  ) {
    this.reloadCaches();
  }

  // ---- time --------------------------------------------------------------

  /** The emulated time now, or, while replaying due events, the instant of the one being processed. */
  now(): number {
    return this.eventTimeUs ?? this.clock.nowUs();
  }

  /** Brings every run up to the current emulated time (nothing to do while already replaying). */
  catchUp(): void {
    if (this.eventTimeUs !== undefined) return;
    const now = this.clock.nowUs();
    if (now >= this.nextDueUs) this.processUntil(now);
  }

  /** Performs `perform` at emulated time `atUs`, in order with the other events; `cancel` if the world is reset or stopped first. */
  defer(atUs: number, perform: (atUs: number) => void, cancel: () => void = () => undefined): void {
    const action: DeferredAction = { atUs, seq: this.deferredSeq++, perform, cancel };
    const at = this.deferred.findIndex((d) => d.atUs > atUs);
    this.deferred.splice(at === -1 ? this.deferred.length : at, 0, action);
    this.noteDue(atUs);
  }

  /** Late actions not performed yet. */
  get pendingDeferred(): number {
    return this.deferred.length;
  }

  private cancelDeferred(): void {
    for (const d of this.deferred.splice(0)) d.cancel();
  }

  /** Advances the emulated clock and processes what became due. */
  advance(us: number): number {
    this.clock.advance(us);
    this.catchUp();
    // The next end is nearer in real time now: re-arm the timer even if it is the same run's.
    this.timerDueUs = Number.NaN;
    this.schedule();
    return this.clock.nowUs();
  }

  /** Stops the timer and cancels late actions (the store stays open). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.cancelDeferred();
  }

  private processUntil(now: number): void {
    let processed = 0;
    try {
      this.store.transaction(() => {
        while (processed < MAX_EVENTS_PER_BATCH && this.processNextEvent(now)) processed++;
      });
    } finally {
      this.eventTimeUs = undefined;
    }
    if (processed >= MAX_EVENTS_PER_BATCH) {
      this.logger.warn("events capped in one batch; continuing on the next tick (a workflow triggering itself, a short schedule?)");
    }
    this.refreshNextDue();
  }

  /** Processes the earliest event due by `now`: a run's end, then a scheduled launch, then a late action at the same instant. */
  private processNextEvent(now: number): boolean {
    const run = this.store.nextDue(now);
    const scheduled = this.nextScheduled();
    const late = this.deferred[0];
    const runAt = run?.ends_us ?? Number.POSITIVE_INFINITY;
    const scheduledAt = scheduled?.schedule?.next_us ?? Number.POSITIVE_INFINITY;
    const lateAt = late?.atUs ?? Number.POSITIVE_INFINITY;
    const t = Math.min(runAt, scheduledAt, lateAt);
    if (t > now) return false;
    this.eventTimeUs = t;
    if (run && runAt === t) this.finishRun(run, t);
    else if (scheduled && scheduledAt === t) this.launchScheduled(scheduled, t);
    else if (late) this.performDeferred(late, t);
    return true;
  }

  private performDeferred(action: DeferredAction, t: number): void {
    this.deferred.shift();
    try {
      action.perform(t);
    } catch (e) {
      // The action reports its own outcome; an escape here must not stop the other events.
      this.logger.error("late action failed", { error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** The configuration whose schedule launches next. */
  private nextScheduled(): ConfigurationRecord | undefined {
    let next: ConfigurationRecord | undefined;
    for (const c of this.configurations.values()) {
      if (c.schedule && (!next || c.schedule.next_us < (next.schedule as ScheduleRecord).next_us)) next = c;
    }
    return next;
  }

  private launchScheduled(config: ConfigurationRecord, t: number): void {
    const schedule = config.schedule as ScheduleRecord;
    const next: ConfigurationRecord = { ...config, schedule: { ...schedule, next_us: t + schedule.every_us } };
    this.store.upsertConfiguration(next);
    this.configurations.set(identityKey(next), next);
    if (next.archived) return; // an archived configuration does not run; its schedule keeps its pace
    const run = this.launchAt(next, { origin: "scheduler", executionDate: scheduledExecutionDate(schedule, t) }, t);
    if (run.ends_us !== null) this.noteDueLater(run.ends_us);
    this.hooks.onScheduledLaunch?.(run);
  }

  private refreshNextDue(): void {
    this.nextDueUs = Math.min(
      this.store.minDue() ?? Number.POSITIVE_INFINITY,
      this.nextScheduled()?.schedule?.next_us ?? Number.POSITIVE_INFINITY,
      this.deferred[0]?.atUs ?? Number.POSITIVE_INFINITY,
    );
    this.schedule();
  }

  private noteDue(us: number): void {
    if (us < this.nextDueUs) {
      this.nextDueUs = us;
      this.schedule();
    }
  }

  private schedule(): void {
    if (this.stopped || this.nextDueUs === this.timerDueUs) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDueUs = this.nextDueUs;
    if (this.nextDueUs === Number.POSITIVE_INFINITY) return;
    const delay = Math.min(MAX_TIMER_MS, Math.ceil(this.clock.realDelayMsUntil(this.nextDueUs)));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDueUs = Number.POSITIVE_INFINITY;
      try {
        const now = this.clock.nowUs();
        if (now >= this.nextDueUs) this.processUntil(now);
        else this.schedule();
      } catch (e) {
        this.logger.error("run timer failed", { error: e instanceof Error ? e.message : String(e) });
      }
    }, delay);
    this.timer.unref();
  }

  // ---- configurations ----------------------------------------------------

  private reloadCaches(): void {
    this.configurations = new Map(this.store.allConfigurations().map((c) => [identityKey(c), c]));
    this.rebuildWorkflowIndex();
    this.scriptCounts = new Map(this.store.scriptCounts().map((s) => [identityKey(s), s.n]));
    this.refreshNextDue();
  }

  private rebuildWorkflowIndex(): void {
    this.workflowsByJob = new Map();
    for (const c of this.configurations.values()) {
      if (!c.workflow) continue;
      for (const job of c.workflow.authorized_job_ids) {
        const key = `${c.account}\n${c.environment}\n${job}`;
        this.workflowsByJob.set(key, [...(this.workflowsByJob.get(key) ?? []), c]);
      }
    }
  }

  /** The configuration with this identity, if it exists. */
  configuration(identity: ConfigurationIdentity): ConfigurationRecord | undefined {
    return this.configurations.get(identityKey(identity));
  }

  /** Every configuration, sorted by identity. */
  listConfigurations(): ConfigurationRecord[] {
    return [...this.configurations.values()].sort((a, b) => (identityKey(a) < identityKey(b) ? -1 : 1));
  }

  /** Adds or replaces configurations (admin "deploy"). */
  upsertConfigurations(inputs: readonly ConfigurationInput[]): ConfigurationRecord[] {
    const now = this.now();
    const records = inputs.map((i) => toConfigurationRecord(i, this.guesses, now));
    this.store.transaction(() => {
      for (const r of records) this.store.upsertConfiguration(r);
      for (const r of records) this.configurations.set(identityKey(r), r);
      for (const r of records) this.pump(r, now);
    });
    this.rebuildWorkflowIndex();
    this.refreshNextDue();
    return records;
  }

  /** Changes some fields of a configuration (admin drift); archiving forces it off. */
  updateConfiguration(identity: ConfigurationIdentity, changes: ConfigurationChanges): ConfigurationRecord | undefined {
    const current = this.configuration(identity);
    if (!current) return undefined;
    const next: ConfigurationRecord = { ...current, ...changes };
    if (next.archived) next.activated = false;
    const now = this.now();
    this.store.transaction(() => {
      this.store.upsertConfiguration(next);
      this.configurations.set(identityKey(next), next);
      this.pump(next, now);
    });
    this.rebuildWorkflowIndex();
    this.refreshNextDue();
    return next;
  }

  /** Deletes a configuration, which becomes unknown to the API (its runs stay as history). */
  deleteConfiguration(identity: ConfigurationIdentity): boolean {
    const existed = this.store.transaction(() => {
      this.store.clearScripts(identity);
      if (identity.configuration_type === "workflow")
        this.store.clearMarks(identity.account, identity.environment, identity.configuration_id);
      return this.store.deleteConfiguration(identity);
    });
    this.configurations.delete(identityKey(identity));
    this.scriptCounts.delete(identityKey(identity));
    this.rebuildWorkflowIndex();
    this.refreshNextDue(); // its schedule, if any, is gone
    return existed;
  }

  /** Wipes everything (late actions are cancelled) and loads `seed` (the clock keeps going forward). */
  reset(seed: SeedFile): void {
    this.cancelDeferred();
    this.store.wipe();
    this.reloadCaches();
    this.applySeed(seed);
  }

  /** Loads a seed into an empty world. */
  applySeed(seed: SeedFile): void {
    this.store.transaction(() => {
      const now = this.now();
      for (const input of seed.configurations) this.store.upsertConfiguration(toConfigurationRecord(input, this.guesses, now));
      this.reloadCaches();
      this.insertRunsUnchecked(seed.runs, "seed");
      this.store.setMeta("seeded", "1");
    });
    this.refreshNextDue();
  }

  /** True once a seed was applied to this database. */
  get seeded(): boolean {
    return this.store.getMeta("seeded") === "1";
  }

  // ---- runs --------------------------------------------------------------

  /** Adds historical runs (admin); their configurations must exist and their ids be new. */
  insertRuns(inputs: readonly RunInput[]): RunRecord[] {
    const out = this.store.transaction(() => this.insertRunsUnchecked(inputs, "admin"));
    this.refreshNextDue();
    return out;
  }

  private insertRunsUnchecked(inputs: readonly RunInput[], origin: "seed" | "admin"): RunRecord[] {
    const now = this.now();
    const out: RunRecord[] = [];
    const touched = new Map<string, ConfigurationRecord>();
    for (const input of inputs) {
      const record = toRunRecord(input, this.configurations.get(identityKey(toIdentity(input))), origin);
      if (record.status === "RUNNING") {
        // A seeded RUNNING run is running now: it ends after its configuration's duration from its start.
        record.ends_us = Math.max(now, record.start_us + this.plannedDuration(record.planned_duration_us));
        record.planned_outcome ??= "SUCCESS";
      }
      const seq = this.store.insertRun(record);
      out.push({ ...record, seq });
      const config = this.configurations.get(identityKey(record));
      if (config) touched.set(identityKey(config), config);
    }
    for (const config of touched.values()) this.pump(config, now);
    return out;
  }

  /** Queues scripted behaviour for the next launches of a configuration. */
  scriptLaunches(identity: ConfigurationIdentity, launches: readonly ScriptedLaunch[]): number {
    const key = identityKey(identity);
    this.store.transaction(() => {
      for (const l of launches) this.store.pushScript(identity, l);
    });
    const n = (this.scriptCounts.get(key) ?? 0) + launches.length;
    this.scriptCounts.set(key, n);
    return n;
  }

  /** Drops scripted launches of one configuration, or all. */
  clearScripts(identity?: ConfigurationIdentity): number {
    const n = this.store.clearScripts(identity);
    if (identity) this.scriptCounts.delete(identityKey(identity));
    else this.scriptCounts.clear();
    return n;
  }

  /** Pending scripted launches of a configuration. */
  pendingScripts(identity: ConfigurationIdentity): number {
    return this.scriptCounts.get(identityKey(identity)) ?? 0;
  }

  private plannedDuration(us: number | null): number {
    return us ?? this.guesses.defaultRunDurationSeconds * US_PER_SECOND;
  }

  /**
   * Launches a run of an activated or deactivated (not archived) configuration
   * at emulated time `at` (now by default): DEACTIVATED at once when the
   * configuration is off, WAITING behind max_active_runs, else RUNNING.
   */
  launch(config: ConfigurationRecord, options: LaunchOptions, at?: number): RunRecord {
    const run = this.store.transaction(() => this.launchAt(config, options, at ?? this.now()));
    if (run.ends_us !== null) this.noteDue(run.ends_us);
    return run;
  }

  private launchAt(config: ConfigurationRecord, options: LaunchOptions, t: number): RunRecord {
    const key = identityKey(config);
    let script: ScriptedLaunch | undefined;
    if ((this.scriptCounts.get(key) ?? 0) > 0) {
      script = this.store.shiftScript(config);
      this.scriptCounts.set(key, Math.max(0, (this.scriptCounts.get(key) ?? 1) - 1));
    }
    const plannedDuration = this.plannedDuration(script?.duration_us ?? config.run_duration_us);
    const plannedOutcome = script?.outcome ?? config.run_outcome;
    const visibilityDelayUs = (this.hooks.visibilityDelayUs?.() ?? 0) + (options.extraVisibilityDelayUs ?? 0);
    const run: Omit<RunRecord, "seq"> = {
      account: config.account,
      environment: config.environment,
      configuration_type: config.configuration_type,
      configuration_id: config.configuration_id,
      run_id: newRunId(t),
      job_id: options.jobId ?? config.job_ids[0] ?? `${config.configuration_type}|${config.configuration_id}`,
      status: "WAITING",
      start_us: t,
      running_us: null,
      ends_us: null,
      planned_duration_us: plannedDuration,
      planned_outcome: plannedOutcome,
      duration_us: null,
      last_update_us: t,
      execution_date: options.executionDate ?? null,
      origin: options.origin,
      triggered_by: options.triggeredBy ?? null,
      request_id: options.request?.id ?? null,
      request_seq: options.request?.seq ?? null,
      token_fingerprint: options.request?.tokenFingerprint ?? null,
      visible_us: visibilityDelayUs > 0 ? t + visibilityDelayUs : null,
    };
    if (!config.activated) {
      run.status = "DEACTIVATED";
      run.duration_us = 0;
    } else if (this.hasFreeSlot(config) && !this.store.oldestWaiting(config)) {
      run.status = "RUNNING";
      run.running_us = t;
      run.ends_us = t + plannedDuration;
    }
    const seq = this.store.insertRun(run);
    return { ...run, seq };
  }

  private hasFreeSlot(config: ConfigurationRecord): boolean {
    return config.max_active_runs === null || this.store.countRunning(config) < config.max_active_runs;
  }

  /** Starts queued runs while the configuration has free slots (ending them DEACTIVATED if it is off). */
  private pump(identity: ConfigurationIdentity, t: number): void {
    const config = this.configuration(identity);
    if (!config) return;
    for (;;) {
      if (config.activated && !this.hasFreeSlot(config)) return;
      const waiting = this.store.oldestWaiting(config);
      if (!waiting) return;
      waiting.last_update_us = t;
      if (!config.activated) {
        waiting.status = "DEACTIVATED";
        waiting.duration_us = 0;
      } else {
        waiting.status = "RUNNING";
        waiting.running_us = t;
        waiting.ends_us = t + this.plannedDuration(waiting.planned_duration_us);
        this.noteDueLater(waiting.ends_us);
      }
      this.store.updateRun(waiting);
    }
  }

  // Inside a batch the next due time is recomputed at the end; outside, note it now.
  private noteDueLater(us: number): void {
    if (us < this.nextDueUs) this.nextDueUs = us;
  }

  private finishRun(run: RunRecord, t: number): void {
    run.status = run.planned_outcome ?? "SUCCESS";
    run.last_update_us = t;
    run.duration_us = Math.max(0, t - (run.running_us ?? run.start_us));
    run.ends_us = null;
    this.store.updateRun(run);
    if (run.status === "SUCCESS") this.onRunSucceeded(run, t);
    this.pump(run, t);
  }

  /** The run with this id. */
  runById(runId: string): RunRecord | undefined {
    return this.store.runById(runId);
  }

  /**
   * Sets a run's status out of band (set_run_status, Tailer Studio, admin).
   * Terminal statuses end the run now; RUNNING restarts it (ending after
   * `durationUs` when given, else never on its own); WAITING requeues it.
   */
  setRunStatus(run: RunRecord, status: RunStatus, options: StatusChangeOptions = {}): RunRecord {
    const t = this.now();
    const previous = run.status;
    const updated: RunRecord = { ...run, last_update_us: t };
    if (isTerminalRunStatus(status)) {
      updated.status = status;
      updated.ends_us = null;
      if (previous === "RUNNING") updated.duration_us = Math.max(0, t - (run.running_us ?? run.start_us));
      else updated.duration_us = run.duration_us ?? 0;
    } else if (status === "RUNNING") {
      updated.status = "RUNNING";
      if (previous !== "RUNNING") {
        updated.running_us = t;
        updated.duration_us = null;
        updated.ends_us = null;
      }
      if (options.durationUs !== undefined) {
        updated.ends_us = t + options.durationUs;
        updated.planned_outcome = options.outcome ?? updated.planned_outcome ?? "SUCCESS";
      }
    } else {
      updated.status = "WAITING";
      updated.running_us = null;
      updated.ends_us = null;
      updated.duration_us = null;
    }
    this.store.transaction(() => {
      this.store.updateRun(updated);
      if (updated.status === "SUCCESS" && previous !== "SUCCESS") this.onRunSucceeded(updated, t);
      if (previous === "RUNNING" || updated.status === "WAITING") this.pump(updated, t);
    });
    this.refreshNextDue();
    return updated;
  }

  /** Runs matching filters (see Store.queryRuns). */
  queryRuns(query: Parameters<Store["queryRuns"]>[0]): RunRecord[] {
    return this.store.queryRuns(query);
  }

  /** Run counts per origin and launching token (see Store.countRunsByOrigin). */
  countRunsByOrigin(query: Parameters<Store["countRunsByOrigin"]>[0]): ReturnType<Store["countRunsByOrigin"]> {
    return this.store.countRunsByOrigin(query);
  }

  /** True when the public API shows the run now (its visibility delay has passed). */
  isVisible(run: RunRecord): boolean {
    return run.visible_us === null || run.visible_us <= this.now();
  }

  /** Total runs stored. */
  countRuns(): number {
    return this.store.countRuns();
  }

  // ---- workflows ---------------------------------------------------------

  private onRunSucceeded(run: RunRecord, t: number): void {
    const workflows = this.workflowsByJob.get(`${run.account}\n${run.environment}\n${run.job_id}`);
    if (!workflows) return;
    for (const wf of workflows) {
      if (!wf.activated || wf.archived || !wf.workflow) continue;
      this.store.addMark(wf.account, wf.environment, wf.configuration_id, { job_id: run.job_id, run_id: run.run_id, marked_us: t });
      const marked = new Set(this.store.marks(wf.account, wf.environment, wf.configuration_id).map((m) => m.job_id));
      if (!wf.workflow.authorized_job_ids.every((j) => marked.has(j))) continue;
      this.store.clearMarks(wf.account, wf.environment, wf.configuration_id);
      this.trigger(wf, t);
    }
  }

  private trigger(wf: ConfigurationRecord, t: number): void {
    const target = wf.workflow?.target_dag;
    if (!target) return;
    const config = this.configuration({ account: wf.account, environment: wf.environment, ...target });
    const name = `${target.configuration_id} (${target.configuration_type}, ${wf.environment}, account ${wf.account})`;
    if (!config) {
      this.logger.warn(`workflow ${wf.configuration_id} fired but its target ${name} does not exist; nothing launched`);
      return;
    }
    if (config.archived) {
      this.logger.warn(`workflow ${wf.configuration_id} fired but its target ${name} is archived; nothing launched`);
      return;
    }
    const run = this.launchAt(config, { origin: "workflow", triggeredBy: wf.configuration_id }, t);
    if (run.ends_us !== null) this.noteDueLater(run.ends_us);
    this.logger.info(`workflow ${wf.configuration_id} launched ${name}: run ${run.run_id} (${run.status})`);
  }

  /** Clears a workflow's marks (reset_workflow_status); returns how many there were. */
  resetWorkflow(workflow: ConfigurationIdentity): number {
    return this.store.clearMarks(workflow.account, workflow.environment, workflow.configuration_id);
  }

  /** Every workflow with its current marks. */
  listWorkflows(): WorkflowState[] {
    return this.listConfigurations()
      .filter((c) => c.workflow !== null)
      .map((configuration) => ({
        configuration,
        marks: this.store.marks(configuration.account, configuration.environment, configuration.configuration_id),
      }));
  }
}

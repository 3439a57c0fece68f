/**
 * The seed file: the configurations (and, optionally, run history) the emulator
 * starts with, since the public API cannot create configurations. The same
 * configuration shape is accepted by the admin API.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { Account, ConfigurationType, canonicalConfigurationType, defaultJobId, Environment, RunStatus } from "../provider/client/schemas";
import { parseDuration, parseIsoDate, US_PER_SECOND } from "../provider/client/wire";
import { isEmulatorError, SeedError } from "./errors";
import { FaultRuleInput, MAX_VISIBILITY_DELAY_MS } from "./faults";
import { type Guesses, LAUNCHABLE_TYPES } from "./guesses";
import type { ConfigurationIdentity, ConfigurationRecord, RunRecord, ScheduleRecord, WorkflowDefinition } from "./store";
import { parseOrThrow } from "./validation";

const Text = (what: string) =>
  z
    .string({ error: () => `${what} must be a string` })
    .min(1, `${what} must not be empty`)
    .max(1024, `${what} must be at most 1024 characters`)
    .refine((s) => ![...s].some((ch) => ch.charCodeAt(0) < 0x20), `${what} must not contain control characters`);

/** A duration as `str(timedelta)` text ("0:01:24.002519") or a number of seconds. */
export const DurationInput = z
  .union([z.number(), z.string()], { error: () => "must be a number of seconds or H:MM:SS[.ffffff]" })
  .transform((v, ctx) => {
    const us = parseDuration(v);
    if (us === undefined) {
      ctx.addIssue({ code: "custom", message: "must be a number of seconds (>= 0) or H:MM:SS[.ffffff]" });
      return z.NEVER;
    }
    return us;
  });

/** An ISO 8601 date-time; converted to epoch microseconds. */
const DateTimeInput = z.string({ error: () => "must be an ISO 8601 date-time string" }).transform((v, ctx) => {
  const us = parseIsoDate(v);
  if (us === undefined) {
    ctx.addIssue({ code: "custom", message: "must be an ISO 8601 date-time such as 2020-12-30T11:30:07.960767+00:00" });
    return z.NEVER;
  }
  return us;
});

/** The outcome of a scripted run. */
export const Outcome = z.enum(["SUCCESS", "FAILED"], { error: () => "outcome must be SUCCESS or FAILED" });

/** How launches of a configuration behave: RUNNING time and final status. */
export const RunBehaviourInput = z.strictObject({
  duration: DurationInput.optional(),
  outcome: Outcome.optional(),
});

/** A workflow's definition in the seed. */
export const WorkflowInput = z.strictObject({
  authorized_job_ids: z.array(Text("job id")).min(1, "a workflow needs at least one authorized job id"),
  target_dag: z.strictObject({
    configuration_type: ConfigurationType,
    configuration_id: Text("configuration_id"),
  }),
});

/** A schedule: a launch every `every` (seconds or H:MM:SS, at least a second), from `first_launch_date` (default: one period from now). */
export const ScheduleInput = z.strictObject({
  every: DurationInput.refine((us) => us >= US_PER_SECOND, "every must be at least 1 second"),
  first_launch_date: DateTimeInput.optional(),
  execution_date: z
    .enum(["none", "launch_day", "interval_start"], { error: () => "execution_date must be none, launch_day or interval_start" })
    .default("none"),
});

/** The identity of a configuration, as a seed or the admin API gives it. */
export const IdentityInput = z.object({
  account: Account,
  environment: Environment,
  configuration_type: ConfigurationType,
  configuration_id: Text("configuration_id"),
});

/** A configuration in a seed file or an admin upsert. */
export const ConfigurationInput = z
  .strictObject({
    ...IdentityInput.shape,
    description: z.string().optional(),
    activated: z.boolean().optional(),
    archived: z.boolean().optional(),
    job_ids: z.array(Text("job id")).optional(),
    max_active_runs: z.number().int().min(1).max(10_000).nullable().optional(),
    run: RunBehaviourInput.optional(),
    workflow: WorkflowInput.optional(),
    schedule: ScheduleInput.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.schedule && !LAUNCHABLE_TYPES.has(canonicalConfigurationType(c.configuration_type))) {
      ctx.addIssue({
        code: "custom",
        path: ["schedule"],
        message: `${c.configuration_type} configurations cannot be launched, so not scheduled`,
      });
    }
    const isWorkflow = c.configuration_type === "workflow";
    if (isWorkflow && !c.workflow) {
      ctx.addIssue({ code: "custom", path: ["workflow"], message: "a workflow configuration needs a workflow definition" });
    }
    if (!isWorkflow && c.workflow) {
      ctx.addIssue({ code: "custom", path: ["workflow"], message: "only workflow configurations have a workflow definition" });
    }
  });
/** A configuration as a seed file gives it. */
export type ConfigurationInput = z.infer<typeof ConfigurationInput>;

/** A historical run in a seed file, in the API's own wire form. */
export const RunInput = z.strictObject({
  ...IdentityInput.shape,
  job_id: Text("job_id").optional(),
  run_id: Text("run_id"),
  status: RunStatus,
  start_execution_date: DateTimeInput,
  last_update_date: DateTimeInput.optional(),
  duration: DurationInput.optional(),
  execution_date: z.string().optional(),
});
/** A seeded run. */
export type RunInput = z.infer<typeof RunInput>;

/** The fault RNG's seed (32 bits). */
export const FaultSeed = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1);

/** The emulated delay before any new run shows in the public API. */
export const VisibilityDelayMs = z.number().int().min(0).max(MAX_VISIBILITY_DELAY_MS);

/** Faults a seed turns on at every start and reset (faults live in memory): the RNG seed, a global visibility delay, rules. */
const SeedFaults = z.strictObject({
  seed: FaultSeed.optional(),
  visibility_delay_ms: VisibilityDelayMs.optional(),
  date_header: z.boolean().optional(),
  rules: z.array(FaultRuleInput).default([]),
});

/** The seed file. */
export const SeedFile = z.strictObject({
  description: z.string().optional(),
  configurations: z.array(ConfigurationInput).default([]),
  runs: z.array(RunInput).default([]),
  faults: SeedFaults.optional(),
});
/** A parsed seed file. */
export type SeedFile = z.infer<typeof SeedFile>;

/** The identity key used in maps: fields joined by a newline, which ids cannot contain. */
export function identityKey(c: ConfigurationIdentity): string {
  return `${c.account}\n${c.environment}\n${c.configuration_type}\n${c.configuration_id}`;
}

/** Canonical identity from an input that may use `gbq-to-gbq`. */
export function toIdentity(input: z.infer<typeof IdentityInput>): ConfigurationIdentity {
  return {
    account: input.account,
    environment: input.environment,
    configuration_type: canonicalConfigurationType(input.configuration_type),
    configuration_id: input.configuration_id,
  };
}

/** A stored workflow definition from its input form (the target's type made canonical). */
export function toWorkflowDefinition(input: z.infer<typeof WorkflowInput>): WorkflowDefinition {
  return {
    authorized_job_ids: input.authorized_job_ids,
    target_dag: {
      configuration_type: canonicalConfigurationType(input.target_dag.configuration_type),
      configuration_id: input.target_dag.configuration_id,
    },
  };
}

/** A stored schedule from its input form; the first launch is one period after `nowUs` unless given. */
export function toScheduleRecord(input: z.infer<typeof ScheduleInput>, nowUs: number): ScheduleRecord {
  return { every_us: input.every, execution_date: input.execution_date, next_us: input.first_launch_date ?? nowUs + input.every };
}

/** A stored configuration from its input form, filling the guessed defaults (`nowUs` starts its schedule). */
export function toConfigurationRecord(input: ConfigurationInput, guesses: Guesses, nowUs: number): ConfigurationRecord {
  const identity = toIdentity(input);
  const archived = input.archived ?? false;
  const defaultJob = defaultJobId(identity.configuration_type, identity.account, identity.configuration_id, identity.environment);
  const defaultMax =
    identity.configuration_type === "table-to-table" ? guesses.defaultTableToTableMaxActiveRuns : guesses.defaultOtherMaxActiveRuns;
  return {
    ...identity,
    // Archiving forces the configuration off (tailer-api.md, "Configurations").
    activated: archived ? false : (input.activated ?? true),
    archived,
    job_ids: input.job_ids ?? (defaultJob === undefined ? [] : [defaultJob]),
    max_active_runs: input.max_active_runs === undefined ? defaultMax : input.max_active_runs,
    run_duration_us: input.run?.duration ?? null,
    run_outcome: input.run?.outcome ?? "SUCCESS",
    workflow: input.workflow ? toWorkflowDefinition(input.workflow) : null,
    schedule: input.schedule ? toScheduleRecord(input.schedule, nowUs) : null,
  };
}

/** A stored run from its seed form (the platform schedules the end of seeded RUNNING runs). */
export function toRunRecord(
  input: RunInput,
  configuration: ConfigurationRecord | undefined,
  origin: "seed" | "admin",
): Omit<RunRecord, "seq"> {
  const identity = toIdentity(input);
  const terminal = input.status !== "RUNNING" && input.status !== "WAITING";
  const duration =
    input.duration ??
    (terminal && input.last_update_date !== undefined ? Math.max(0, input.last_update_date - input.start_execution_date) : null);
  const jobId =
    input.job_id ??
    configuration?.job_ids[0] ??
    defaultJobId(identity.configuration_type, identity.account, identity.configuration_id, identity.environment);
  if (jobId === undefined) {
    throw new SeedError(`run ${input.run_id}: job_id is required for ${identity.configuration_type} runs`);
  }
  return {
    ...identity,
    run_id: input.run_id,
    job_id: jobId,
    status: input.status,
    start_us: input.start_execution_date,
    running_us: input.status === "WAITING" ? null : input.start_execution_date,
    ends_us: null,
    planned_duration_us: configuration?.run_duration_us ?? null,
    planned_outcome: configuration?.run_outcome ?? null,
    duration_us: terminal ? (duration ?? 0) : null,
    last_update_us: input.last_update_date ?? null,
    execution_date: input.execution_date ?? null,
    origin,
    triggered_by: null,
    request_id: null,
    request_seq: null,
    token_fingerprint: null,
    visible_us: null,
  };
}

/** The parts of a seed that combineSeeds joins (in the seed file's own form, not yet validated). */
interface SeedParts {
  configurations?: readonly unknown[];
  runs?: readonly unknown[];
}

/** One seed (in the file's form) holding the configurations and runs of several: loadSeed refuses anything defined twice. */
export function combineSeeds(description: string, seeds: readonly SeedParts[]): unknown {
  return {
    description,
    configurations: seeds.flatMap((seed) => seed.configurations ?? []),
    runs: seeds.flatMap((seed) => seed.runs ?? []),
  };
}

/** Reads and validates a seed: a path to a JSON file, or the parsed object. */
export function loadSeed(seed: string | unknown): SeedFile {
  let raw: unknown = seed;
  let where = "seed";
  if (typeof seed === "string") {
    where = path.resolve(seed);
    let text: string;
    try {
      text = readFileSync(seed, "utf8");
    } catch (e) {
      throw new SeedError(`cannot read seed file ${where}: ${(e as Error).message}`);
    }
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new SeedError(`seed file ${where} is not valid JSON: ${(e as Error).message}`);
    }
  }
  let parsed: SeedFile;
  try {
    parsed = parseOrThrow(SeedFile, raw, `invalid seed (${where})`);
  } catch (e) {
    if (isEmulatorError(e)) throw new SeedError(e.message);
    throw e;
  }
  const keys = new Set<string>();
  for (const c of parsed.configurations) {
    const key = identityKey(toIdentity(c));
    if (keys.has(key)) {
      throw new SeedError(
        `invalid seed (${where}): configuration ${c.configuration_id} (${c.configuration_type}, ${c.environment}, account ${c.account}) appears twice`,
      );
    }
    keys.add(key);
  }
  const runIds = new Set<string>();
  for (const r of parsed.runs) {
    if (runIds.has(r.run_id)) throw new SeedError(`invalid seed (${where}): run ${r.run_id} appears twice`);
    runIds.add(r.run_id);
    if (!keys.has(identityKey(toIdentity(r)))) {
      throw new SeedError(
        `invalid seed (${where}): run ${r.run_id} belongs to configuration ${r.configuration_id} (${r.configuration_type}, ${r.environment}, account ${r.account}), which the seed does not define`,
      );
    }
  }
  return parsed;
}

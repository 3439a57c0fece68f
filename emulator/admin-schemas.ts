/**
 * The admin API's wire, declared once: the zod schemas its routes parse bodies and query strings with
 * (the admin client's argument types are their `z.input`), and the shapes of its answers, which the
 * routes build and the client returns.
 */
import { z } from "zod";
import { type CanonicalConfigurationType, type Environment, type Run, RunStatus } from "../provider/client/schemas";
import { type FaultRule, FaultRuleInput } from "./faults";
import type { Guesses } from "./guesses";
import {
  ConfigurationInput,
  DurationInput,
  FaultSeed,
  IdentityInput,
  Outcome,
  RunBehaviourInput,
  RunInput,
  ScheduleInput,
  VisibilityDelayMs,
  WorkflowInput,
} from "./seed";
import {
  type ExecutionDateRule,
  RUN_ORIGINS,
  type RunOriginCount,
  type RunOutcome,
  type RunRecord,
  type WorkflowDefinition,
} from "./store";

// ---- what the admin API is sent ------------------------------------------------------------------

/** A non-negative integer in a query string (or a number, from the client's side). */
const QueryInt = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = typeof v === "number" ? v : v.trim() === "" ? Number.NaN : Number(v);
  if (Number.isInteger(n) && n >= 0) return n;
  ctx.addIssue({ code: "custom", message: "must be a non-negative integer" });
  return z.NEVER;
});

/** `POST configurations`: several configurations in the seed's form (or one, without the wrapper). */
export const ConfigurationList = z.strictObject({ configurations: z.array(ConfigurationInput) });

/** `PATCH configurations`: the identity and the fields to change (drift); `schedule: null` removes a schedule. */
export const ConfigurationPatch = z.strictObject({
  ...IdentityInput.shape,
  activated: z.boolean().optional(),
  archived: z.boolean().optional(),
  job_ids: z.array(z.string().min(1)).optional(),
  max_active_runs: z.number().int().min(1).max(10_000).nullable().optional(),
  run: RunBehaviourInput.optional(),
  workflow: WorkflowInput.optional(),
  schedule: ScheduleInput.nullable().optional(),
});

/** `GET configurations` filters. */
export const ConfigurationFilter = IdentityInput.partial().strict();

/** `GET runs` and `GET runs/origins` filters (`limit`, default 100, only for `runs`). */
export const RunFilter = z.strictObject({
  account: z.string().optional(),
  environment: z.string().optional(),
  configuration_type: z.string().optional(),
  configuration_id: z.string().optional(),
  job_id: z.string().optional(),
  status: RunStatus.optional(),
  run_id: z.string().optional(),
  origin: z.enum(RUN_ORIGINS, { error: () => `origin must be one of ${RUN_ORIGINS.join(", ")}` }).optional(),
  token_fingerprint: z.string().optional(),
  limit: QueryInt.optional(),
});

/** `POST runs`: history to insert, in the seed's run form. */
export const RunList = z.strictObject({ runs: z.array(RunInput).min(1) });

/** `PATCH runs`: a status set out of band (RUNNING may take a duration and outcome to end on its own). */
export const RunPatch = z.strictObject({
  run_id: z.string().min(1),
  status: RunStatus,
  duration: DurationInput.optional(),
  outcome: Outcome.optional(),
});

/** `POST launches`: the behaviour of a configuration's next launches. */
export const ScriptedLaunches = z.strictObject({
  ...IdentityInput.shape,
  launches: z
    .array(z.strictObject({ duration: DurationInput.optional(), outcome: Outcome.optional() }))
    .min(1, "give at least one launch")
    .max(10_000),
});

/** `POST faults` (the wrapped form): rules to add, the RNG seed, the global visibility delay, the Date header switch. */
export const FaultsUpdate = z.strictObject({
  faults: z.array(FaultRuleInput).optional(),
  seed: FaultSeed.optional(),
  visibility_delay_ms: VisibilityDelayMs.optional(),
  date_header: z.boolean().optional(),
});

/** `DELETE faults` query: one rule, or all. */
export const FaultRemoval = z.strictObject({ id: z.string().min(1).optional() });

/** `GET requests` filters. */
export const RequestFilter = z.strictObject({
  since: QueryInt.optional(),
  limit: QueryInt.optional(),
  action: z.string().optional(),
  path: z.string().optional(),
  origin: z.enum(["api", "scheduler"]).optional(),
});

/** `POST clock/advance`: seconds, or `H:MM:SS`. */
export const ClockAdvance = z
  .strictObject({ seconds: z.number().min(0).optional(), duration: DurationInput.optional() })
  .refine((v) => (v.seconds === undefined) !== (v.duration === undefined), "give exactly one of seconds or duration");

/** `POST tokens`: the claims of a dev-account token. */
export const TokenRequest = z.strictObject({
  accounts: z.array(z.string()).optional(),
  expires_in_seconds: z.number().int().min(1).max(86_400).optional(),
  audience: z.string().min(1).optional(),
});

// ---- what it answers -----------------------------------------------------------------------------

/** A configuration's schedule as shown: its period, its execution-date rule, its next launch. */
export interface AdminSchedule {
  every: string;
  execution_date: ExecutionDateRule;
  next_launch_date: string;
}

/** A configuration as the admin API shows it (seed form plus state). */
export interface AdminConfiguration {
  account: string;
  environment: Environment;
  configuration_type: CanonicalConfigurationType;
  configuration_id: string;
  activated: boolean;
  archived: boolean;
  job_ids: string[];
  max_active_runs: number | null;
  run: { duration: string; outcome: RunOutcome };
  workflow: WorkflowDefinition | null;
  schedule: AdminSchedule | null;
  pending_scripted_launches: number;
}

/** A run as the admin API shows it: the wire form plus how and by whom it came to be (see RunRecord for each field). */
export interface AdminRun
  extends Run,
    Pick<RunRecord, "execution_date" | "origin" | "triggered_by" | "request_id" | "request_seq" | "token_fingerprint"> {
  /** When the public API starts showing the run (its creation, unless a visibility delay applied). */
  visible_date: string;
  /** When a RUNNING run ends on its own. */
  scheduled_end_date: string | null;
}

/** How many runs one origin (and, for launches, one token) created. */
export type AdminRunOriginCount = RunOriginCount;

/** A workflow with its marks. */
export interface AdminWorkflow {
  account: string;
  environment: string;
  configuration_id: string;
  activated: boolean;
  archived: boolean;
  authorized_job_ids: string[];
  target_dag: { configuration_type: string; configuration_id: string } | null;
  marks: Array<{ job_id: string; run_id: string; marked_at: string }>;
}

/** The fault rules with their use counts, the RNG seed, the global visibility delay and the Date header switch. */
export interface AdminFaults {
  seed: number;
  visibility_delay_ms: number;
  /** False while answers go without a Date header. */
  date_header: boolean;
  faults: FaultRule[];
}

/** The emulated clock. */
export interface AdminClock {
  now: string;
  now_us: number;
  speed: number;
}

/** The dev service account and where its key is (`GET dev-account`, open to anyone: the key file itself is readable by its owner only). */
export interface AdminDevAccount {
  dev_account: {
    client_email: string;
    /** The key id (`kid`) of the tokens the emulator trusts for it. */
    kid: string;
    /** The key file in the emulator's state folder; null for a key kept in memory (no state folder). */
    key_file: string | null;
  } | null;
}

/** Facts about an emulator (`GET info`). */
export interface AdminInfo {
  url: string | null;
  database: string;
  clock: { speed: number };
  configurations: number;
  runs: number;
  /** Late actions (late_processing) not performed yet. */
  pending_late_actions: number;
  internal_errors: number;
  trusted_keys: number;
  dev_account: string | null;
  audiences: string[];
  max_body_bytes: number;
  guesses: Guesses;
}

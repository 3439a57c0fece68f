/**
 * Launches a killed `pulumi up` left unfinished, as the stack's own state records them. Before calling a
 * provider's create, the Pulumi engine writes a pending operation with the resource's checked inputs to
 * the backend; when `pulumi up` is killed, it stays there, and the next `pulumi up` (on any machine) keeps
 * it while it creates the resource again (pulumi/pulumi#11599). TailerJobRun's check gives every create
 * a launch intent (an id and the time), so a create that finds another intent's pending operation for
 * its URN knows a launch may already have happened, when, and reconciles before launching.
 *
 * The provider reads the state with the CLI that runs it (`pulumi stack export`, any backend), once per
 * process. It checks that what it read is its own stack: its own pending operation must be there.
 */
import { execFile } from "node:child_process";
import { readFileSync, readlinkSync } from "node:fs";
import { basename } from "node:path";
import { z } from "zod";
import { log } from "./providerLog";
import { dynamicType } from "./serializedProvider";

/** The environment variable naming the `pulumi` binary, when the provider cannot find it itself. */
export const PULUMI_CLI_ENV = "TAILER_PULUMI_CLI";

/** When this provider process started: every launch intent it checked is this deployment's. */
const PROCESS_STARTED_AT_MS = Date.now() - process.uptime() * 1000;

/** The resource types of TailerJobRun, dynamic and native: their `runId` outputs are runs the stack owns. */
const JOB_RUN_TYPES: readonly string[] = [dynamicType("JobRun"), "tailer:index:JobRun"];

/** A create's launch intent, added to its inputs by check: one per create, so the engine's pending operation names it. */
export const LaunchIntent = z.object({ id: z.string(), at: z.string() });
/** A create's launch intent. */
export type LaunchIntent = z.infer<typeof LaunchIntent>;

/** What the stack's state says about one resource's launches. */
export interface StackEvidence {
  /** Intents of creates of this resource that a killed `pulumi up` left pending and nobody resolved, oldest first. */
  interrupted: Array<{ intent: LaunchIntent; inputs: Record<string, unknown> }>;
  /** Every run a TailerJobRun of the stack records, and which resource (URN) records it. */
  recordedRuns: Map<string, string>;
  /** Unresolved killed creates of the stack's other resources (siblings that may have launched the same job). */
  rivals: Array<{ urn: string; intent: LaunchIntent; inputs: Record<string, unknown> }>;
}

const PendingOperation = z.object({
  type: z.string(),
  resource: z.object({ urn: z.string(), inputs: z.record(z.string(), z.unknown()).optional() }),
});
const StateResource = z.object({ urn: z.string(), type: z.string(), outputs: z.record(z.string(), z.unknown()).optional() });
const Deployment = z.object({
  deployment: z.object({
    resources: z.array(StateResource).optional(),
    pending_operations: z.array(PendingOperation).optional(),
  }),
});
type Deployment = z.infer<typeof Deployment>["deployment"];

let snapshot: Promise<Deployment | undefined> | undefined;
let verified = false;
let readStack: (stack: string) => Promise<unknown> = exportStack;

/** Reads the stack's state another way (tests: a deployment as `pulumi stack export` prints it); returns the previous reader. */
export function setStackReader(next: (stack: string) => Promise<unknown>): (stack: string) => Promise<unknown> {
  const previous = readStack;
  readStack = next;
  snapshot = undefined;
  verified = false;
  return previous;
}

/**
 * What the stack's state says about the resource `urn`, whose current create carries `own`; undefined
 * when the state cannot be read or is not this stack's (a warning says so, once).
 */
export async function stackEvidence(urn: string, own: LaunchIntent): Promise<StackEvidence | undefined> {
  snapshot ??= readStack(stackOf(urn)).then(parseDeployment);
  const deployment = await snapshot;
  if (!deployment) return undefined;
  const pending = deployment.pending_operations ?? [];
  if (!verified) {
    verified = pending.some((op) => op.resource.urn === urn && intentOf(op.resource.inputs)?.id === own.id);
    if (!verified) {
      warnUnavailable("what it read does not hold this deployment's own pending operation (another stack of the same name?)");
      snapshot = Promise.resolve(undefined);
      return undefined;
    }
  }
  return evidenceFor(urn, own, deployment);
}

/** The evidence for `urn` in a deployment: unresolved foreign intents, and the runs the stack records. */
function evidenceFor(urn: string, own: LaunchIntent, deployment: Deployment): StackEvidence {
  const resources = deployment.resources ?? [];
  const open = unresolvedCreates(deployment);
  const interrupted = open
    .filter((op) => op.urn === urn && op.intent.id !== own.id)
    .sort((a, b) => Date.parse(a.intent.at) - Date.parse(b.intent.at));
  const recordedRuns = new Map<string, string>();
  for (const resource of resources) {
    const runId = resource.outputs?.runId;
    if (JOB_RUN_TYPES.includes(resource.type) && typeof runId === "string") recordedRuns.set(runId, resource.urn);
  }
  // Intents checked by this provider process are this up's, alive; a killed up's are older than the process.
  const killed = open.filter((op) => op.urn !== urn && Date.parse(op.intent.at) < PROCESS_STARTED_AT_MS);
  return { interrupted, recordedRuns, rivals: killed };
}

/** Pending creates (with a launch intent) that no later create or update of their resource finished. */
function unresolvedCreates(deployment: Deployment): StackEvidence["rivals"] {
  const resources = deployment.resources ?? [];
  // A later create or update of the resource that reached state finished what an older one left open.
  const resolved = (urn: string, intent: LaunchIntent) =>
    resources
      .filter((r) => r.urn === urn)
      .some((r) => {
        const recorded = intentOf(r.outputs);
        const listed = Array.isArray(r.outputs?.resolvedIntents) && r.outputs.resolvedIntents.includes(intent.id);
        return listed || (recorded !== undefined && Date.parse(recorded.at) > Date.parse(intent.at));
      });
  return (deployment.pending_operations ?? [])
    .filter((op) => op.type === "creating")
    .map((op) => ({ urn: op.resource.urn, intent: intentOf(op.resource.inputs), inputs: op.resource.inputs ?? {} }))
    .filter((op): op is StackEvidence["rivals"][number] => op.intent !== undefined && !resolved(op.urn, op.intent));
}

function intentOf(inputs: Record<string, unknown> | undefined): LaunchIntent | undefined {
  const parsed = LaunchIntent.safeParse(inputs?.__launchIntent);
  return parsed.success ? parsed.data : undefined;
}

/** The stack named in a URN: `urn:pulumi:<stack>::<project>::...`. */
function stackOf(urn: string): string {
  return /^urn:pulumi:([^:]+)::/.exec(urn)?.[1] ?? "";
}

function parseDeployment(value: unknown): Deployment | undefined {
  if (value === undefined) return undefined;
  const parsed = Deployment.safeParse(value);
  if (!parsed.success) warnUnavailable("pulumi stack export printed no deployment");
  return parsed.success ? parsed.data.deployment : undefined;
}

function exportStack(stack: string): Promise<unknown> {
  return new Promise((resolve) => {
    if (!stack) {
      warnUnavailable("the resource's URN names no stack");
      resolve(undefined);
      return;
    }
    execFile(pulumiCli(), ["stack", "export", "--stack", stack], { maxBuffer: 512 * 1024 * 1024, timeout: 120_000 }, (error, stdout) => {
      if (error) {
        warnUnavailable(`pulumi stack export failed: ${error.message.split("\n")[0]}`);
        resolve(undefined);
        return;
      }
      resolve(safeJson(stdout) ?? null);
    });
  });
}

/** The `pulumi` that started this provider (an ancestor: the dynamic provider's launcher is a shell script), else the one on PATH. */
function pulumiCli(): string {
  const named = process.env[PULUMI_CLI_ENV];
  if (named) return named;
  let pid = process.ppid;
  for (let depth = 0; depth < 3 && pid > 1; depth++) {
    try {
      const exe = readlinkSync(`/proc/${pid}/exe`);
      if (/^pulumi(\.exe)?$/.test(basename(exe))) return exe;
      // The fourth field of /proc/<pid>/stat is the parent's pid (the second, the name, may hold spaces).
      pid = Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[1]);
    } catch {
      break; // not Linux, or not allowed: fall back to PATH
    }
  }
  return "pulumi";
}

function warnUnavailable(why: string): void {
  log(
    "warn",
    `tailer: could not read the stack's state to look for launches a killed pulumi up left unfinished (${why}). Only the launch journal (tailer:journalDir) covers that case; set ${PULUMI_CLI_ENV} to the pulumi binary if it is not on PATH.`,
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The Pulumi package schema of the native provider (`pulumi package get-schema`, schema.json, the SDK
 * generators' input). Property types come from the resources' zod state schemas, so a field added there
 * cannot be forgotten here: building the schema fails until the field has a description below and a say
 * on whether it is an input, an output, or neither.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { CONFIGURATION_TYPES, ENVIRONMENTS, LEGACY_TABLE_TO_TABLE, RUN_STATUSES } from "../client/schemas";
import { ConfigurationStatusState } from "../resources/configurationStatusProvider";
import { JobRunState } from "../resources/jobRunProvider";
import { ON_DELETE, RERUN_ON } from "../resources/vocabulary";
import { WorkflowResetState } from "../resources/workflowResetProvider";
import { CONFIG_PROPERTIES } from "./config";

/** The package name: type tokens are `tailer:index:<Type>`. */
export const PACKAGE = "tailer";

/** The package's version (the npm package's: plugin and SDKs are released together). */
export const PACKAGE_VERSION: string = JSON.parse(readFileSync(packageJsonPath(), "utf8")).version;

function packageJsonPath(): string {
  // Beside the bundle (the plugin tarball), from provider/native (sources, ts-jest) or dist/provider/native (built).
  for (const up of [".", "../..", "../../.."]) {
    const candidate = join(__dirname, up, "package.json");
    try {
      if (JSON.parse(readFileSync(candidate, "utf8")).name === "pulumi-tailer") return candidate;
    } catch {}
  }
  throw new Error("pulumi-tailer: package.json not found next to the provider");
}

/** A resource type's token. */
export const token = (name: string): string => `${PACKAGE}:index:${name}`;

/** Which side a state field is on: an input (also an output), an output only, or neither (internal). */
type Side = "input" | "output" | "internal";
/** How a state field appears in the schema. */
interface FieldSpec {
  side: Side;
  description: string;
}

const identityFields = {
  account: { side: "input", description: 'The Tailer account, 6 digits ("000099").' },
  environment: { side: "input", description: "The environment the configuration is deployed to." },
  configurationType: {
    side: "input",
    description: "The configuration type (table-to-table, storage-to-storage, ...); gbq-to-gbq reads as table-to-table.",
  },
  configurationId: {
    side: "input",
    description: "The configuration id as the API knows it: table-to-table ids end with _<ENV> (see appendEnvironmentSuffix).",
  },
  appendEnvironmentSuffix: {
    side: "input",
    description: "Build the _<ENV> suffix of a table-to-table id. Default false: a missing suffix is refused at preview.",
  },
} satisfies Record<string, FieldSpec>;

const triggers = (what: string): FieldSpec => ({
  side: "input",
  description: `Free-form values: any change ${what} (for example the version of the code being deployed).`,
});

/** One resource of the package. */
export interface ResourceSpec {
  /** The type name (the token's last part). */
  name: string;
  /** What the resource declares. */
  description: string;
  /** The zod schema of its state: the source of the property types. */
  state: z.ZodObject;
  /** Every field of `state`, placed. */
  fields: Record<string, FieldSpec>;
  /** Inputs without which check fails. */
  required: readonly string[];
  /** The id `pulumi import` takes: `<field>` placeholders and literal parts, separated by slashes. */
  importId: string;
  /** The field whose value is the resource's id once imported, when it is not the import id itself. */
  idField?: string;
}

const REQUIRED_IDENTITY = ["account", "environment", "configurationType", "configurationId"] as const;

/** The resources, in the order the docs list them. */
export const RESOURCES: readonly ResourceSpec[] = [
  {
    name: "ConfigurationStatus",
    description:
      "Declares that a Tailer configuration is active, disabled or archived. Refresh catches a change made in Tailer Studio through the runs it produced.",
    state: ConfigurationStatusState,
    required: REQUIRED_IDENTITY,
    importId: "<account>/<environment>/<configurationType>/<configurationId>",
    fields: {
      ...identityFields,
      activated: { side: "input", description: "Whether the configuration may run. Default true, or false when archived." },
      archived: { side: "input", description: "Whether the configuration is archived (it never runs). Default false." },
      onDelete: { side: "input", description: 'What deleting the resource does to the configuration. Default "keep".' },
      statusSetAt: { side: "output", description: "When the provider last set the status, on the API's clock (ISO 8601)." },
      lastRunId: { side: "output", description: "The last run's id, as of the last refresh." },
      lastRunJobId: { side: "output", description: "The last run's job id, as of the last refresh." },
      lastRunStatus: { side: "output", description: "The last run's status, as of the last refresh." },
      lastRunStartDate: { side: "output", description: "When the last run started, as of the last refresh." },
    },
  },
  {
    name: "JobRun",
    description:
      "A run of a Tailer job launched on deploy and waited for: replaced (relaunched) when what it runs changes, never launched twice.",
    state: JobRunState,
    required: REQUIRED_IDENTITY,
    importId: "<account>/<environment>/<configurationType>/<configurationId>/<runId>",
    idField: "runId",
    fields: {
      ...identityFields,
      jobId: { side: "input", description: "The job to launch, when the configuration has several (older API); after a run, its job." },
      executionDate: { side: "input", description: "The execution date passed to the job, YYYY-MM-DD. A change launches a new run." },
      wait: { side: "input", description: "Wait for the run to end during pulumi up. Default true." },
      timeoutSeconds: { side: "input", description: "How long to wait before failing the deploy (the run stays recorded). Default 3600." },
      pollIntervalSeconds: {
        side: "input",
        description: "First interval between status checks; it grows to 30 s on long runs. Default 2.",
      },
      expectedDurationSeconds: {
        side: "input",
        description: "How long a run usually takes: until the job has successful runs to learn from, checks aim at this end.",
      },
      triggers: triggers("launches a new run"),
      rerunOn: { side: "input", description: '"every-deploy" launches a new run on every pulumi up. Default "never".' },
      relaunchOnFailure: { side: "input", description: "Relaunch a FAILED or DEACTIVATED run on the next pulumi up. Default true." },
      adoptRunning: {
        side: "input",
        description:
          "Adopt a run of this job already WAITING or RUNNING instead of launching another (with executionDate or triggers: only one launched for the same inputs). Default true.",
      },
      adoptRunId: {
        side: "input",
        description: "Take this run (a run id of this configuration's job) as this resource's run: how a LAUNCH_UNCERTAIN is resolved.",
      },
      __urn: { side: "internal", description: "The resource's URN, which keys the launch journal (the provider knows it)." },
      __launchIntent: {
        side: "internal",
        description: "This create's launch intent, set by check (the engine's pending operation records it).",
      },
      launchAttempt: { side: "internal", description: "A launch whose outcome is uncertain, kept until the next up settles it." },
      resolvedIntents: { side: "internal", description: "Launch intents of interrupted creates this run settled." },
      runId: { side: "output", description: "The run's id." },
      status: { side: "output", description: "The run's status when the deploy last looked (SUCCESS after a successful wait)." },
      startExecutionDate: { side: "output", description: "When the run started (ISO 8601, the API's clock)." },
      lastUpdateDate: { side: "output", description: "When the run last changed." },
      duration: { side: "output", description: "How long the run took, H:MM:SS.ffffff." },
      adopted: { side: "output", description: "True when the run was adopted (already in progress, or found after a lost answer)." },
    },
  },
  {
    name: "WorkflowReset",
    description: "Resets a workflow's marks (reset_workflow_status) on create and whenever triggers change.",
    state: WorkflowResetState,
    required: ["account", "environment", "configurationId"],
    importId: "<account>/<environment>/workflow/<configurationId>",
    fields: {
      ...identityFields,
      configurationType: { side: "output", description: "Always workflow." },
      appendEnvironmentSuffix: { side: "internal", description: "Not used by workflows." },
      configurationId: { side: "input", description: "The workflow configuration's id." },
      triggers: triggers("resets the workflow again"),
      resetAt: { side: "output", description: "When the last reset happened, on the API's clock (ISO 8601)." },
    },
  },
];

/** The spec of the resource with `typeToken`, if the package has it. */
export function resourceSpec(typeToken: string): ResourceSpec | undefined {
  return RESOURCES.find((resource) => token(resource.name) === typeToken);
}

/** The input property names of a resource, as the schema lists them. */
export function inputNames(resource: ResourceSpec): string[] {
  return Object.entries(resource.fields)
    .filter(([, field]) => field.side === "input")
    .map(([name]) => name);
}

/** The enums of the package, each named by its values. */
const ENUMS: Record<string, { description: string; values: readonly string[] }> = {
  Environment: { description: "A Tailer environment.", values: ENVIRONMENTS },
  ConfigurationType: {
    description: "A configuration type (gbq-to-gbq is the older name of table-to-table).",
    values: [...CONFIGURATION_TYPES, LEGACY_TABLE_TO_TABLE],
  },
  OnDelete: { description: "What deleting a ConfigurationStatus does to the configuration.", values: ON_DELETE },
  RerunOn: { description: "When a JobRun launches again besides replacements.", values: RERUN_ON },
  RunStatus: { description: "A run's status.", values: RUN_STATUSES },
};

const pascal = (value: string) =>
  value
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");

function enumRef(values: readonly unknown[]): Record<string, unknown> {
  const key = JSON.stringify([...values].sort());
  const name = Object.keys(ENUMS).find((n) => JSON.stringify([...(ENUMS[n]?.values ?? [])].sort()) === key);
  if (!name) throw new Error(`schema: no enum type lists ${key}; add it to ENUMS`);
  return { $ref: `#/types/${token(name)}` };
}

/** The Pulumi type of one property, from its JSON Schema (as zod describes it). */
function pulumiType(json: Record<string, unknown>, where: string): Record<string, unknown> {
  if (Array.isArray(json.enum)) return enumRef(json.enum);
  if (json.const !== undefined) return { type: "string" };
  switch (json.type) {
    case "string":
    case "number":
    case "boolean":
      return { type: json.type };
    case "object":
      // A map whose values may be strings, numbers or booleans: stored as strings, typed as strings.
      return { type: "object", additionalProperties: { type: "string" } };
    default:
      throw new Error(`schema: ${where} has a type the schema cannot express (${JSON.stringify(json)})`);
  }
}

/** The schema's properties and input properties of a resource, typed from its zod state. */
export function resourceProperties(resource: ResourceSpec) {
  const json = z.toJSONSchema(resource.state, { io: "input", unrepresentable: "any" }) as unknown as {
    properties: Record<string, Record<string, unknown>>;
  };
  const stateKeys = Object.keys(json.properties);
  const missing = stateKeys.filter((key) => !(key in resource.fields));
  const extra = Object.keys(resource.fields).filter((key) => !stateKeys.includes(key));
  if (missing.length || extra.length)
    throw new Error(
      `schema: ${resource.name}'s fields differ from its state schema (undescribed: ${missing.join(", ") || "none"}; unknown: ${extra.join(", ") || "none"})`,
    );
  const properties: Record<string, unknown> = {};
  const inputProperties: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(resource.fields)) {
    if (field.side === "internal") continue;
    const spec = { ...pulumiType(json.properties[name] ?? {}, `${resource.name}.${name}`), description: field.description };
    properties[name] = spec;
    if (field.side === "input") inputProperties[name] = spec;
  }
  return { properties, inputProperties };
}

/** What each provider setting means (the keys of settings.ts's CONFIG_KEYS; building fails on a key left out). */
const CONFIG_DESCRIPTIONS: Record<string, { description: string; type: string; secret?: boolean }> = {
  apiUrl: { type: "string", description: "The API base URL. Environment: TAILER_API_URL. Default: the documented production URL." },
  token: { type: "string", secret: true, description: "A bearer token used as it is. Environment: TAILER_API_JWT." },
  credentials: { type: "string", secret: true, description: "The JSON of a Google service-account key." },
  credentialsFile: { type: "string", description: "The path of a service-account key file. Environment: GOOGLE_APPLICATION_CREDENTIALS." },
  tokenCommand: {
    type: "string",
    description: "A command printing a token, e.g. `tailer auth get-token`. Environment: TAILER_TOKEN_COMMAND.",
  },
  useIdToken: {
    type: "boolean",
    description: "Send a Google-signed ID token for the API URL instead of a self-signed JWT. Environment: TAILER_USE_ID_TOKEN.",
  },
  requestTimeoutMs: { type: "integer", description: "Per-request timeout in milliseconds (default 30000)." },
  retryMaxAttempts: { type: "integer", description: "Attempts per call, the first included (default 5)." },
  retryMaxElapsedMs: { type: "integer", description: "Time budget of one call in milliseconds, waits included (default 120000)." },
  suffixCheck: {
    type: "string",
    description: '"error" (default) refuses a table-to-table id without its _<ENV> suffix before sending; "off" sends it as is.',
  },
  journalDir: {
    type: "string",
    description: "The launch journal's folder. Environment: TAILER_JOURNAL_DIR. Default: ~/.pulumi-tailer/launches.",
  },
  launchReconcileWindowMs: {
    type: "integer",
    description:
      "How far back, in milliseconds, a launch whose answer was lost looks for the run it started (default: the request timeout and a margin).",
  },
  interruptedLaunchCheck: {
    type: "string",
    description:
      '"auto" (default): a JobRun create reads the stack\'s state for launches a killed pulumi up left unfinished; "off" does not.',
  },
};

function configProperties(): Record<string, unknown> {
  return Object.fromEntries(
    CONFIG_PROPERTIES.map((name) => {
      const spec = CONFIG_DESCRIPTIONS[name];
      if (!spec) throw new Error(`schema: provider setting ${name} has no description`);
      return [name, spec];
    }),
  );
}

const ref = (name: string) => ({ $ref: `#/types/${token(name)}` });
const text = (description: string) => ({ type: "string", description });

/** The identity arguments of the configuration-level reads. */
const readIdentity = {
  account: text('The Tailer account, 6 digits ("000099").'),
  environment: { ...ref("Environment"), description: "The environment." },
  configurationType: { ...ref("ConfigurationType"), description: "The configuration type." },
  configurationId: text("The configuration id (table-to-table ids end with _<ENV>; see appendEnvironmentSuffix)."),
  appendEnvironmentSuffix: { type: "boolean", description: "Build the _<ENV> suffix of a table-to-table id." },
};
const filters = {
  status: { ...ref("RunStatus"), description: "Only runs in this status." },
  executionDate: text("Only runs started on this UTC day, YYYY-MM-DD."),
  limit: { type: "integer", description: "How many runs, newest first." },
};
const runList = { type: "array", items: ref("Run"), description: "The runs, newest first." };

/** The functions (invokes), by name. */
const FUNCTIONS = {
  getLastStatus: {
    description: "The last runs of a configuration or job, newest first (get_last_status).",
    inputs: { properties: { ...readIdentity, jobId: text("Only runs of this job."), ...filters }, required: REQUIRED_IDENTITY },
    outputs: { properties: { runs: runList, lastRun: { ...ref("Run"), description: "The newest run, if any." } }, required: ["runs"] },
  },
  checkRunStatus: {
    description: "One run by id (check_run_status).",
    inputs: {
      properties: { ...readIdentity, jobId: text("The run's job id."), runId: text("The run id.") },
      required: [...REQUIRED_IDENTITY, "jobId", "runId"],
    },
    outputs: { properties: { run: { ...ref("Run"), description: "The run, if the API knows it." } } },
  },
  getRunsByStatus: {
    description: "Runs of an account by status, across configurations (get_by_status).",
    inputs: {
      properties: {
        account: readIdentity.account,
        configurationType: readIdentity.configurationType,
        environment: { ...ref("Environment"), description: "Only this environment." },
        ...filters,
      },
      required: ["account", "configurationType"],
    },
    outputs: { properties: { runs: runList }, required: ["runs"] },
  },
};

/** The function names of the package (tokens `tailer:index:<name>`). */
export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as (keyof typeof FUNCTIONS)[];

/** A run as the functions return it (the fields of functions/reads.ts's RunInfo). */
export const RUN_TYPE = {
  type: "object",
  description: "A run of a job.",
  properties: {
    runId: text("The run id."),
    jobId: text("The run's job id."),
    status: text("The run's status."),
    account: text("The account."),
    environment: text("The environment."),
    configurationType: text("The configuration type (canonical: table-to-table, never gbq-to-gbq)."),
    configurationId: text("The configuration id."),
    startExecutionDate: text("When the run started (ISO 8601)."),
    lastUpdateDate: text("When the run last changed."),
    duration: text("How long the run took (or has been running), H:MM:SS.ffffff."),
  },
  required: [
    "runId",
    "jobId",
    "status",
    "account",
    "environment",
    "configurationType",
    "configurationId",
    "startExecutionDate",
    "duration",
  ],
};

function enumTypes(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(ENUMS).map(([name, { description, values }]) => [
      token(name),
      { type: "string", description, enum: values.map((value) => ({ name: pascal(value), value })) },
    ]),
  );
}

/** The npm, PyPI and Go names of the generated SDKs. */
export const SDK_NAMES = {
  nodejs: "pulumi-tailer-native",
  python: "pulumi_tailer",
  go: "github.com/tailer/pulumi-tailer/sdk/go/tailer",
} as const;

/** The whole package schema, as `pulumi package get-schema` prints it. */
export function packageSchema(): Record<string, unknown> {
  const config = configProperties();
  const secretNames = Object.entries(config).flatMap(([name, spec]) => ((spec as { secret?: boolean }).secret ? [name] : []));
  return {
    name: PACKAGE,
    displayName: "Tailer",
    version: PACKAGE_VERSION,
    description: "Declare the state of Tailer data operations: configuration statuses, job runs and workflow resets.",
    keywords: ["pulumi", "tailer", "data-pipeline", "category/utility", "kind/native"],
    license: "MIT",
    publisher: "Tailer",
    config: { variables: config },
    provider: {
      description: `The Tailer provider. Credentials (${secretNames.join(", ")}) are secrets; environment variables fill what is unset.`,
      inputProperties: config,
      properties: Object.fromEntries(Object.entries(config).filter(([name]) => !secretNames.includes(name))),
    },
    resources: Object.fromEntries(
      RESOURCES.map((resource) => {
        const { properties, inputProperties } = resourceProperties(resource);
        const requiredOutputs = Object.keys(properties).filter(
          (name) => resource.fields[name]?.side === "input" && resource.required.includes(name),
        );
        return [
          token(resource.name),
          {
            description: `${resource.description}\n\nImport: \`pulumi import ${token(resource.name)} <name> ${resource.importId}\`.`,
            properties,
            required: requiredOutputs,
            inputProperties,
            requiredInputs: resource.required,
          },
        ];
      }),
    ),
    functions: Object.fromEntries(
      Object.entries(FUNCTIONS).map(([name, fn]) => [
        token(name),
        {
          description: fn.description,
          inputs: { properties: fn.inputs.properties, required: fn.inputs.required },
          outputs: { properties: fn.outputs.properties, ...("required" in fn.outputs ? { required: fn.outputs.required } : {}) },
        },
      ]),
    ),
    types: { ...enumTypes(), [token("Run")]: RUN_TYPE },
    language: {
      nodejs: {
        packageName: SDK_NAMES.nodejs,
        packageDescription: "Pulumi SDK of the Tailer native provider (resources ConfigurationStatus, JobRun, WorkflowReset).",
        dependencies: { "@pulumi/pulumi": "^3.248.0" },
        devDependencies: { "@types/node": "^20", typescript: "~5.9.3" },
        typescriptVersion: "~5.9.3",
        respectSchemaVersion: true,
      },
      python: {
        packageName: SDK_NAMES.python,
        requires: { pulumi: ">=3.248.0,<4.0.0" },
        pythonRequires: ">=3.9",
        respectSchemaVersion: true,
        pyproject: { enabled: true },
      },
      go: {
        importBasePath: SDK_NAMES.go,
        generateResourceContainerTypes: false,
        respectSchemaVersion: true,
      },
    },
  };
}

/** The schema as schema.json holds it: two-space JSON and a final newline. */
export function schemaText(): string {
  return `${JSON.stringify(packageSchema(), null, 2)}\n`;
}

/**
 * Property-based tests of the resources' `check` (issue 6): invalid inputs, built by mutating a valid
 * one, are all refused with a failure that names the offending field (and whose reason mentions it),
 * before any API call; valid inputs pass, and normalisation is idempotent.
 *
 * Counts: TAILER_RELIABILITY_INPUTS (per property), else 1,200 invalid inputs per resource under
 * TAILER_STRESS=1 and 300 under `npm test` (900 and 3,600 in all).
 */
import * as net from "node:net";
import fc from "fast-check";
import { CONFIGURATION_TYPES, ENVIRONMENTS } from "../../provider/client/schemas";
import * as configurationStatus from "../../provider/resources/configurationStatusProvider";
import * as jobRun from "../../provider/resources/jobRunProvider";
import * as workflowReset from "../../provider/resources/workflowResetProvider";
import type { RunningEmulator } from "../helpers/emulator";
import { PROVIDER_PLACEHOLDER, startProviderEnvironment, stopProviderEnvironment } from "../helpers/provider";
import { count, fcSeed, report } from "./helpers";

const INVALID_RUNS = count("TAILER_RELIABILITY_INPUTS", { normal: 300, stress: 1200 });
const VALID_RUNS = Math.max(50, Math.round(INVALID_RUNS / 2));

type Inputs = Record<string, unknown>;
type Check = (olds: Inputs, news: Inputs) => Promise<{ inputs?: Inputs; failures?: Array<{ property: string; reason: string }> }>;

/** A mutation of a valid input: the inputs it produced and the field at fault. */
interface Invalid {
  inputs: Inputs;
  field: string;
  /** What the mutation did, for failure messages. */
  what: string;
}

// ---------------------------------------------------------------------------------------------
// Valid inputs
// ---------------------------------------------------------------------------------------------

const environment = fc.constantFrom(...ENVIRONMENTS);
const account = fc.integer({ min: 0, max: 999_999 }).map((n) => String(n).padStart(6, "0"));
/** A configuration id without whitespace. */
const rawId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/);
const configurationTypes = [...CONFIGURATION_TYPES, "gbq-to-gbq"] as const;
const isTableToTable = (type: string) => type === "table-to-table" || type === "gbq-to-gbq";

/** A valid identity: table-to-table ids carry their suffix, or ask for it with appendEnvironmentSuffix. */
const identity = fc
  .record({
    account,
    environment,
    configurationType: fc.constantFrom(...configurationTypes),
    base: rawId,
    suffixBy: fc.constantFrom("id", "append", "append-already-suffixed"),
    appendFalse: fc.boolean(),
  })
  .map(({ account, environment, configurationType, base, suffixBy, appendFalse }) => {
    const out: Inputs = { account, environment, configurationType };
    if (!isTableToTable(configurationType)) {
      out.configurationId = base;
      if (appendFalse) out.appendEnvironmentSuffix = false;
    } else if (suffixBy === "id") {
      out.configurationId = `${base}_${environment}`;
      if (appendFalse) out.appendEnvironmentSuffix = false;
    } else {
      out.configurationId = suffixBy === "append" ? base : `${base}_${environment}`;
      out.appendEnvironmentSuffix = true;
    }
    return out;
  });

const calendarDate = fc
  .date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2099-12-31T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const seconds = fc.oneof(fc.integer({ min: 1, max: 86_400 }), fc.double({ min: 0.001, max: 1e6, noNaN: true, noDefaultInfinity: true }));
const triggerValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
);
const triggers = fc.dictionary(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/), triggerValue, { maxKeys: 5 });

/** Optional fields: each present or absent. */
function withOptional(base: fc.Arbitrary<Inputs>, optional: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Inputs> {
  return fc
    .tuple(base, fc.record(optional, { requiredKeys: [] }), fc.boolean())
    .map(([b, o, provider]) => ({ ...b, ...o, ...(provider ? { __provider: PROVIDER_PLACEHOLDER } : {}) }));
}

const validConfigurationStatus = withOptional(identity, {
  activated: fc.boolean(),
  archived: fc.boolean(),
  onDelete: fc.constantFrom("keep", "disable", "archive"),
}).map((inputs) => (inputs.activated === true && inputs.archived === true ? { ...inputs, archived: false } : inputs));

const validJobRun = withOptional(identity, {
  jobId: fc.stringMatching(/^[a-z0-9|_-]{1,40}$/),
  executionDate: calendarDate,
  wait: fc.boolean(),
  timeoutSeconds: seconds,
  pollIntervalSeconds: seconds,
  expectedDurationSeconds: seconds,
  triggers,
  rerunOn: fc.constantFrom("never", "every-deploy"),
  relaunchOnFailure: fc.boolean(),
  adoptRunning: fc.boolean(),
});

const validWorkflowReset = withOptional(fc.record({ account, environment, configurationId: rawId }), { triggers });

// ---------------------------------------------------------------------------------------------
// Invalid values, by kind
// ---------------------------------------------------------------------------------------------

const notAString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.string(), { minLength: 1, maxLength: 2 }),
);

const badAccount = fc.oneof(
  fc.integer({ min: 0, max: 999_999 }), // a number: leading zeros lost
  fc.oneof(
    fc.integer({ min: -999_999, max: -1 }),
    fc.integer({ min: 1_000_000 }),
    fc.double({ noInteger: true }),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY),
  ), // numbers no padding can fix
  fc.integer({ min: 0, max: 99_999 }).map(String), // short
  fc.constant(""),
  fc.integer({ min: 1_000_000, max: 99_999_999 }).map(String), // too long
  fc.tuple(fc.stringMatching(/^\d{5}$/), fc.stringMatching(/^[A-Za-z]$/)).map(([d, l]) => d + l), // a letter
  fc.stringMatching(/^\d{6}$/).map((d) => ` ${d}`), // padding
  fc.stringMatching(/^\d{6}$/).map((d) => d.replace(/\d/g, (c) => String.fromCharCode(0xff10 + Number(c)))), // full-width digits
  fc.string({ maxLength: 12 }).filter((s) => !/^\d{6}$/.test(s)),
  fc.oneof(fc.boolean(), fc.constant({}), fc.constant(["000099"])),
);

const badEnvironment = fc.oneof(
  fc.constantFrom(...ENVIRONMENTS).map((e) => e.toLowerCase()),
  fc.constantFrom(...ENVIRONMENTS).map((e) => e[0] + e.slice(1).toLowerCase()),
  fc.constantFrom("PRD", "PRODUCTION", "DEVELOPMENT", "TEST", "QA", "UAT", "STAGE", "PRE-PROD", "", " DEV"),
  fc.string({ maxLength: 12 }).filter((s) => !(ENVIRONMENTS as readonly string[]).includes(s)),
  fc.oneof(fc.integer(), fc.boolean(), fc.constant({}), fc.constant(["DEV"])),
);

const badConfigurationType = fc.oneof(
  fc.constantFrom(
    "table-to-tables",
    "Table-To-Table",
    "table_to_table",
    "tabletotable",
    "bigquery",
    "sql",
    "gbq_to_gbq",
    "storage-to-table",
    "workflows",
    "",
  ),
  fc.constantFrom(...configurationTypes).map((t) => t.toUpperCase()),
  fc.string({ maxLength: 20 }).filter((s) => !(configurationTypes as readonly string[]).includes(s)),
  notAString,
);

const badConfigurationId = fc.oneof(
  fc.constantFrom("", " ", "\t", "\n"),
  fc.tuple(rawId, rawId).map(([a, b]) => `${a} ${b}`),
  notAString,
);

const badDate = fc.oneof(
  calendarDate.map((d) => d.replace(/-/g, "/")), // slashes
  fc.constantFrom("2021/02/29", "2020/13/01", "2020/04/31"), // slashes on an impossible day
  fc.constantFrom("2021-02-29", "2020-02-30", "2020-04-31", "2020-13-01", "2020-00-10", "2020-01-00", "2020-01-32", "0000-01-01"),
  fc
    .tuple(fc.integer({ min: 1970, max: 2099 }), fc.integer({ min: 13, max: 99 }), fc.integer({ min: 1, max: 28 }))
    .map(([y, m, d]) => `${y}-${m}-${String(d).padStart(2, "0")}`),
  calendarDate.map((d) => `${d}T00:00:00Z`),
  calendarDate.map((d) => d.replace(/-/g, "")),
  calendarDate.map((d) => d.split("-").reverse().join("-")),
  fc.constantFrom("yesterday", "today", "", "2020-1-5", "20-11-19", "2020-11-19 ", " 2020-11-19"),
  fc.string({ maxLength: 12 }).filter((s) => !/^\d{4}-\d{2}-\d{2}$/.test(s)),
  fc.oneof(fc.integer(), fc.boolean(), fc.constant({})),
);

const badSeconds = fc.oneof(
  fc.integer({ min: -1_000_000, max: 0 }),
  fc.double({ max: -Number.MIN_VALUE, noNaN: true }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0),
  fc.integer({ min: 1, max: 3600 }).map(String),
  fc.constantFrom("60s", "1h", ""),
  fc.oneof(fc.boolean(), fc.constant({}), fc.constant([60])),
);

const badBoolean = fc.oneof(
  fc.constantFrom("true", "false", "yes", "no", "", 1, 0, -1, "1", "0"),
  fc.constant([]),
  fc.constant({}),
  fc.constant([true]),
);

const badOneOf = (allowed: readonly string[]) =>
  fc.oneof(
    fc.constantFrom(...allowed).map((a) => a.toUpperCase()),
    fc.constantFrom(...allowed).map((a) => `${a}s`),
    fc.string({ maxLength: 15 }).filter((s) => !allowed.includes(s)),
    notAString,
  );

const nonScalar = fc.oneof(
  fc.constant({}),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { minKeys: 1, maxKeys: 2 }),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 3 }),
);
const badTriggers = fc.oneof(
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), // an array
  fc.string({ maxLength: 10 }),
  fc.integer(),
  fc.boolean(),
  // a map with one value that is not a scalar
  fc.tuple(triggers, fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/), nonScalar).map(([t, k, v]) => ({ ...t, [k]: v })),
);

/** A typo of an input name (a deleted, doubled or swapped letter, a case change), or a name that is no input. */
function badKey(allowed: readonly string[]): fc.Arbitrary<string> {
  const typo = fc
    .tuple(fc.constantFrom(...allowed), fc.nat(), fc.constantFrom("delete", "double", "swap", "case", "snake", "plural"))
    .map(([name, n, how]) => {
      const i = n % name.length;
      switch (how) {
        case "delete":
          return name.slice(0, i) + name.slice(i + 1);
        case "double":
          return name.slice(0, i) + name[i] + name.slice(i);
        case "swap":
          return i + 1 < name.length ? name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2) : `${name}x`;
        case "case":
          return name.toLowerCase() === name ? name.toUpperCase() : name.toLowerCase();
        case "snake":
          return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) + (/[A-Z]/.test(name) ? "" : "_");
        default:
          return `${name}s`;
      }
    });
  const other = fc.oneof(
    fc.string({ minLength: 1, maxLength: 20 }),
    fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "id", "name", "type", "env"),
  );
  return fc.oneof(typo, other).filter((k) => !allowed.includes(k) && k !== "__provider");
}

// ---------------------------------------------------------------------------------------------
// Mutations of a valid input
// ---------------------------------------------------------------------------------------------

const set = (inputs: Inputs, field: string, value: unknown): Inputs => {
  const out = { ...inputs };
  // defineProperty, so that "__proto__" is an own key as it is in inputs deserialized by Pulumi.
  Object.defineProperty(out, field, { value, enumerable: true, writable: true, configurable: true });
  return out;
};
const without = (inputs: Inputs, field: string): Inputs => Object.fromEntries(Object.entries(inputs).filter(([k]) => k !== field));

type Mutation = fc.Arbitrary<(valid: Inputs) => Invalid>;
const replace = (field: string, values: fc.Arbitrary<unknown>, what: string): Mutation =>
  values.map((value) => (valid: Inputs) => ({ inputs: set(valid, field, value), field, what: `${what}: ${show(value)}` }));

function show(value: unknown): string {
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** Mutations of the identity shared by every resource (`typed`: the resource takes a configurationType). */
function identityMutations(typed: boolean): Mutation[] {
  const required = typed
    ? ["account", "environment", "configurationType", "configurationId"]
    : ["account", "environment", "configurationId"];
  const mutations: Mutation[] = [
    replace("account", badAccount, "bad account"),
    replace("environment", badEnvironment, "bad environment"),
    replace("configurationId", badConfigurationId, "bad configurationId"),
    replace("appendEnvironmentSuffix", badBoolean, "appendEnvironmentSuffix not a boolean"),
    fc.tuple(fc.constantFrom(...required), fc.constantFrom("delete", "null")).map(([field, how]) => (valid: Inputs) => ({
      inputs: how === "delete" ? without(valid, field) : set(valid, field, null),
      field,
      what: `${field} missing (${how})`,
    })),
  ];
  if (typed) {
    mutations.push(
      replace("configurationType", badConfigurationType, "bad configurationType"),
      // A table-to-table id without its suffix, or with another environment's (or a lower-case) suffix.
      fc
        .tuple(
          rawId,
          fc.constantFrom("table-to-table", "gbq-to-gbq"),
          fc.constantFrom("none", "other", "lower"),
          fc.constantFrom(...ENVIRONMENTS),
          fc.boolean(),
        )
        .map(([base, type, how, other, explicitFalse]) => (valid: Inputs) => {
          const env = valid.environment as string;
          const stripped = base.replace(new RegExp(`_(${ENVIRONMENTS.join("|")})$`), "");
          const wrongEnv = other === env ? (ENVIRONMENTS.find((e) => e !== env) ?? "PROD") : other;
          const id = how === "none" ? stripped : how === "other" ? `${stripped}_${wrongEnv}` : `${stripped}_${env.toLowerCase()}`;
          const inputs: Inputs = { ...without(valid, "appendEnvironmentSuffix"), configurationType: type, configurationId: id };
          if (explicitFalse) inputs.appendEnvironmentSuffix = false;
          return { inputs, field: "configurationId", what: `table-to-table id ${JSON.stringify(id)} in ${env} (${how})` };
        }),
    );
  }
  return mutations;
}

const unknownKey = (allowed: readonly string[]): Mutation =>
  fc.tuple(badKey(allowed), fc.oneof(fc.boolean(), fc.string({ maxLength: 10 }), fc.integer())).map(([key, value]) => (valid: Inputs) => ({
    inputs: set(valid, key, value),
    field: key,
    what: `unknown key ${JSON.stringify(key)}`,
  }));

const CONFIGURATION_STATUS_INPUTS = [
  "account",
  "environment",
  "configurationType",
  "configurationId",
  "appendEnvironmentSuffix",
  "activated",
  "archived",
  "onDelete",
];
const JOB_RUN_INPUTS = [
  "account",
  "environment",
  "configurationType",
  "configurationId",
  "appendEnvironmentSuffix",
  "jobId",
  "executionDate",
  "wait",
  "timeoutSeconds",
  "pollIntervalSeconds",
  "expectedDurationSeconds",
  "triggers",
  "rerunOn",
  "relaunchOnFailure",
  "adoptRunning",
];
const WORKFLOW_RESET_INPUTS = ["account", "environment", "configurationId", "triggers"];

const configurationStatusMutations: Mutation[] = [
  ...identityMutations(true),
  replace("activated", badBoolean, "activated not a boolean"),
  replace("archived", badBoolean, "archived not a boolean"),
  replace("onDelete", badOneOf(["keep", "disable", "archive"]), "bad onDelete"),
  fc.constant((valid: Inputs) => ({
    inputs: { ...valid, activated: true, archived: true },
    field: "archived",
    what: "archived and activated",
  })),
  unknownKey(CONFIGURATION_STATUS_INPUTS),
];

const jobRunMutations: Mutation[] = [
  ...identityMutations(true),
  replace("executionDate", badDate, "bad executionDate"),
  replace("timeoutSeconds", badSeconds, "bad timeoutSeconds"),
  replace("pollIntervalSeconds", badSeconds, "bad pollIntervalSeconds"),
  replace("expectedDurationSeconds", badSeconds, "bad expectedDurationSeconds"),
  replace("jobId", fc.oneof(fc.constantFrom("", "  "), fc.integer(), fc.boolean(), fc.constant({})), "bad jobId"),
  replace("wait", badBoolean, "wait not a boolean"),
  replace("relaunchOnFailure", badBoolean, "relaunchOnFailure not a boolean"),
  replace("adoptRunning", badBoolean, "adoptRunning not a boolean"),
  replace("rerunOn", badOneOf(["never", "every-deploy"]), "bad rerunOn"),
  replace("triggers", badTriggers, "bad triggers"),
  unknownKey(JOB_RUN_INPUTS),
];

const workflowResetMutations: Mutation[] = [
  ...identityMutations(false),
  replace("triggers", badTriggers, "bad triggers"),
  replace("configurationType", fc.constantFrom(...configurationTypes.filter((t) => t !== "workflow")), "configurationType of another type"),
  unknownKey(WORKFLOW_RESET_INPUTS),
];

function invalidFrom(valid: fc.Arbitrary<Inputs>, mutations: Mutation[]): fc.Arbitrary<Invalid> {
  return fc.tuple(valid, fc.oneof(...mutations)).map(([v, mutate]) => mutate(v));
}

// ---------------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------------

interface Resource {
  name: string;
  check: Check;
  /** Its input names. */
  allowed: readonly string[];
  valid: fc.Arbitrary<Inputs>;
  invalid: fc.Arbitrary<Invalid>;
}

const RESOURCES: Resource[] = [
  {
    name: "TailerConfigurationStatus",
    check: configurationStatus.check,
    allowed: CONFIGURATION_STATUS_INPUTS,
    valid: validConfigurationStatus,
    invalid: invalidFrom(validConfigurationStatus, configurationStatusMutations),
  },
  {
    name: "TailerJobRun",
    check: jobRun.check,
    allowed: JOB_RUN_INPUTS,
    valid: validJobRun,
    invalid: invalidFrom(validJobRun, jobRunMutations),
  },
  {
    name: "TailerWorkflowReset",
    check: workflowReset.check,
    allowed: WORKFLOW_RESET_INPUTS,
    valid: validWorkflowReset,
    invalid: invalidFrom(validWorkflowReset, workflowResetMutations),
  },
];

/** The values a reason proposes as the fix: `did you mean "X"`, `write "X"`, `use "X"`, `upper case: "X"`. */
function suggestions(reason: string): string[] {
  return [...reason.matchAll(/(?:did you mean|write|use dashes:|upper case:|use)\s*"([^"]*)"/g)].map((m) => m[1] as string);
}

let env: RunningEmulator;
const figures = { invalidTried: 0, validTried: 0, idempotenceTried: 0, failuresSeen: 0 };
const started = Date.now();

beforeAll(async () => {
  // The provider runtime points at an emulator: a check that called the API would show in its request log.
  env = await startProviderEnvironment();
});

afterAll(async () => {
  report("check", { ...figures, seconds: (Date.now() - started) / 1000 });
  if (env) await stopProviderEnvironment(env);
});

/**
 * Runs a property with every connection refused and recorded (to the emulator, the production URL,
 * anywhere), then asserts none was attempted and the emulator saw no request: check calls no API.
 */
async function offline(property: () => Promise<void>): Promise<void> {
  const connects: unknown[] = [];
  const before = env.emulator.internals.requestLog.size;
  const spy = jest.spyOn(net.Socket.prototype, "connect").mockImplementation(function (this: net.Socket, ...args: unknown[]) {
    connects.push(args[0]);
    throw new Error("check opened a network connection");
  });
  try {
    await property();
  } finally {
    spy.mockRestore();
  }
  expect(connects).toEqual([]);
  expect(env.emulator.internals.requestLog.size).toBe(before);
}

describe.each(RESOURCES)("$name check", ({ check, valid, invalid, allowed }) => {
  test(`refuses ${INVALID_RUNS} generated invalid inputs, each naming the offending field, calling no API`, async () => {
    let tried = 0;
    await offline(() =>
      fc.assert(
        fc.asyncProperty(invalid, async ({ inputs, field, what }) => {
          figures.invalidTried++;
          tried++;
          const result = await check({}, inputs);
          const failures = result.failures ?? [];
          figures.failuresSeen += failures.length;
          const named = failures.filter((f) => f.property === field);
          if (result.inputs !== undefined || named.length === 0)
            throw new Error(`${what}: expected a failure on ${field}, got ${JSON.stringify(result)}`);
          if (!named.some((f) => f.reason.includes(field)))
            throw new Error(`${what}: the reason does not mention ${field}: ${JSON.stringify(named)}`);
          // A reason quotes the value it refuses: "got null" only for null (not NaN or Infinity).
          const value = inputs[field];
          const misquoted = named.find((f) => value !== null && /\(got null\)/.test(f.reason));
          if (misquoted) throw new Error(`${what}: the reason misquotes the value: ${JSON.stringify(misquoted)}`);
          // A fix a reason suggests ("did you mean", "write", "use") is itself accepted.
          for (const failure of failures) {
            for (const suggestion of suggestions(failure.reason)) {
              if (!allowed.includes(failure.property)) {
                if (!allowed.includes(suggestion)) throw new Error(`${what}: suggests the unknown input ${suggestion}: ${failure.reason}`);
                continue;
              }
              const retried = await check({}, { ...inputs, [failure.property]: suggestion });
              const still = (retried.failures ?? []).find((f) => f.property === failure.property);
              if (still)
                throw new Error(
                  `${what}: the suggested ${failure.property} ${JSON.stringify(suggestion)} is refused too: ${still.reason} (first reason: ${failure.reason})`,
                );
            }
          }
        }),
        { numRuns: INVALID_RUNS, ...fcSeed() },
      ),
    );
    expect(tried).toBeGreaterThanOrEqual(INVALID_RUNS);
  });

  test("accepts generated valid inputs, calling no API", async () => {
    await offline(() =>
      fc.assert(
        fc.asyncProperty(valid, async (inputs) => {
          figures.validTried++;
          const result = await check({}, inputs);
          expect(result.failures).toBeUndefined();
          expect(result.inputs).toBeDefined();
        }),
        { numRuns: VALID_RUNS, ...fcSeed() },
      ),
    );
  });

  test("normalisation is idempotent: check(check(x).inputs) = check(x).inputs", async () => {
    await offline(() =>
      fc.assert(
        fc.asyncProperty(valid, async (inputs) => {
          figures.idempotenceTried++;
          const once = await check({}, inputs);
          const twice = await check({}, once.inputs as Inputs);
          expect(twice.failures).toBeUndefined();
          expect(twice.inputs).toEqual(once.inputs);
        }),
        { numRuns: VALID_RUNS, ...fcSeed() },
      ),
    );
  });
});

describe("the watch", () => {
  test("works: a real call is seen by both the connection spy and the request log", async () => {
    const before = env.emulator.internals.requestLog.size;
    const spy = jest.spyOn(net.Socket.prototype, "connect");
    const client = env.client();
    try {
      await client
        .getLastStatus({ account: "000099", environment: "DEV", configuration_type: "workflow", configuration_id: "x" })
        .catch(() => undefined);
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    expect(env.emulator.internals.requestLog.size).toBe(before + 1);
  });
});

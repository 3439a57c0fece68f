/**
 * Resource wiring under pulumi.runtime.setMocks: type tokens, inputs passed through, outputs declared,
 * and the serialized provider that lands in state.
 */
import * as pulumi from "@pulumi/pulumi";

interface Registration {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}
const registrations: Registration[] = [];

pulumi.runtime.setMocks(
  {
    newResource(args) {
      registrations.push({ type: args.type, name: args.name, inputs: args.inputs });
      return { id: `${args.name}-id`, state: { ...args.inputs, runId: "20261127-101010-0a795c70-2557-4a60-ba16-788aa2bea179" } };
    },
    call: () => ({}),
  },
  "project",
  "stack",
  false,
);

// Imported after setMocks, as the Pulumi testing guide requires.
import { TailerConfigurationStatus, TailerJobRun, TailerWorkflowReset } from "../../provider";

const identity = {
  account: "000099",
  environment: "DEV" as const,
  configurationType: "table-to-table" as const,
  configurationId: "000099_iowa_liquor_prepare_pda_DEV",
};

function value<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

function providerOf(name: string): string {
  const registration = registrations.find((r) => r.name === name);
  if (!registration) throw new Error(`${name} was not registered`);
  return String(registration.inputs.__provider);
}

describe("type tokens", () => {
  test.each([
    [
      "TailerConfigurationStatus",
      "pulumi-nodejs:dynamic/tailer:ConfigurationStatus",
      () => new TailerConfigurationStatus("status", { ...identity, configurationId: "000099_token_DEV" }),
    ],
    ["TailerJobRun", "pulumi-nodejs:dynamic/tailer:JobRun", () => new TailerJobRun("run", identity)],
    [
      "TailerWorkflowReset",
      "pulumi-nodejs:dynamic/tailer:WorkflowReset",
      () => new TailerWorkflowReset("reset", { account: "000099", environment: "DEV", configurationId: "000099-iowa-liquor-load-pda" }),
    ],
  ])("%s registers as %s", async (_name, token, make) => {
    const resource = make();
    await value(resource.urn);
    expect(registrations.map((r) => r.type)).toContain(token);
  });
});

describe("inputs and outputs", () => {
  test("the user's inputs reach the provider as given, and declared outputs resolve", async () => {
    const run = new TailerJobRun("nightly", { ...identity, executionDate: "2026-11-27", triggers: { version: "1.2.0" } });
    expect(await value(run.runId)).toBe("20261127-101010-0a795c70-2557-4a60-ba16-788aa2bea179");
    const registration = registrations.find((r) => r.name === "nightly");
    expect(registration?.inputs).toMatchObject({ ...identity, executionDate: "2026-11-27", triggers: { version: "1.2.0" } });
  });
});

describe("the serialized provider in state", () => {
  test("is small and captures no client, agent, token, key or provider code", async () => {
    const status = new TailerConfigurationStatus("serialized", { ...identity, configurationId: "000099_serialized_DEV" });
    await value(status.urn);
    const text = providerOf("serialized");
    // Stored twice per resource in a state file the engine rewrites after every step: every byte counts N times.
    expect(text.length).toBeLessThan(512);
    for (const forbidden of [
      "TailerClient",
      "undici",
      "Agent",
      "google-auth",
      "Bearer",
      "PRIVATE KEY",
      "eyJ",
      "setConfigurationStatus",
      "zod",
    ]) {
      expect(text).not.toContain(forbidden);
    }
    expect(text).toContain("configurationStatus");
    expect(text).toContain("pulumi-tailer/runtime");
  });

  test("is one text per resource kind, shared by every resource of that kind", async () => {
    const a = new TailerConfigurationStatus("shared-a", { ...identity, configurationId: "000099_shared_a_DEV" });
    const b = new TailerConfigurationStatus("shared-b", { ...identity, configurationId: "000099_other_DEV" });
    await Promise.all([value(a.urn), value(b.urn)]);
    expect(providerOf("shared-a")).toBe(providerOf("shared-b"));
  });

  test("differs between kinds: the provider process configures once per kind", async () => {
    const status = new TailerConfigurationStatus("kind-status", { ...identity, configurationId: "000099_kind_DEV" });
    const run = new TailerJobRun("kind-run", identity);
    await Promise.all([value(status.urn), value(run.urn)]);
    expect(providerOf("kind-status")).not.toBe(providerOf("kind-run"));
    expect(providerOf("kind-run")).toContain('providerFor("jobRun")');
  });

  test.each([
    ["the recorded path when it exists on this machine", true, "/x/dist/provider/resources/providerKinds.js"],
    ["the installed package when it does not (state written on another machine)", false, "pulumi-tailer/runtime"],
  ])("loads %s", (_case, exists, expected) => {
    const { providerModule } = require("../../provider/resources/serializedProvider");
    const text: string = providerModule("jobRun", "/x/dist/provider/resources/providerKinds.js");
    // Evaluated as the host evaluates it (a module: exports, require), with require recording what it loads.
    const loaded: string[] = [];
    const fakeRequire = (id: string) => {
      if (id === "fs") return { existsSync: () => exists };
      loaded.push(id);
      return { providerFor: (kind: string) => ({ kind }) };
    };
    const module: { handler?: () => unknown } = {};
    new Function("exports", "require", text)(module, fakeRequire);
    expect(module.handler?.()).toEqual({ kind: "jobRun" });
    expect(loaded).toEqual([expected]);
  });

  test("loads and runs the real provider when evaluated as the provider process does", async () => {
    const status = new TailerConfigurationStatus("evaluated", { ...identity, configurationId: "000099_evaluated_DEV" });
    await value(status.urn);
    // Under ts-jest the recorded path is the TypeScript source; the provider process loads compiled code (npm test builds dist/ first).
    const text = providerOf("evaluated").replace(/\/provider\/resources\/providerKinds\.ts/, "/dist/provider/resources/providerKinds.js");
    const requireFromString = require("require-from-string");
    const provider = requireFromString(text).handler();
    const result = await provider.check({}, { ...identity, configurationId: "000099_iowa_liquor_prepare_pda" });
    expect(result.failures).toEqual([expect.objectContaining({ property: "configurationId" })]);
  });
});

describe("states written before the loader (0.1.0: a closure serialized by pulumi.dynamic.Resource)", () => {
  // The closure's text as 0.1.0 stored it, its module path replaced by this checkout's compiled one.
  const closure = () =>
    require("node:fs")
      .readFileSync(require.resolve("./fixtures/closure-provider-0.1.0.txt"), "utf8")
      .replace("/ENTRY/providerKinds.js", require("node:path").resolve(__dirname, "../../dist/provider/resources/providerKinds.js"));

  test("the old closure still loads and runs the provider (delete and read use the outputs' __provider)", async () => {
    const provider = require("require-from-string")(closure()).handler();
    const result = await provider.check({}, { ...identity, configurationId: "000099_iowa_liquor_prepare_pda" });
    expect(result.failures).toEqual([expect.objectContaining({ property: "configurationId" })]);
  });

  test("moving to the loader is no change: diff ignores __provider", async () => {
    const status = new TailerConfigurationStatus("upgraded", { ...identity, configurationId: "000099_upgraded_DEV" });
    await value(status.urn);
    const { providerFor } = require("../../provider/resources/providerKinds");
    const state = { ...identity, configurationId: "000099_upgraded_DEV", activated: true, archived: false, onDelete: "keep" };
    const result = await providerFor("configurationStatus").diff(
      "id",
      { ...state, __provider: closure() },
      { ...state, __provider: providerOf("upgraded") },
    );
    expect(result.changes).toBe(false);
  });
});

describe("one configuration, one declaration", () => {
  test("a second TailerConfigurationStatus for the same configuration fails at once, naming both", async () => {
    const first = new TailerConfigurationStatus("first-owner", { ...identity, configurationId: "000099_shared_DEV" });
    await value(first.urn);
    expect(() => new TailerConfigurationStatus("second-owner", { ...identity, configurationId: "000099_shared_DEV" })).toThrow(
      /"second-owner" declares configuration 000099_shared_DEV \(DEV, account 000099\), already declared by "first-owner".*every pulumi up/,
    );
  });

  test("the built suffix counts: 000099_x with appendEnvironmentSuffix is 000099_x_DEV", async () => {
    const owner = new TailerConfigurationStatus("suffixed-owner", { ...identity, configurationId: "000099_suffixed_DEV" });
    await value(owner.urn);
    expect(
      () => new TailerConfigurationStatus("unsuffixed", { ...identity, configurationId: "000099_suffixed", appendEnvironmentSuffix: true }),
    ).toThrow(/already declared by "suffixed-owner"/);
  });

  test("the same id in another environment is another configuration", async () => {
    const dev = new TailerConfigurationStatus("dev-owner", { ...identity, configurationId: "000099_env" });
    const prod = new TailerConfigurationStatus("prod-owner", { ...identity, environment: "PROD", configurationId: "000099_env" });
    await Promise.all([value(dev.urn), value(prod.urn)]);
  });
});

describe("inputs a resource ignores", () => {
  test("appendEnvironmentSuffix on a type whose ids carry no suffix is a warning on that resource, at preview", async () => {
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    try {
      const files = new TailerJobRun("files", {
        ...identity,
        configurationType: "table-to-storage",
        configurationId: "000099_sales_export",
        appendEnvironmentSuffix: true,
      });
      await value(files.urn);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warn).toHaveBeenCalledWith(
        expect.stringMatching(/^appendEnvironmentSuffix is ignored: table-to-storage configuration ids carry no environment suffix/),
        files,
      );
      warn.mockClear();
      const table = new TailerJobRun("table", { ...identity, configurationId: "000099_x", appendEnvironmentSuffix: true });
      await value(table.urn);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});

describe("stack traces while a resource registers (bench/README.md, 'Where the time goes')", () => {
  /** The frame count of every stack trace formatted while `declare` runs. */
  function tracesFormatted(declare: () => unknown): number[] {
    const original = Error.prepareStackTrace;
    const frames: number[] = [];
    Error.prepareStackTrace = (error, callSites) => {
      frames.push(callSites.length);
      return original ? original(error, callSites) : String(error);
    };
    try {
      declare();
    } finally {
      Error.prepareStackTrace = original;
    }
    return frames;
  }

  const kinds: [string, (name: string) => pulumi.CustomResource][] = [
    ["TailerConfigurationStatus", (name) => new TailerConfigurationStatus(name, { ...identity, configurationId: `000099_${name}_DEV` })],
    ["TailerJobRun", (name) => new TailerJobRun(name, identity)],
    ["TailerWorkflowReset", (name) => new TailerWorkflowReset(name, { account: "000099", environment: "DEV", configurationId: name })],
  ];

  test.each(kinds)("%s formats one trace with frames, its declaration's, not one per promise of the SDK", (kind, make) => {
    const traces = tracesFormatted(() => make(`traced${kind}`));
    expect(traces.filter((frames) => frames > 0)).toHaveLength(1);
    expect(traces.length).toBeGreaterThan(20);
  });

  test("with PULUMI_DEBUG_PROMISE_LEAKS set, every promise keeps its trace (the SDK prints them for leaks)", () => {
    process.env.PULUMI_DEBUG_PROMISE_LEAKS = "1";
    try {
      const traces = tracesFormatted(() => new TailerConfigurationStatus("leaks", { ...identity, configurationId: "000099_leaks_DEV" }));
      expect(traces.filter((frames) => frames > 0).length).toBeGreaterThan(20);
    } finally {
      delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    }
  });

  test.each(kinds)("%s restores Error.stackTraceLimit, also when registering throws", (kind, make) => {
    const limit = Error.stackTraceLimit;
    make(`restored${kind}`);
    expect(Error.stackTraceLimit).toBe(limit);
    // No name: the SDK throws from the constructor, before any promise.
    expect(() => make("")).toThrow(/Missing resource name/);
    expect(Error.stackTraceLimit).toBe(limit);
  });
});

/** The native front's own rules: secrets in and out, import ids, the schema against the resource logic, config. */

import { redact } from "../../provider/core/redact";
import { checkConfig, configReader } from "../../provider/native/config";
import { publicProperties, SECRET_SIGNATURE, SIGNATURE_KEY, unwrapSecrets, wrapSecrets } from "../../provider/native/properties";
import { parseImportId } from "../../provider/native/provider";
import { inputNames, packageSchema, RESOURCES, type ResourceSpec, resourceSpec } from "../../provider/native/schema";
import { configurationStatusProvider } from "../../provider/resources/configurationStatusProvider";
import { jobRunProvider } from "../../provider/resources/jobRunProvider";
import { CONFIG_KEYS } from "../../provider/resources/settings";
import { workflowResetProvider } from "../../provider/resources/workflowResetProvider";

const secret = (value: unknown) => ({ [SIGNATURE_KEY]: SECRET_SIGNATURE, value });
const logic = { ConfigurationStatus: configurationStatusProvider, JobRun: jobRunProvider, WorkflowReset: workflowResetProvider };

describe("secrets", () => {
  test("a secret anywhere in a property makes the whole property secret on the way back", () => {
    const { values, secretKeys } = unwrapSecrets({ a: "plain", triggers: { release: secret("2026.11.1") }, id: secret("000099_x_DEV") });
    expect(values).toEqual({ a: "plain", triggers: { release: "2026.11.1" }, id: "000099_x_DEV" });
    expect([...secretKeys].sort()).toEqual(["id", "triggers"]);
    expect(wrapSecrets(values, secretKeys)).toEqual({ a: "plain", triggers: secret({ release: "2026.11.1" }), id: secret("000099_x_DEV") });
  });

  test("a secret string is redacted from every message of the process", () => {
    unwrapSecrets({ configurationId: secret("000099_very_private_load_DEV") });
    expect(redact("run of 000099_very_private_load_DEV: RUNNING")).toBe("run of [REDACTED]: RUNNING");
  });

  test("state shows no dynamic-front internals and no undefined values", () => {
    expect(publicProperties({ __provider: "exports.handler = ...", __urn: "urn:x", a: undefined, b: { c: undefined, d: 1 } })).toEqual({
      b: { d: 1 },
    });
  });
});

describe("import ids", () => {
  const spec = (name: string) => resourceSpec(`tailer:index:${name}`) as ResourceSpec;

  test("name the identity, and a run id for a JobRun", () => {
    expect(parseImportId(spec("ConfigurationStatus"), "000099/DEV/table-to-table/000099_sales_load_DEV")).toEqual({
      account: "000099",
      environment: "DEV",
      configurationType: "table-to-table",
      configurationId: "000099_sales_load_DEV",
    });
    expect(parseImportId(spec("JobRun"), "000099/DEV/table-to-table/000099_sales_load_DEV/20261127-101010-abc")).toMatchObject({
      runId: "20261127-101010-abc",
    });
    expect(parseImportId(spec("WorkflowReset"), "000099/DEV/workflow/000099-jt-workflow")).toEqual({
      account: "000099",
      environment: "DEV",
      configurationId: "000099-jt-workflow",
    });
  });

  test("in another form are refused with the form and an example", () => {
    expect(() => parseImportId(spec("ConfigurationStatus"), "000099_sales_load_DEV")).toThrow(
      'cannot import ConfigurationStatus "000099_sales_load_DEV": the id is <account>/<environment>/<configurationType>/<configurationId>, e.g. 000099/DEV/table-to-table/000099_sales_load_DEV.',
    );
    expect(() => parseImportId(spec("WorkflowReset"), "000099/DEV/table-to-table/x")).toThrow(
      /the id is <account>\/<environment>\/workflow/,
    );
    expect(() => parseImportId(spec("JobRun"), "000099/DEV/table-to-table//run")).toThrow(/cannot import JobRun/);
  });
});

describe("the schema, against the resource logic", () => {
  test("builds (every state field is placed and described) and is Pulumi-shaped", () => {
    const schema = packageSchema() as { resources: Record<string, { inputProperties: object; requiredInputs: string[] }> };
    expect(Object.keys(schema.resources)).toEqual([
      "tailer:index:ConfigurationStatus",
      "tailer:index:JobRun",
      "tailer:index:WorkflowReset",
    ]);
  });

  test.each(RESOURCES.map((r) => [r.name, r] as const))(
    "%s: check accepts every schema input, and requires exactly the required ones",
    async (name, spec) => {
      const provider = logic[name as keyof typeof logic];
      const missing = await provider.check({}, {});
      const required = (missing.failures ?? []).filter((f) => f.reason.endsWith(" is required.")).map((f) => f.property);
      expect(required.sort()).toEqual([...spec.required].sort());
      const unknown = await provider.check(
        {},
        Object.fromEntries(inputNames(spec).map((key) => [key, "04da6b54-80e4-46f7-96ec-b56ff0331ba9"])),
      );
      expect((unknown.failures ?? []).filter((f) => f.reason.startsWith("unknown input"))).toEqual([]);
      const outputsOnly = Object.entries(spec.fields)
        .filter(([, field]) => field.side === "output")
        .map(([key]) => key);
      for (const key of outputsOnly.filter((k) => k !== "configurationType")) {
        const result = await provider.check({}, { [key]: "x" });
        expect({ key, unknown: result.failures?.some((f) => f.property === key && f.reason.startsWith("unknown input")) }).toEqual({
          key,
          unknown: true,
        });
      }
    },
  );

  test("the provider's settings are settings.ts's config keys, the credentials secret", () => {
    const schema = packageSchema() as { config: { variables: Record<string, { secret?: boolean }> } };
    expect(Object.keys(schema.config.variables)).toEqual(Object.keys(CONFIG_KEYS));
    expect(Object.entries(schema.config.variables).flatMap(([k, v]) => (v.secret ? [k] : []))).toEqual(["token", "credentials"]);
  });
});

describe("provider configuration", () => {
  test("inputs (typed, secrets wrapped) first, then the engine's variables", () => {
    const reader = configReader(
      { retryMaxAttempts: 3, token: secret("t0ken-for-the-tests") },
      new Map([["tailer:config:apiUrl", "http://x"]]),
    );
    expect([
      reader.get("tailer:retryMaxAttempts"),
      reader.get("tailer:token"),
      reader.get("tailer:apiUrl"),
      reader.get("tailer:suffixCheck"),
    ]).toEqual(["3", "t0ken-for-the-tests", "http://x", undefined]);
  });

  test("check names an unknown setting and a bad value, each with its fix", () => {
    expect(checkConfig({ apiUrll: "http://x", suffixCheck: "maybe", version: "0.1.0" })).toEqual([
      { property: "apiUrll", reason: expect.stringContaining('unknown provider setting "apiUrll"') },
      {
        property: "suffixCheck",
        reason:
          'TAILER_INVALID_REQUEST: config tailer:suffixCheck must be "error" or "off" (got "maybe"). pulumi config set tailer:suffixCheck error',
      },
    ]);
  });
});

/**
 * Input validation for the resources' `check`: every rule names the field and the fix, runs before any
 * API call (so `pulumi preview` fails early), and skips values that are still unknown during preview.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { checkEnvironmentSuffix, effectiveConfigurationId, takesEnvironmentSuffix } from "../client/identity";
import { CONFIGURATION_TYPES, ConfigurationType, ENVIRONMENTS, Environment, isRealDate, LEGACY_TABLE_TO_TABLE } from "../client/schemas";

/** The value Pulumi puts in place of an input not known yet during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when the value is Pulumi's "unknown during preview" placeholder. */
export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

/** Closest candidate by edit distance, for "did you mean" hints. */
export function closest(value: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = editDistance(value.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(value.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

// JSON, except what JSON cannot show: NaN and Infinity as written (JSON.stringify says null), undefined.
const quote = (v: unknown) => ((typeof v === "number" && !Number.isFinite(v)) || v === undefined ? String(v) : JSON.stringify(v));

/** Field rules shared by the resources. Each returns the reason, or undefined when the value is fine. */
export const rules = {
  account(value: unknown): string | undefined {
    // Only a whole number of at most 6 digits is an account that lost its leading zeros.
    if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 999_999)
      return `account must be a string of 6 digits; numbers lose leading zeros: write "${String(value).padStart(6, "0")}".`;
    if (typeof value === "number") return `account must be a string of 6 digits, e.g. "000099" (got ${quote(value)}).`;
    if (typeof value !== "string") return `account must be a string of 6 digits, e.g. "000099".`;
    if (/^\d{1,5}$/.test(value)) return `account must have 6 digits: did you mean "${value.padStart(6, "0")}"?`;
    if (!/^\d{6}$/.test(value)) return `account must be 6 digits, e.g. "000099" (got ${quote(value)}).`;
    return undefined;
  },
  environment(value: unknown): string | undefined {
    if (Environment.safeParse(value).success) return undefined;
    const upper = typeof value === "string" ? value.toUpperCase() : undefined;
    if (upper && Environment.safeParse(upper).success) return `environment must be upper case: "${upper}".`;
    const near = typeof value === "string" ? closest(value, ENVIRONMENTS) : undefined;
    return `environment must be one of ${ENVIRONMENTS.join(", ")} (got ${quote(value)})${near ? `: did you mean "${near}"?` : "."}`;
  },
  configurationType(value: unknown): string | undefined {
    if (ConfigurationType.safeParse(value).success) return undefined;
    const near = typeof value === "string" ? closest(value, [...CONFIGURATION_TYPES, LEGACY_TABLE_TO_TABLE]) : undefined;
    return `configurationType must be one of ${CONFIGURATION_TYPES.join(", ")} (got ${quote(value)})${near ? `: did you mean "${near}"?` : "."}`;
  },
  configurationId(value: unknown): string | undefined {
    if (typeof value !== "string" || value.trim() === "") return "configurationId must be a non-empty string.";
    if (/\s/.test(value)) return `configurationId must not contain spaces (got ${quote(value)}).`;
    return undefined;
  },
  boolean(field: string, value: unknown): string | undefined {
    return typeof value === "boolean" ? undefined : `${field} must be true or false (got ${quote(value)}).`;
  },
  oneOf(field: string, value: unknown, allowed: readonly string[]): string | undefined {
    if (typeof value === "string" && allowed.includes(value)) return undefined;
    const near = typeof value === "string" ? closest(value, allowed) : undefined;
    return `${field} must be one of ${allowed.map((a) => `"${a}"`).join(", ")} (got ${quote(value)})${near ? `: did you mean "${near}"?` : "."}`;
  },
  positiveNumber(field: string, value: unknown, { allowZero = false } = {}): string | undefined {
    if (typeof value !== "number" || !Number.isFinite(value)) return `${field} must be a number of seconds (got ${quote(value)}).`;
    if (value < 0 || (!allowZero && value === 0))
      return `${field} must be ${allowZero ? "zero or more" : "more than zero"} seconds (got ${value}).`;
    return undefined;
  },
  executionDate(value: unknown): string | undefined {
    if (typeof value !== "string") return `executionDate must be a date string YYYY-MM-DD (got ${quote(value)}).`;
    const slashed = /^(\d{4})\/(\d{2})\/(\d{2})$/.exec(value);
    const dashed = slashed && `${slashed[1]}-${slashed[2]}-${slashed[3]}`;
    if (dashed)
      return isRealDate(dashed)
        ? `executionDate must use dashes: "${dashed}".`
        : `executionDate ${quote(value)} is not a real calendar date.`;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return `executionDate must be a date YYYY-MM-DD, e.g. "2026-11-27" (got ${quote(value)}).`;
    if (!isRealDate(value)) return `executionDate ${quote(value)} is not a real calendar date.`;
    return undefined;
  },
  triggers(value: unknown): string | undefined {
    if (value === null || typeof value !== "object" || Array.isArray(value))
      return `triggers must be a map of strings, e.g. { version: "1.2.0" } (got ${quote(value)}).`;
    for (const [k, v] of Object.entries(value)) {
      if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean" && !isUnknown(v))
        return `triggers.${k} must be a string, number or boolean (got ${quote(v)}).`;
    }
    return undefined;
  },
  jobId(value: unknown): string | undefined {
    return typeof value === "string" && value.trim() !== "" ? undefined : `jobId must be a non-empty string (got ${quote(value)}).`;
  },
};

/** Collects failures for a bag of inputs: unknown fields are reported, unknown values are skipped. */
export class InputChecker {
  readonly failures: pulumi.dynamic.CheckFailure[] = [];

  constructor(
    private readonly news: Record<string, unknown>,
    allowed: readonly string[],
  ) {
    for (const key of Object.keys(news)) {
      if (key === "__provider" || allowed.includes(key)) continue;
      const near = closest(key, allowed);
      this.fail(key, `unknown input "${key}"${near ? `: did you mean "${near}"?` : `; the inputs are ${allowed.join(", ")}.`}`);
    }
  }

  /** Records a failure. */
  fail(property: string, reason: string): void {
    this.failures.push({ property, reason });
  }

  /** True when the field's value is known (not Pulumi's preview placeholder, nor nested unknowns). */
  known(field: string): boolean {
    return !containsUnknown(this.news[field]);
  }

  /** Checks a required field with `rule`, unless its value is unknown. */
  required(field: string, rule: (value: unknown) => string | undefined): void {
    const value = this.news[field];
    if (value === undefined || value === null) {
      this.fail(field, `${field} is required.`);
      return;
    }
    if (!this.known(field)) return;
    const reason = rule(value);
    if (reason) this.fail(field, reason);
  }

  /** Checks an optional field with `rule` when it is set and known. */
  optional(field: string, rule: (value: unknown) => string | undefined): void {
    const value = this.news[field];
    if (value === undefined || value === null || !this.known(field)) return;
    const reason = rule(value);
    if (reason) this.fail(field, reason);
  }
}

/** True when the value, or anything inside it, is still unknown. */
function containsUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

/** The identity inputs every resource shares. */
export const IDENTITY_INPUTS = ["account", "environment", "configurationType", "configurationId", "appendEnvironmentSuffix"] as const;

/** Checks the identity inputs and returns the configuration id to use (suffixed when asked), when known. */
export function checkIdentity(checker: InputChecker, news: Record<string, unknown>, fixedType?: string): string | undefined {
  checker.required("account", rules.account);
  checker.required("environment", rules.environment);
  if (!fixedType) checker.required("configurationType", rules.configurationType);
  checker.required("configurationId", rules.configurationId);
  checker.optional("appendEnvironmentSuffix", (v) => rules.boolean("appendEnvironmentSuffix", v));

  const { environment, configurationId, appendEnvironmentSuffix } = news;
  const configurationType = fixedType ?? news.configurationType;
  if (!checker.known("configurationId") || typeof configurationId !== "string") return undefined;
  if (
    !checker.known("environment") ||
    !checker.known("configurationType") ||
    !Environment.safeParse(environment).success ||
    !ConfigurationType.safeParse(configurationType).success ||
    rules.configurationId(configurationId) !== undefined // already refused: no suffix advice on a bad id
  )
    return configurationId;
  const env = environment as Environment;
  const type = configurationType as ConfigurationType;
  if (!takesEnvironmentSuffix(type)) return configurationId;
  if (appendEnvironmentSuffix === true) return effectiveConfigurationId(type, configurationId, env, true);
  const problem = checkEnvironmentSuffix(type, configurationId, env);
  // The client's message names the wire field (configuration_id); here the input is configurationId.
  if (problem)
    checker.fail(
      "configurationId",
      `${problem.message.replace(/^configuration_id /, "configurationId ")} Or set appendEnvironmentSuffix: true to have it built.`,
    );
  return configurationId;
}

/** A zod schema for the triggers map as stored: values become strings so that 1 and "1" compare equal. */
export const Triggers = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

/**
 * The lifecycle every resource provider implements (check, diff, create, read, update, delete) and the
 * pure comparisons its diffs are made of.
 */
import type * as pulumi from "@pulumi/pulumi";
import { sortedJson } from "../client/wire";
import { isUnknown } from "./validation";

/** The unified signature of the resource providers, as the dynamic and native fronts call them. */
export type ProviderImplementation = Required<Omit<pulumi.dynamic.ResourceProvider, "configure">>;

/** Compares two input values the way Pulumi users mean them: undefined and null are equal, unknown always differs. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (isUnknown(a) || isUnknown(b)) return false;
  return sortedJson(a ?? null, { dropNulls: true }) === sortedJson(b ?? null, { dropNulls: true });
}

/** The keys among `keys` whose values differ between olds and news. */
export function changedKeys(olds: Record<string, unknown>, news: Record<string, unknown>, keys: readonly string[]): string[] {
  return keys.filter((key) => !sameValue(olds[key], news[key]));
}

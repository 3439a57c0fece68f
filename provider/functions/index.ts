/**
 * Reading Tailer from a Pulumi program without declaring a resource: get_last_status, check_run_status
 * and get_by_status as functions, in the two forms Pulumi users know (`getX` returning a Promise,
 * `getXOutput` taking Inputs and returning an Output). They read the same `tailer:*` config as the
 * resources, share one client (token cache, connection pool, retries) per process, and run during
 * `pulumi preview` too, since reads are safe: a gate built on them fails at preview time.
 */
import * as pulumi from "@pulumi/pulumi";
import { isTailerError } from "../core/errors";
import { clientFor } from "../resources/clients";
import { readSettings } from "../resources/settings";
import {
  type CheckRunStatusArgs,
  type CheckRunStatusResult,
  type GetLastStatusArgs,
  type GetLastStatusResult,
  type GetRunsByStatusArgs,
  type GetRunsByStatusResult,
  reads,
} from "./reads";

export {
  type CheckRunStatusArgs,
  type CheckRunStatusResult,
  type ConfigurationIdentityArgs,
  type GetLastStatusArgs,
  type GetLastStatusResult,
  type GetRunsByStatusArgs,
  type GetRunsByStatusResult,
  RunInfo,
} from "./reads";

/** Each field of T as a pulumi.Input. */
export type InputArgs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/**
 * Runs a read for the program. A Tailer error's message is complete (action, status, Tailer's message,
 * the fix), so it is flagged as a Pulumi RunError: Pulumi then prints the message alone, at once,
 * instead of a stack trace it would take seconds to format. The error keeps its Tailer code.
 */
async function programRead<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (isTailerError(error)) Object.defineProperty(error, "__pulumiRunError", { value: true });
    throw error;
  }
}

function programClient() {
  // pulumi.runtime.getConfig reads secrets without the "use getSecret" warning; nothing read here is returned.
  return clientFor(readSettings({ get: (key) => pulumi.runtime.getConfig(key) }));
}

/** The last runs of a configuration or job, newest first (get_last_status). */
export async function getLastStatus(args: GetLastStatusArgs): Promise<GetLastStatusResult> {
  return programRead(() => reads.getLastStatus(programClient(), args));
}

/** getLastStatus with Input arguments, as an Output. */
export function getLastStatusOutput(args: InputArgs<GetLastStatusArgs>): pulumi.Output<GetLastStatusResult> {
  return pulumi.output(args).apply((resolved) => getLastStatus(resolved as GetLastStatusArgs));
}

/** One run by id (check_run_status). */
export async function checkRunStatus(args: CheckRunStatusArgs): Promise<CheckRunStatusResult> {
  return programRead(() => reads.checkRunStatus(programClient(), args));
}

/** checkRunStatus with Input arguments, as an Output. */
export function checkRunStatusOutput(args: InputArgs<CheckRunStatusArgs>): pulumi.Output<CheckRunStatusResult> {
  return pulumi.output(args).apply((resolved) => checkRunStatus(resolved as CheckRunStatusArgs));
}

/** Runs of an account by status, across configurations (get_by_status). */
export async function getRunsByStatus(args: GetRunsByStatusArgs): Promise<GetRunsByStatusResult> {
  return programRead(() => reads.getRunsByStatus(programClient(), args));
}

/** getRunsByStatus with Input arguments, as an Output. */
export function getRunsByStatusOutput(args: InputArgs<GetRunsByStatusArgs>): pulumi.Output<GetRunsByStatusResult> {
  return pulumi.output(args).apply((resolved) => getRunsByStatus(resolved as GetRunsByStatusArgs));
}

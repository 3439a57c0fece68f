/** TailerWorkflowReset: reset_workflow_status as a resource. */
import * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../client/schemas";
import { suspendPromiseStacks } from "./promiseStacks";
import { dynamicType, withProvider } from "./serializedProvider";

/** The inputs of a TailerWorkflowReset. */
export interface TailerWorkflowResetArgs {
  /** The Tailer account, 6 digits. */
  account: pulumi.Input<string>;
  /** The environment. */
  environment: pulumi.Input<Environment>;
  /** The workflow configuration's id. */
  configurationId: pulumi.Input<string>;
  /** Free-form values: any change resets the workflow again (e.g. the version of its jobs). */
  triggers?: pulumi.Input<Record<string, pulumi.Input<string | number | boolean>>>;
}

/** Resets a workflow's marks on create and whenever `triggers` change. */
export class TailerWorkflowReset extends pulumi.CustomResource {
  /** The Tailer account. */
  declare readonly account: pulumi.Output<string>;
  /** The environment. */
  declare readonly environment: pulumi.Output<Environment>;
  /** The workflow's id. */
  declare readonly configurationId: pulumi.Output<string>;
  /** When the last reset happened, on the API's clock (ISO 8601). */
  declare readonly resetAt: pulumi.Output<string>;

  /** Resets the workflow named by `args` on the next pulumi up. */
  constructor(name: string, args: TailerWorkflowResetArgs, opts?: pulumi.CustomResourceOptions) {
    const restoreStacks = suspendPromiseStacks();
    try {
      super(dynamicType("WorkflowReset"), name, withProvider("workflowReset", { ...args, resetAt: undefined }), opts);
    } finally {
      restoreStacks();
    }
  }
}

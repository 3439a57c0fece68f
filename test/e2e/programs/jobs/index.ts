/** One job run whose relaunch rules come from config, for the end-to-end relaunch tests. */
import * as pulumi from "@pulumi/pulumi";
import { TailerJobRun } from "pulumi-tailer";

const config = new pulumi.Config("jobs");
const run = new TailerJobRun("load", {
  account: "000099",
  environment: "DEV",
  configurationType: "table-to-table",
  configurationId: "000099_sales_load_DEV",
  triggers: { release: config.get("release") ?? "1" },
  rerunOn: (config.get("rerunOn") as "never" | "every-deploy" | undefined) ?? "never",
  relaunchOnFailure: config.getBoolean("relaunchOnFailure") ?? true,
  pollIntervalSeconds: 0.2,
  timeoutSeconds: 120,
});

export const runId = run.runId;
export const status = run.status;

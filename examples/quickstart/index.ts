/**
 * The quickstart: a DEV sales pipeline declared in code.
 *
 * - the load and aggregate configurations must be active (Tailer Studio changes show up as drift);
 * - a legacy export must stay disabled;
 * - the load job runs once per release of its code (change `release` to run it again).
 */
import * as pulumi from "@pulumi/pulumi";
import { TailerConfigurationStatus, TailerJobRun } from "pulumi-tailer";

const config = new pulumi.Config("quickstart");
const release = config.get("release") ?? "2026.11.1";
const identity = { account: "000099", environment: "DEV" as const, configurationType: "table-to-table" as const };

const load = new TailerConfigurationStatus("sales-load", {
  ...identity,
  configurationId: "000099_sales_load",
  appendEnvironmentSuffix: true, // table-to-table ids carry the environment: 000099_sales_load_DEV
  activated: true,
});

const aggregate = new TailerConfigurationStatus("sales-aggregate", {
  ...identity,
  configurationId: "000099_sales_aggregate_DEV",
  activated: true,
  onDelete: "disable", // pulumi destroy disables it rather than leaving it running
});

new TailerConfigurationStatus("sales-export", {
  ...identity,
  configurationType: "table-to-storage",
  configurationId: "000099_sales_export",
  activated: false,
});

const loadRun = new TailerJobRun(
  "sales-load-run",
  {
    ...identity,
    configurationId: load.configurationId,
    triggers: { release },
    timeoutSeconds: 600,
  },
  { dependsOn: [load, aggregate] }, // activate first, then run
);

export const loadRunId = loadRun.runId;
export const loadRunStatus = loadRun.status;
export const loadRunDuration = loadRun.duration;

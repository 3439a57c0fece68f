/**
 * One program for every environment: the stack name picks the environment (dev -> DEV, prod -> PROD).
 * CI deploys it with ci.sh, which refuses to deploy over drift nobody explained.
 */
import * as pulumi from "@pulumi/pulumi";
import { type Enforce, type Environment, TailerConfigurationStatus, TailerJobRun } from "pulumi-tailer";

const config = new pulumi.Config("pipeline");
const environment = (config.get("environment") ?? pulumi.getStack().toUpperCase()) as Environment;
const release = config.require("release");
// "always": every deploy sends each status again, whatever happened in Tailer Studio (see ci.sh).
const enforce = config.get("enforce") as Enforce | undefined;
const account = "000099";

/** The data operations of the sales pipeline, and whether they run in this environment. */
const operations = [
  { id: "000099_sales_load", type: "table-to-table" as const, activated: true },
  { id: "000099_sales_aggregate", type: "table-to-table" as const, activated: environment !== "PROD" },
];

const statuses = operations.map(
  (op) =>
    new TailerConfigurationStatus(op.id, {
      account,
      environment,
      configurationType: op.type,
      configurationId: op.id,
      appendEnvironmentSuffix: true,
      activated: op.activated,
      onDelete: "disable",
      enforce,
    }),
);

// Each release loads once, after the statuses are in place.
const load = new TailerJobRun(
  "sales-load-release",
  {
    account,
    environment,
    configurationType: "table-to-table",
    configurationId: statuses[0]!.configurationId,
    triggers: { release },
    pollIntervalSeconds: 1,
  },
  { dependsOn: statuses },
);

export const loadRun = { id: load.runId, status: load.status };

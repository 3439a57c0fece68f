/**
 * A deployment gate: switch the PROD load on only when its last DEV run succeeded.
 *
 * The read runs during `pulumi preview` too, so a closed gate fails the preview, before anything
 * changes, with a message that says why and what to do.
 */
import * as pulumi from "@pulumi/pulumi";
import { getLastStatusOutput, TailerConfigurationStatus } from "pulumi-tailer";

const config = new pulumi.Config("gate");
const account = config.get("account") ?? "000099";
const configurationId = config.get("configuration") ?? "000099_sales_load";

const lastDevRun = getLastStatusOutput({
  account,
  environment: "DEV",
  configurationType: "table-to-table",
  configurationId,
  appendEnvironmentSuffix: true,
  limit: 1,
}).apply((result) => result.lastRun);

const gateOpen = lastDevRun.apply((run) => {
  if (run?.status === "SUCCESS") return true;
  const seen = run ? `ended ${run.status} (run ${run.runId}, started ${run.startExecutionDate})` : "has never run";
  throw new Error(`Deployment gate closed: the last DEV run of ${configurationId}_DEV ${seen}. PROD is left as it is. Fix and run the DEV job, then deploy again.`);
});

const prod = new TailerConfigurationStatus("sales-load-prod", {
  account,
  environment: "PROD",
  configurationType: "table-to-table",
  configurationId,
  appendEnvironmentSuffix: true,
  activated: gateOpen,
});

export const devRunId = lastDevRun.apply((run) => run?.runId);
export const prodActivated = prod.activated;

import { TailerConfigurationStatus, TailerJobRun } from "pulumi-tailer";

const load = new TailerConfigurationStatus("sales-load", {
  account: "000099",
  environment: "PROD",
  configurationType: "table-to-table",
  configurationId: "000099_sales_load",
  appendEnvironmentSuffix: true, // the API knows it as 000099_sales_load_PROD
  activated: true,
});

const backfill = new TailerJobRun(
  "sales-load-backfill",
  {
    account: "000099",
    environment: "PROD",
    configurationType: "table-to-table",
    configurationId: load.configurationId,
    executionDate: "2026-11-01",
    triggers: { release: "2026.11.1" }, // change it to run the job again
  },
  { dependsOn: [load] }, // activate first, then run
);

export const backfillRunId = backfill.runId;
export const backfillStatus = backfill.status;

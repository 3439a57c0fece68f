/**
 * Nothing in this program mentions credentials: the provider finds them in the stack's config or the
 * environment (tailer:credentialsFile, tailer:credentials, tailer:tokenCommand, tailer:token, ...).
 */
import { getLastStatusOutput, TailerConfigurationStatus } from "pulumi-tailer";

const identity = {
  account: "000099",
  environment: "DEV" as const,
  configurationType: "table-to-table" as const,
  configurationId: "000099_sales_load_DEV",
};

const status = new TailerConfigurationStatus("sales-load", { ...identity, activated: true });

export const statusSetAt = status.statusSetAt;
export const lastRunStatus = getLastStatusOutput({ ...identity, limit: 1 }).apply((r) => r.lastRun?.status ?? "no run yet");

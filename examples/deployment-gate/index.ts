/**
 * A deployment gate: switch the PROD load on only when its last DEV run succeeded.
 *
 * The read runs during `pulumi preview` too, so a closed gate fails the preview, before anything
 * changes, with a message that says why and what to do. The program is an async function so that the
 * gate is checked before any resource is declared (and fails fast).
 */
import * as pulumi from "@pulumi/pulumi";
import { getLastStatus, TailerConfigurationStatus } from "pulumi-tailer";

export = async () => {
  const config = new pulumi.Config("gate");
  const account = config.get("account") ?? "000099";
  const configurationId = config.get("configuration") ?? "000099_sales_load";

  const { lastRun } = await getLastStatus({
    account,
    environment: "DEV",
    configurationType: "table-to-table",
    configurationId,
    appendEnvironmentSuffix: true,
    limit: 1,
  });
  if (lastRun?.status !== "SUCCESS") {
    const seen = lastRun ? `ended ${lastRun.status} (run ${lastRun.runId}, started ${lastRun.startExecutionDate})` : "has never run";
    // A RunError ends the program with this message alone (no stack trace: it is not a bug).
    throw new pulumi.RunError(
      `Deployment gate closed: the last DEV run of ${configurationId}_DEV ${seen}. PROD is left as it is. Fix and run the DEV job, then deploy again.`,
    );
  }

  const prod = new TailerConfigurationStatus("sales-load-prod", {
    account,
    environment: "PROD",
    configurationType: "table-to-table",
    configurationId,
    appendEnvironmentSuffix: true,
    activated: true,
  });

  return { devRunId: lastRun.runId, prodActivated: prod.activated };
};

/** The docs' JA/JB/JC -> JT workflow: reset it when its jobs are redeployed, then run the three jobs. */
import * as pulumi from "@pulumi/pulumi";
import { TailerJobRun, TailerWorkflowReset } from "pulumi-tailer";

const config = new pulumi.Config("workflow");
const release = config.get("release") ?? "1";
const base = { account: "000099", environment: "DEV" as const };

const reset = new TailerWorkflowReset("jt-workflow", { ...base, configurationId: "000099-jt-workflow", triggers: { release } });

for (const job of ["ja", "jb", "jc"]) {
  new TailerJobRun(
    job,
    {
      ...base,
      configurationType: "table-to-table",
      configurationId: `000099_${job}_DEV`,
      pollIntervalSeconds: 0.2,
      triggers: { jobs: config.get("jobs") ?? "1" },
    },
    { dependsOn: [reset] },
  );
}

/** One TailerJobRun of the benchmark's job configuration; `bench:release` relaunches it, `bench:pollIntervalSeconds` sets its first poll interval. */
import * as pulumi from "@pulumi/pulumi";
import { TailerJobRun } from "pulumi-tailer";

const config = new pulumi.Config("bench");
const run = new TailerJobRun("job", {
  account: "000099",
  environment: "DEV",
  configurationType: "table-to-table",
  configurationId: "000099_bench_job_DEV",
  triggers: { release: config.get("release") ?? "1" },
  pollIntervalSeconds: config.getNumber("pollIntervalSeconds") ?? 2,
  timeoutSeconds: config.getNumber("timeoutSeconds") ?? 3600,
});

export const runId = run.runId;
export const status = run.status;

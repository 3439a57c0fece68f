/** One TailerJobRun of a benchmark configuration (`bench:configurationId`); `bench:release` relaunches it. */
import * as pulumi from "@pulumi/pulumi";
import { TailerJobRun } from "pulumi-tailer";

const config = new pulumi.Config("bench");
const run = new TailerJobRun("job", {
  account: "000099",
  environment: "DEV",
  configurationType: "table-to-table",
  configurationId: config.get("configurationId") ?? "000099_bench_job_DEV",
  triggers: { release: config.get("release") ?? "1" },
  // The provider's defaults unless the benchmark says otherwise.
  pollIntervalSeconds: config.getNumber("pollIntervalSeconds"),
  timeoutSeconds: config.getNumber("timeoutSeconds"),
  // 0: not stated (the job's first run without an estimate).
  expectedDurationSeconds: config.getNumber("expectedDurationSeconds") || undefined,
});

export const runId = run.runId;
export const status = run.status;

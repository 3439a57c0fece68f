/** The chaos test's program: the job runs of one stack, one generation at a time, from stack config. */
import * as pulumi from "@pulumi/pulumi";
import { TailerJobRun } from "pulumi-tailer";

/** One requested launch: a job, the date it runs for, and the generation (a release) that asks for it. */
interface Job {
  name: string;
  configurationId: string;
  executionDate: string;
  generation: number;
  adoptRunId?: string;
}

const jobs = new pulumi.Config("chaos").requireObject<Job[]>("jobs");
export const runs: Record<string, pulumi.Output<string>> = {};
for (const job of jobs) {
  const run = new TailerJobRun(job.name, {
    account: "000099",
    environment: "DEV",
    configurationType: "table-to-table",
    configurationId: job.configurationId,
    executionDate: job.executionDate,
    triggers: { generation: job.generation },
    pollIntervalSeconds: 0.2,
    timeoutSeconds: 120,
    ...(job.adoptRunId ? { adoptRunId: job.adoptRunId } : {}),
  });
  runs[job.name] = run.runId;
}

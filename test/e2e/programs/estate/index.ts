/** A real estate: `estate:statuses` statuses on 000099_<estate:prefix>_<i>_DEV and `estate:runs` job runs on 000099_launch_<i>_DEV. */
import * as pulumi from "@pulumi/pulumi";
import { TailerConfigurationStatus, TailerJobRun } from "pulumi-tailer";

const config = new pulumi.Config("estate");
const statuses = config.getNumber("statuses") ?? 0;
const runs = config.getNumber("runs") ?? 0;
const prefix = config.get("prefix") ?? "estate";
const base = { account: "000099", environment: "DEV" as const, configurationType: "table-to-table" as const };

for (let i = 0; i < statuses; i++) {
  // Every third configuration is declared disabled, the others active.
  new TailerConfigurationStatus(`status-${i}`, { ...base, configurationId: `000099_${prefix}_${i}_DEV`, activated: i % 3 !== 0 });
}
for (let i = 0; i < runs; i++) {
  new TailerJobRun(`run-${i}`, { ...base, configurationId: `000099_launch_${i}_DEV`, pollIntervalSeconds: 0.2, timeoutSeconds: 300 });
}

if (config.getBoolean("duplicate")) {
  // A mistake the provider must catch: the same configuration declared by a second resource.
  new TailerConfigurationStatus("status-duplicate", { ...base, configurationId: `000099_${prefix}_1_DEV`, activated: false });
}

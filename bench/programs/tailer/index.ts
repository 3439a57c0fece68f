/** N TailerConfigurationStatus resources, each declaring one configuration of the benchmark's world active. */
import * as pulumi from "@pulumi/pulumi";
import { TailerConfigurationStatus } from "pulumi-tailer";

const config = new pulumi.Config("bench");
const count = config.requireNumber("count");

for (let i = 0; i < count; i++) {
  new TailerConfigurationStatus(`cs-${i}`, {
    account: "000099",
    environment: "DEV",
    configurationType: "table-to-table",
    configurationId: `000099_bench_${String(i).padStart(4, "0")}_DEV`,
    activated: true,
  });
}

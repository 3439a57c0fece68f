/** N tailer:index:ConfigurationStatus resources (the native provider), the same configurations as bench/programs/tailer. */
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config("bench");
const count = config.requireNumber("count");

/** What the generated SDK's class does, without the SDK: the type token and the inputs. */
class ConfigurationStatus extends pulumi.CustomResource {
  constructor(name: string, props: pulumi.Inputs) {
    super("tailer:index:ConfigurationStatus", name, { ...props, statusSetAt: undefined });
  }
}

for (let i = 0; i < count; i++) {
  new ConfigurationStatus(`cs-${i}`, {
    account: "000099",
    environment: "DEV",
    configurationType: "table-to-table",
    configurationId: `000099_bench_${String(i).padStart(4, "0")}_DEV`,
    activated: true,
  });
}

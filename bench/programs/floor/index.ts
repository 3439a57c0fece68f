/**
 * The floor: N dynamic resources with the same inputs as the Tailer program, served by a provider that
 * makes no call. What remains is the engine's own cost (program, gRPC, dynamic-provider process, state).
 */
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config("bench");
const count = config.requireNumber("count");

/** One provider object for every resource, as anyone writing a dynamic provider would. */
const noop: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: String(inputs.configurationId), outs: { ...inputs, statusSetAt: new Date().toISOString() } };
  },
  async read(id, props) {
    return { id, props };
  },
  async diff() {
    return { changes: false };
  },
  async delete() {},
};

class Noop extends pulumi.dynamic.Resource {
  constructor(name: string, props: Record<string, pulumi.Input<unknown>>) {
    super(noop, name, { ...props, statusSetAt: undefined }, undefined, "bench", "Noop");
  }
}

for (let i = 0; i < count; i++) {
  new Noop(`cs-${i}`, {
    account: "000099",
    environment: "DEV",
    configurationType: "table-to-table",
    configurationId: `000099_bench_${String(i).padStart(4, "0")}_DEV`,
    activated: true,
  });
}

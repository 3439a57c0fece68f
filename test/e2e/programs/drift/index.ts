/** One row of the drift table: a table-to-table configuration in DEV, declared as `drift:*` config says. */
import * as pulumi from "@pulumi/pulumi";
import { type Enforce, TailerConfigurationStatus } from "pulumi-tailer";

const config = new pulumi.Config("drift");

new TailerConfigurationStatus("sales-load", {
  account: "000099",
  environment: "DEV",
  configurationType: "table-to-table",
  configurationId: config.require("configurationId"),
  activated: config.getBoolean("activated"),
  archived: config.getBoolean("archived"),
  enforce: config.get("enforce") as Enforce | undefined,
});

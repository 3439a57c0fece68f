/** Once per `jest` run: provision the Pulumi CLI (a no-op when this machine has it) for the end-to-end tests. */
import { pulumiBinDir } from "./helpers/pulumi";

export default function globalSetup(): void {
  process.env.PULUMI_TAILER_BIN_DIR = pulumiBinDir();
}

/** Where things are: the repository and the provisioned Pulumi CLI (one definition, shared with the tests and the demo). */
export { pulumiBinDir, REPO } from "../../scripts/pulumi-cli";

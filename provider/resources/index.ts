/** The Pulumi resources of pulumi-tailer. */
export { type OnDelete, TailerConfigurationStatus, type TailerConfigurationStatusArgs } from "./configurationStatus";
export { TailerJobRun, type TailerJobRunArgs } from "./jobRun";
export { TailerWorkflowReset, type TailerWorkflowResetArgs } from "./workflowReset";

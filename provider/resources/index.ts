/** The Pulumi resources of pulumi-tailer. */
export { TailerConfigurationStatus, type TailerConfigurationStatusArgs } from "./configurationStatus";
export { TailerJobRun, type TailerJobRunArgs } from "./jobRun";
export { ON_DELETE, type OnDelete, RERUN_ON, type RerunOn } from "./vocabulary";
export { TailerWorkflowReset, type TailerWorkflowResetArgs } from "./workflowReset";

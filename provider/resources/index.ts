/** The Pulumi resources of pulumi-tailer. */
export { TailerConfigurationStatus, type TailerConfigurationStatusArgs } from "./configurationStatus";
export { TailerJobRun, type TailerJobRunArgs } from "./jobRun";
export {
  ENFORCE,
  type Enforce,
  ON_DELETE,
  type OnDelete,
  RERUN_ON,
  type RerunOn,
  STATUS_CLOCK,
  STATUS_EVIDENCE,
  type StatusClock,
  type StatusEvidence,
} from "./vocabulary";
export { TailerWorkflowReset, type TailerWorkflowResetArgs } from "./workflowReset";

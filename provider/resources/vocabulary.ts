/** The values some inputs take, as lists the checks use and as the types the resource classes declare. */

/** What happens to a configuration when its TailerConfigurationStatus is deleted. */
export const ON_DELETE = ["keep", "disable", "archive"] as const;
/** What deleting a TailerConfigurationStatus does to the configuration: left as it is, disabled, or archived. */
export type OnDelete = (typeof ON_DELETE)[number];

/** When a TailerJobRun relaunches besides replacements: never, or on every `pulumi up`. */
export const RERUN_ON = ["never", "every-deploy"] as const;
/** When a TailerJobRun relaunches besides replacements. */
export type RerunOn = (typeof RERUN_ON)[number];

/** When a TailerConfigurationStatus sends its declared status: when it differs from what state records or runs prove, or on every `pulumi up`. */
export const ENFORCE = ["evidence", "always"] as const;
/** When a TailerConfigurationStatus sends its declared status. */
export type Enforce = (typeof ENFORCE)[number];

/** What the recorded status of a configuration rests on: the provider's own call, a run since, or nothing since the call. */
export const STATUS_EVIDENCE = ["set", "run", "none"] as const;
/** What the recorded status of a configuration rests on. */
export type StatusEvidence = (typeof STATUS_EVIDENCE)[number];

/** Whose clock `statusSetAt` was read from: the API's `Date` header, or this machine's when the answer had none. */
export const STATUS_CLOCK = ["server", "local"] as const;
/** Whose clock `statusSetAt` was read from. */
export type StatusClock = (typeof STATUS_CLOCK)[number];

/** The values some inputs take, as lists the checks use and as the types the resource classes declare. */

/** What happens to a configuration when its TailerConfigurationStatus is deleted. */
export const ON_DELETE = ["keep", "disable", "archive"] as const;
/** What deleting a TailerConfigurationStatus does to the configuration: left as it is, disabled, or archived. */
export type OnDelete = (typeof ON_DELETE)[number];

/** When a TailerJobRun relaunches besides replacements: never, or on every `pulumi up`. */
export const RERUN_ON = ["never", "every-deploy"] as const;
/** When a TailerJobRun relaunches besides replacements. */
export type RerunOn = (typeof RERUN_ON)[number];

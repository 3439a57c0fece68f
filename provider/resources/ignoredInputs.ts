/** Warnings, at preview, for inputs a resource ignores: said once, where the resource is declared. */
import * as pulumi from "@pulumi/pulumi";
import { takesEnvironmentSuffix } from "../client/identity";

/** Warns (attached to `resource`) when appendEnvironmentSuffix is set on a type whose ids carry no suffix. */
export function warnIgnoredSuffix(
  resource: pulumi.Resource,
  configurationType: pulumi.Input<string>,
  appendEnvironmentSuffix: pulumi.Input<boolean> | undefined,
): void {
  if (appendEnvironmentSuffix === undefined) return;
  pulumi.all([configurationType, appendEnvironmentSuffix]).apply(([type, append]) => {
    if (append === true && !takesEnvironmentSuffix(type))
      pulumi.log.warn(
        `appendEnvironmentSuffix is ignored: ${type} configuration ids carry no environment suffix (only table-to-table ids do). Remove it, or check configurationType.`,
        resource,
      );
  });
}

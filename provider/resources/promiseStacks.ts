/**
 * While a resource of ours registers, Pulumi's SDK makes four promises per property (value, known,
 * secret, dependencies) and records on each a stack trace (runtime/debuggable.js), formatted at once,
 * through ts-node's source maps in a TypeScript program. It prints them only when the program exits
 * with promises still pending and PULUMI_DEBUG_PROMISE_LEAKS is set. Our resources have many output
 * properties, and at N = 500 this formatting was half the program's CPU (bench/README.md, "Where the
 * time goes"). Outside that debugging mode the traces are taken with no frames. Where Pulumi records
 * the resource's declaration (its source position, `Resource.callsites`) sets its own limit and is
 * unaffected. The price: an error thrown inside the SDK's constructor (or a user's transformation it
 * runs there) has its message but no frames.
 */

/** The SDK's switch for printing the stack of each leaked promise: keep full traces when it is on. */
const DEBUG_PROMISE_LEAKS = "PULUMI_DEBUG_PROMISE_LEAKS";

/** Lowers `Error.stackTraceLimit` to 0 for a resource's registration (unless leaks are being debugged); returns what restores it. */
export function suspendPromiseStacks(): () => void {
  if (process.env[DEBUG_PROMISE_LEAKS]) return () => {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  return () => {
    Error.stackTraceLimit = limit;
  };
}

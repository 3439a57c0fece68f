/**
 * Preloaded into the dynamic-provider process (NODE_OPTIONS=--require): one line per garbage collection, with the old and
 * young generations' used size after it and the RSS, to $GC_PROBE_DIR/<pid>.log at exit. A young collection after which
 * the young generation still holds megabytes promotes them at the next one (issue 17, bench/README.md "Peak RSS").
 * GC_PROBE_MUTE_STDERR=1 drops what the process writes to stderr (the experiment described there).
 */
const { appendFileSync } = require("node:fs");
const { getHeapSpaceStatistics } = require("node:v8");
const { PerformanceObserver, constants } = require("node:perf_hooks");
const { isDynamicProvider, writeBeforeEnd } = require("./provider-process");

const dir = process.env.GC_PROBE_DIR;
const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "major",
  [constants.NODE_PERFORMANCE_GC_MINOR]: "minor",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weak-callbacks",
};
const mb = (bytes) => (bytes / 1048576).toFixed(1);

if (isDynamicProvider && dir) {
  const lines = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const used = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size]));
      lines.push(
        `${entry.startTime.toFixed(0)} ms ${KINDS[entry.detail?.kind]} ${entry.duration.toFixed(1)} ms old=${mb(used.old_space)} young=${mb(used.new_space)} rss=${mb(process.memoryUsage.rss())}`,
      );
    }
  }).observe({ entryTypes: ["gc"] });
  writeBeforeEnd(() => appendFileSync(`${dir}/${process.pid}.log`, `${lines.splice(0).join("\n")}\n`));
}
if (isDynamicProvider && process.env.GC_PROBE_MUTE_STDERR === "1")
  process.stderr.write = (_chunk, encoding, callback) => {
    (typeof encoding === "function" ? encoding : callback)?.();
    return true;
  };

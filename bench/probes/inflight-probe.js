/**
 * Preloaded into the dynamic-provider process (NODE_OPTIONS=--require): how many API calls were in flight at once, and
 * their latency, from undici's diagnostics channels, to $INFLIGHT_PROBE_DIR/<pid>.json at exit (issue 17).
 */
const { subscribe } = require("node:diagnostics_channel");
const { writeFileSync } = require("node:fs");
const { isDynamicProvider, writeBeforeEnd } = require("./provider-process");

const dir = process.env.INFLIGHT_PROBE_DIR;
if (isDynamicProvider && dir) {
  const started = new WeakMap();
  const latenciesMs = [];
  let inFlight = 0;
  let maxInFlight = 0;
  subscribe("undici:request:create", ({ request }) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    started.set(request, performance.now());
  });
  const done = ({ request }) => {
    inFlight--;
    latenciesMs.push(performance.now() - (started.get(request) ?? performance.now()));
  };
  subscribe("undici:request:trailers", done);
  subscribe("undici:request:error", done);
  writeBeforeEnd(() => {
    const sorted = latenciesMs.sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
    writeFileSync(`${dir}/${process.pid}.json`, JSON.stringify({ calls: sorted.length, maxInFlight, p50Ms: at(0.5), p90Ms: at(0.9) }));
  });
}

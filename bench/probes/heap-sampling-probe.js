/**
 * Preloaded into the dynamic-provider process (NODE_OPTIONS=--require): V8's sampling heap profiler from the start to
 * $HEAP_PROBE_MS (default 8000) or exit, written to $HEAP_PROBE_DIR/<pid>.heapprofile (open it in Chrome's DevTools).
 * Objects the young generation collected are left out; HEAP_PROBE_MAJOR=0 leaves out those the old generation collected
 * too (what is alive at the end). The difference between the two runs is what was promoted and died (issue 17).
 */
const { writeFileSync } = require("node:fs");
const { Session } = require("node:inspector");
const { isDynamicProvider, writeBeforeEnd } = require("./provider-process");

const dir = process.env.HEAP_PROBE_DIR;
if (isDynamicProvider && dir) {
  const session = new Session();
  session.connect();
  // A session in the same thread answers synchronously.
  const post = (method, params = {}) => {
    let result;
    session.post(method, params, (error, answer) => {
      if (error) throw error;
      result = answer;
    });
    return result;
  };
  post("HeapProfiler.enable");
  post("HeapProfiler.startSampling", {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: process.env.HEAP_PROBE_MAJOR !== "0",
    includeObjectsCollectedByMinorGC: false,
  });
  const write = writeBeforeEnd(() =>
    writeFileSync(`${dir}/${process.pid}.heapprofile`, JSON.stringify(post("HeapProfiler.stopSampling").profile)),
  );
  setTimeout(write, Number(process.env.HEAP_PROBE_MS ?? 8000)).unref();
}

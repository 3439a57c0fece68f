/** What every probe here shares: whether this is the dynamic-provider process, and writing its findings before it ends. */

const { isDynamicProviderProcess } = require("../../dist/provider/resources/engineWatch.js");

/** Whether this process is Pulumi's Node.js dynamic-provider host (where the probes act; elsewhere they do nothing). */
exports.isDynamicProvider = isDynamicProviderProcess();

/** Runs `write` once, at exit or on SIGINT/SIGTERM (the engine may kill a plugin before it exits), then lets the signal act. */
exports.writeBeforeEnd = (write) => {
  let written = false;
  const once = () => {
    if (written) return;
    written = true;
    write();
  };
  process.on("exit", once);
  for (const signal of ["SIGINT", "SIGTERM"])
    process.once(signal, () => {
      once();
      process.kill(process.pid, signal);
    });
  return once;
};

// Preloaded into a test's Pulumi processes (NODE_OPTIONS=--require): this machine's clock, TAILER_TEST_CLOCK_SKEW_MS off.
const skewMs = Number(process.env.TAILER_TEST_CLOCK_SKEW_MS || 0);
const realNow = Date.now;
Date.now = () => realNow() + skewMs;

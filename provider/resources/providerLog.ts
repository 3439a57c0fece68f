/** What the provider tells the user of `pulumi up`: progress and diagnostic lines, always redacted. */
import type { ClientEvent } from "../client";
import { redact } from "../core/redact";
import { exitWhenStderrBreaks } from "./engineWatch";

/** A log line's severity. */
export type LogSeverity = "info" | "warn";

/** Where log lines go: the dynamic provider's stderr, which the engine relays to the CLI's output. */
let sink = (line: string, _severity: LogSeverity): void => {
  exitWhenStderrBreaks();
  process.stderr.write(`${line}\n`);
};

/** Sends log lines elsewhere (tests read them; the native plugin sends them to the engine); returns the previous sink. */
export function setLogSink(next: (line: string, severity: LogSeverity) => void): (line: string, severity: LogSeverity) => void {
  const previous = sink;
  sink = next;
  return previous;
}

/** Writes a progress or diagnostic line where the user of `pulumi up` sees it. */
export function log(severity: LogSeverity, message: string): void {
  sink(`${severity === "warn" ? "warning: " : ""}${redact(message)}`, severity);
}

/** Logs what the client reports (retries, adoptions). */
export function logClientEvent(event: ClientEvent): void {
  if (event.type === "retry")
    log("info", `tailer: ${event.action} attempt ${event.attempt} failed (${event.reason}); retrying in ${event.delayMs} ms`);
  else if (event.type === "launch-adopted")
    log("warn", `tailer: launch_job's answer was lost (${event.reason}); adopted run ${event.runId} instead of launching again`);
}

/** Formats milliseconds as "1h02m03s", "4m05s" or "6s" for progress lines. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h) return `${h}h${String(m).padStart(2, "0")}m${String(s).padStart(2, "0")}s`;
  if (m) return `${m}m${String(s).padStart(2, "0")}s`;
  return `${s}s`;
}

/**
 * Every number the emulator has to invent because the docs are silent, in one
 * place. Each can be overridden through `createEmulator({ guesses })`; the README
 * lists them with the reasoning behind each value.
 */

/** The tunable guesses. */
export interface Guesses {
  /** get_last_status rows when `limit` is absent (every documented example returns 3). */
  defaultLastStatusLimit: number;
  /** get_by_status rows when `limit` is absent. */
  defaultByStatusLimit: number;
  /** max_active_runs of a table-to-table configuration that does not set one. */
  defaultTableToTableMaxActiveRuns: number;
  /** max_active_runs of other types that do not set one (null: unlimited). */
  defaultOtherMaxActiveRuns: number | null;
  /** How long a run stays RUNNING when neither its configuration nor a scripted launch says (seconds). */
  defaultRunDurationSeconds: number;
}

/** The values used when nothing overrides them. */
export const DEFAULT_GUESSES: Readonly<Guesses> = Object.freeze({
  defaultLastStatusLimit: 3,
  defaultByStatusLimit: 100,
  defaultTableToTableMaxActiveRuns: 1,
  defaultOtherMaxActiveRuns: null,
  defaultRunDurationSeconds: 60,
});

/** Configuration types the API can launch; the others run on file arrival (storage) or by triggers (workflow). */
export const LAUNCHABLE_TYPES: ReadonlySet<string> = new Set([
  "table-to-table",
  "table-to-storage",
  "vm-launcher",
  "api-to-storage",
  "xml-conversion",
  "context",
  "file-utilities",
]);

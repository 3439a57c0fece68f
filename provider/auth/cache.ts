/**
 * The per-process token cache: one token per source and audience until shortly before it expires,
 * shared by every client in the process, and one mint at a time per key however many calls wait.
 */
import { registerSecret } from "../core/redact";

/** A token and when it stops being usable. */
export interface CachedToken {
  /** The bearer token. */
  token: string;
  /** Expiry in epoch milliseconds; undefined when the token does not say. */
  expiresAtMs?: number;
}

/** Refresh this long before expiry, so a token never dies in flight. */
const EAGER_REFRESH_MS = 5 * 60_000;

interface Entry {
  value?: CachedToken;
  inflight?: Promise<CachedToken>;
}

const entries = new Map<string, Entry>();
let mintCount = 0;

function fresh(value: CachedToken | undefined, nowMs: number): value is CachedToken {
  return value !== undefined && (value.expiresAtMs === undefined || value.expiresAtMs - EAGER_REFRESH_MS > nowMs);
}

/** Returns the cached token for `key`, or mints one with `mint` (once, whatever the number of callers). */
export async function cachedToken(key: string, mint: () => Promise<CachedToken>, nowMs = Date.now()): Promise<string> {
  let entry = entries.get(key);
  if (!entry) {
    entry = {};
    entries.set(key, entry);
  }
  if (fresh(entry.value, nowMs)) return entry.value.token;
  let inflight = entry.inflight;
  if (!inflight) {
    const current = entry;
    inflight = mint()
      .then((value) => {
        registerSecret(value.token);
        mintCount++;
        current.value = value;
        return value;
      })
      .finally(() => {
        current.inflight = undefined;
      });
    current.inflight = inflight;
  }
  return (await inflight).token;
}

/** How many tokens this process has minted or fetched (benchmarks: one per hour, not one per call). */
export function tokensMinted(): number {
  return mintCount;
}

/** Forgets every cached token (tests; or after the API refused a token, to force a new one). */
export function clearTokenCache(key?: string): void {
  if (key === undefined) entries.clear();
  else entries.delete(key);
}

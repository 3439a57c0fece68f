/**
 * Faults on demand: rules, added through the admin API, that make public-API
 * requests slow, refused (429, 5xx), reset, or processed without an answer.
 * A seeded RNG makes probabilistic rules reproducible.
 */
import { z } from "zod";
import { ACTIONS, type Action } from "../provider/client/schemas";

/** The kinds of fault. */
export const FAULT_KINDS = ["latency", "rate_limit", "error", "reset", "drop_response"] as const;
/** A kind of fault. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A fault rule as the admin API accepts it. */
export const FaultRuleInput = z.strictObject({
  id: z.string().min(1).max(100).optional(),
  kind: z.enum(FAULT_KINDS, { error: () => `kind must be one of ${FAULT_KINDS.join(", ")}` }),
  probability: z.number().min(0).max(1).optional(),
  max_count: z.number().int().min(1).optional(),
  action: z.enum(ACTIONS, { error: () => `action must be one of ${ACTIONS.join(", ")}` }).optional(),
  path: z.string().startsWith("/").optional(),
  latency_ms: z.number().min(0).max(120_000).optional(),
  status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).optional(),
  retry_after_seconds: z.number().int().min(0).max(86_400).optional(),
});
/** A fault rule as given. */
export type FaultRuleInput = z.infer<typeof FaultRuleInput>;

/** A fault rule with its defaults filled in and its use counted. */
export interface FaultRule {
  id: string;
  kind: FaultKind;
  /** Chance (0..1) that a matching request gets the fault. */
  probability: number;
  /** The rule stops applying after this many faults; null = never stops. */
  max_count: number | null;
  /** Only requests with this action (when the body names one). */
  action: Action | null;
  /** Only requests on this path. */
  path: string | null;
  /** latency: added delay. */
  latency_ms: number;
  /** error: the status answered. */
  status: number;
  /** rate_limit: the Retry-After header. */
  retry_after_seconds: number;
  /** How many times the rule applied. */
  applied: number;
}

/** What to do to one request. */
export interface FaultDecision {
  /** Total delay before handling (sum of the applying latency rules). */
  latencyMs: number;
  /** The one non-latency fault applying, if any. */
  fault: FaultRule | undefined;
}

const NO_FAULT: FaultDecision = Object.freeze({ latencyMs: 0, fault: undefined });

/** mulberry32: tiny, fast, good enough for test reproducibility. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Holds the fault rules and decides, per request, which apply. */
export class FaultInjector {
  private rules: FaultRule[] = [];
  private random: () => number;
  private nextId = 1;
  private currentSeed: number;

  constructor(seed?: number) {
    this.currentSeed = seed ?? Math.floor(Math.random() * 2 ** 32);
    this.random = mulberry32(this.currentSeed);
  }

  /** The RNG seed in use. */
  get seed(): number {
    return this.currentSeed;
  }

  /** Restarts the RNG from `seed`, so the same requests get the same faults. */
  reseed(seed: number): void {
    this.currentSeed = seed >>> 0;
    this.random = mulberry32(this.currentSeed);
  }

  /** Adds a rule (evaluated after the existing ones). */
  add(input: FaultRuleInput): FaultRule {
    const id = input.id ?? `fault-${this.nextId++}`;
    if (this.rules.some((r) => r.id === id)) this.remove(id);
    const rule: FaultRule = {
      id,
      kind: input.kind,
      probability: input.probability ?? 1,
      max_count: input.max_count ?? null,
      action: input.action ?? null,
      path: input.path ?? null,
      latency_ms: input.latency_ms ?? 100,
      status: input.kind === "rate_limit" ? 429 : (input.status ?? 503),
      retry_after_seconds: input.retry_after_seconds ?? 1,
      applied: 0,
    };
    this.rules.push(rule);
    return { ...rule };
  }

  /** Removes a rule; false when there is none with this id. */
  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /** Copies of the rules, in evaluation order. */
  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /**
   * Which faults apply to a request. Every matching latency rule adds its delay;
   * the first other matching rule that wins its draw is the fault.
   */
  decide(path: string, action: string | undefined): FaultDecision {
    if (this.rules.length === 0) return NO_FAULT;
    let latencyMs = 0;
    let fault: FaultRule | undefined;
    for (const rule of this.rules) {
      if (rule.max_count !== null && rule.applied >= rule.max_count) continue;
      if (rule.path !== null && rule.path !== path) continue;
      if (rule.action !== null && rule.action !== action) continue;
      if (rule.kind !== "latency" && fault !== undefined) continue;
      if (rule.probability < 1 && this.random() >= rule.probability) continue;
      rule.applied++;
      if (rule.kind === "latency") latencyMs += rule.latency_ms;
      else fault = rule;
    }
    return latencyMs === 0 && fault === undefined ? NO_FAULT : { latencyMs, fault };
  }
}

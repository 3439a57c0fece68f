/**
 * Faults on demand: rules, added through the admin API or the seed file, that make public-API requests
 * slow, refused (429, 5xx), reset, dropped before or after processing, performed late, answered with a
 * garbled body, or whose runs show up late. Each action draws from its own seeded RNG stream, so the
 * k-th request of an action gets the same decisions for the same seed, whatever other actions ran between.
 */
import { z } from "zod";
import { ACTIONS } from "../provider/client/schemas";
import { parseOrThrow } from "./validation";

/** The kinds of fault. */
export const FAULT_KINDS = [
  "latency",
  "rate_limit",
  "error",
  "reset",
  "drop_response",
  "late_processing",
  "garbled_body",
  "visibility_delay",
] as const;
/** A kind of fault. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Longest late_processing delay: a minute, past any client's patience. */
const MAX_LATE_PROCESSING_MS = 60_000;
/** Longest visibility delay: an hour. */
export const MAX_VISIBILITY_DELAY_MS = 3_600_000;

/** What every rule may say: its id, its chance, how often it applies, which requests it hits. */
const RuleFilter = {
  id: z.string().min(1).max(100).optional(),
  probability: z.number().min(0).max(1).default(1),
  max_count: z.number().int().min(1).nullable().default(null),
  action: z
    .enum(ACTIONS, { error: () => `action must be one of ${ACTIONS.join(", ")}` })
    .nullable()
    .default(null),
  path: z.string().startsWith("/").nullable().default(null),
};

/** A delay drawn in [delay_ms, delay_max_ms] (exactly delay_ms without a maximum). */
const delayRange = (max: number, fallback: number) => ({
  delay_ms: z.number().int().min(0).max(max).default(fallback),
  delay_max_ms: z.number().int().min(0).max(max).nullable().default(null),
});
const maxNotBelowDelay = (r: { delay_ms: number; delay_max_ms: number | null }) => r.delay_max_ms === null || r.delay_max_ms >= r.delay_ms;
const MAX_BELOW_DELAY = { message: "must not be less than delay_ms", path: ["delay_max_ms"] };

/** A fault rule as the admin API and the seed file accept it (fields per kind; unknown fields refused). */
export const FaultRuleInput = z.discriminatedUnion(
  "kind",
  [
    z.strictObject({ ...RuleFilter, kind: z.literal("latency"), latency_ms: z.number().min(0).max(120_000).default(100) }),
    z.strictObject({ ...RuleFilter, kind: z.literal("rate_limit"), retry_after_seconds: z.number().int().min(0).max(86_400).default(1) }),
    z.strictObject({ ...RuleFilter, kind: z.literal("error"), status: z.literal([500, 502, 503, 504]).default(503) }),
    z.strictObject({ ...RuleFilter, kind: z.literal("reset") }),
    z.strictObject({ ...RuleFilter, kind: z.literal("drop_response"), when: z.enum(["before", "after"]).default("after") }),
    z
      .strictObject({
        ...RuleFilter,
        kind: z.literal("late_processing"),
        status: z.literal([502, 504]).default(504),
        hold: z.boolean().default(false),
        ...delayRange(MAX_LATE_PROCESSING_MS, 5000),
      })
      .refine(maxNotBelowDelay, MAX_BELOW_DELAY),
    z.strictObject({
      ...RuleFilter,
      kind: z.literal("garbled_body"),
      garble: z.enum(["truncated", "html", "bad_run_id"]).default("truncated"),
    }),
    z
      .strictObject({ ...RuleFilter, kind: z.literal("visibility_delay"), ...delayRange(MAX_VISIBILITY_DELAY_MS, 1000) })
      .refine(maxNotBelowDelay, MAX_BELOW_DELAY),
  ],
  { error: (issue) => (issue.code === "invalid_union" ? `kind must be one of ${FAULT_KINDS.join(", ")}` : undefined) },
);

/** A fault rule with its defaults filled in and its use counted. */
export type FaultRule = z.output<typeof FaultRuleInput> & {
  id: string;
  /** How many times the rule applied. */
  applied: number;
};

/** A rule of one kind. */
export type FaultRuleOf<K extends FaultKind> = Extract<FaultRule, { kind: K }>;

/** What to do to one request. */
export interface FaultDecision {
  /** Real delay before handling (sum of the applying latency rules). */
  latencyMs: number;
  /** Emulated delay before the runs the request creates show in the public API (sum of the applying visibility rules). */
  visibilityDelayMs: number;
  /** The one other fault applying, if any. */
  fault: Exclude<FaultRule, { kind: "latency" | "visibility_delay" }> | undefined;
  /** late_processing: the emulated delay drawn for this request. */
  lateDelayMs: number;
}

const NO_FAULT: FaultDecision = Object.freeze({ latencyMs: 0, visibilityDelayMs: 0, fault: undefined, lateDelayMs: 0 });

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

/** The seed of one action's stream: the fault seed mixed with the action's name (FNV-1a). */
function streamSeed(seed: number, key: string): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

const drawDelay = (rule: { delay_ms: number; delay_max_ms: number | null }, random: () => number): number =>
  rule.delay_max_ms === null ? rule.delay_ms : rule.delay_ms + Math.floor(random() * (rule.delay_max_ms - rule.delay_ms + 1));

/** Holds the fault rules and decides, per request, which apply. */
export class FaultInjector {
  private rules: FaultRule[] = [];
  private streams = new Map<string, () => number>();
  private nextId = 1;
  private currentSeed: number;
  private readonly initialSeed: number;
  /** Emulated delay before any new run (launched, scheduled, triggered) shows in the public API. */
  visibilityDelayMs = 0;
  /** Whether answers carry a Date header; false answers without one, as behind a proxy that strips it. */
  dateHeader = true;

  /** `seed` (the faultSeed option) wins over a seed file's; without either, a random seed, kept for restarts. */
  constructor(private readonly configuredSeed?: number) {
    this.initialSeed = (configuredSeed ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
    this.currentSeed = this.initialSeed;
  }

  /**
   * Starts over (at start-up, and on reset) from a seed file's faults section: its rules only, its
   * visibility delay and Date header switch, and every RNG stream from the first draw of the configured
   * seed, so a reset replays.
   */
  restart(
    section: { seed?: number; visibility_delay_ms?: number; date_header?: boolean; rules?: readonly z.input<typeof FaultRuleInput>[] } = {},
  ): void {
    this.clear();
    this.reseed(this.configuredSeed ?? section.seed ?? this.initialSeed);
    this.visibilityDelayMs = section.visibility_delay_ms ?? 0;
    this.dateHeader = section.date_header ?? true;
    for (const rule of section.rules ?? []) this.add(rule);
  }

  /** The RNG seed in use. */
  get seed(): number {
    return this.currentSeed;
  }

  /** Restarts every action's RNG stream from `seed`, so the same requests get the same faults. */
  reseed(seed: number): void {
    this.currentSeed = seed >>> 0;
    this.streams.clear();
  }

  /** Adds a rule (evaluated after the existing ones; one with the same id is replaced); 400 naming the field when invalid. */
  add(input: z.input<typeof FaultRuleInput>): FaultRule {
    const parsed = parseOrThrow(FaultRuleInput, input);
    const id = parsed.id ?? `fault-${this.nextId++}`;
    this.remove(id);
    const rule = { ...parsed, id, applied: 0 } as FaultRule;
    this.rules.push(rule);
    return { ...rule };
  }

  /** Removes a rule; false when there is none with this id. */
  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  /** Removes every rule, the global visibility delay and a missing Date header. */
  clear(): void {
    this.rules = [];
    this.visibilityDelayMs = 0;
    this.dateHeader = true;
  }

  /** Copies of the rules, in evaluation order. */
  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  private stream(action: string | undefined): () => number {
    const key = action ?? "";
    let random = this.streams.get(key);
    if (!random) {
      random = mulberry32(streamSeed(this.currentSeed, key));
      this.streams.set(key, random);
    }
    return random;
  }

  /**
   * Which faults apply to a request. Every matching latency and visibility_delay rule adds its delay;
   * the first other matching rule that wins its draw is the fault. Draws come from the action's stream.
   */
  decide(path: string, action: string | undefined): FaultDecision {
    if (this.rules.length === 0) return NO_FAULT;
    const random = this.stream(action);
    const decision: FaultDecision = { latencyMs: 0, visibilityDelayMs: 0, fault: undefined, lateDelayMs: 0 };
    for (const rule of this.rules) {
      if (rule.max_count !== null && rule.applied >= rule.max_count) continue;
      if (rule.path !== null && rule.path !== path) continue;
      if (rule.action !== null && rule.action !== action) continue;
      const stacks = rule.kind === "latency" || rule.kind === "visibility_delay";
      if (!stacks && decision.fault !== undefined) continue;
      if (rule.probability < 1 && random() >= rule.probability) continue;
      rule.applied++;
      if (rule.kind === "latency") decision.latencyMs += rule.latency_ms;
      else if (rule.kind === "visibility_delay") decision.visibilityDelayMs += drawDelay(rule, random);
      else {
        decision.fault = rule;
        if (rule.kind === "late_processing") decision.lateDelayMs = drawDelay(rule, random);
      }
    }
    return decision.latencyMs === 0 && decision.visibilityDelayMs === 0 && decision.fault === undefined ? NO_FAULT : decision;
  }
}

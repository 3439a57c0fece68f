/**
 * The emulated clock: wall-clock time at start, then running `speed` times faster
 * on the monotonic timer (so wall-clock steps never move it backwards), plus
 * whatever tests add with `advance`.
 *
 * Never backwards across restarts: the clock hands out time under a "lease" that
 * is persisted before any time past it is served. A restart starts at the lease at
 * least, so it may jump forward by up to one lease window, never back.
 */
import { performance } from "node:perf_hooks";
import { US_PER_SECOND } from "../provider/client/wire";
import { wallClockUs } from "./format";

/** Options of the emulated clock. */
interface ClockOptions {
  /** How many emulated seconds pass per real second (1 = real time). */
  speed: number;
  /** The earliest time the clock may show (the persisted lease of a previous process). */
  notBeforeUs?: number;
  /** Called, synchronously, with a new lease before any time past the old one is served. */
  persistLease?: (leaseUs: number) => void;
  /** Real seconds covered by one lease (default 1). */
  leaseRealSeconds?: number;
}

/** A monotonic, speed-adjustable clock in epoch microseconds. */
export class EmulatorClock {
  /** Emulated seconds per real second. */
  readonly speed: number;
  private anchorUs: number;
  private anchorRealMs: number;
  private lastUs: number;
  private leaseUs: number;
  private readonly leaseWindowUs: number;
  private readonly persistLease: ((leaseUs: number) => void) | undefined;

  constructor(options: ClockOptions) {
    if (!(options.speed > 0) || !Number.isFinite(options.speed)) {
      throw new RangeError(`clock speed must be a positive number, got ${options.speed}`);
    }
    this.speed = options.speed;
    this.anchorUs = Math.max(wallClockUs(), Math.ceil(options.notBeforeUs ?? 0));
    this.anchorRealMs = performance.now();
    this.lastUs = this.anchorUs;
    this.persistLease = options.persistLease;
    this.leaseWindowUs = Math.ceil((options.leaseRealSeconds ?? 1) * US_PER_SECOND * this.speed);
    this.leaseUs = this.anchorUs;
    this.extendLease(this.anchorUs);
  }

  /** The emulated time now, in epoch microseconds; never less than a previous answer. */
  nowUs(): number {
    const t = Math.floor(this.anchorUs + (performance.now() - this.anchorRealMs) * 1000 * this.speed);
    if (t > this.lastUs) this.lastUs = t;
    if (this.lastUs >= this.leaseUs) this.extendLease(this.lastUs);
    return this.lastUs;
  }

  /** Moves the clock forward by `us` microseconds (negative values are refused). */
  advance(us: number): number {
    if (!(us >= 0) || !Number.isFinite(us)) throw new RangeError(`cannot advance the clock by ${us} microseconds`);
    this.anchorUs += Math.round(us);
    return this.nowUs();
  }

  /** Real milliseconds until the emulated clock reaches `us` (0 when it already has). */
  realDelayMsUntil(us: number): number {
    const delta = us - this.nowUs();
    return delta <= 0 ? 0 : delta / 1000 / this.speed;
  }

  /** The persisted lease: no restart will start before it. */
  get lease(): number {
    return this.leaseUs;
  }

  private extendLease(fromUs: number): void {
    this.leaseUs = fromUs + this.leaseWindowUs;
    this.persistLease?.(this.leaseUs);
  }
}

/**
 * undici's Agent and request, without the rest of undici. `require("undici")` loads fetch, WebSocket,
 * the cache, the mocks and more: about 20 MB of the provider process, against a 200 MB budget. The
 * Agent and the request API alone take about 12 MB. The deep paths are undici's own layout (the package
 * has no exports map); should an upgrade move them, the package root is used instead and only the
 * memory saving is lost.
 */
import type { Dispatcher, Agent as UndiciAgent } from "undici";

/** What the client needs of undici. */
export interface Transport {
  /** undici's Agent class. */
  Agent: typeof UndiciAgent;
  /** Sends one request through `dispatcher` (undici's `dispatcher.request`). */
  request(dispatcher: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
}

type RequestApi = (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

function load(): Transport {
  try {
    const Agent = require("undici/lib/dispatcher/agent.js") as typeof UndiciAgent;
    const { request } = require("undici/lib/api/index.js") as { request: RequestApi };
    if (typeof Agent === "function" && typeof request === "function")
      // A dispatcher of the caller's may come from the full undici, with request on its prototype.
      return {
        Agent,
        request: (dispatcher, options) => (dispatcher.request ? dispatcher.request(options) : request.call(dispatcher, options)),
      };
  } catch {
    // moved: fall through to the package root
  }
  const undici = require("undici") as typeof import("undici");
  return { Agent: undici.Agent, request: (dispatcher, options) => dispatcher.request(options) };
}

let transport: Transport | undefined;

/** The transport, loaded once per process. */
export function undiciTransport(): Transport {
  transport ??= load();
  return transport;
}

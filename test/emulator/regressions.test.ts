/**
 * Regression tests of the emulator's clean-up (issue 16), each named after the bug it pins.
 * better-sqlite3 is replaced with jest's module registry, in isolation, so each test loads the
 * emulator afresh against a driver that fails the way the bug needs.
 */

import { AdminApiError, ClientGoneError, isEmulatorError, UsageError } from "../../emulator/errors";
import type * as EmulatorModule from "../../emulator/index";

/**
 * What createEmulator threw, with the emulator loaded afresh and `factory` standing in for better-sqlite3.
 * The store requires the driver on first use: that happens inside the isolated registry too.
 */
function creationError(factory: () => unknown, database = ":memory:"): Error & { code?: string } {
  let error: unknown;
  jest.isolateModules(() => {
    jest.doMock("better-sqlite3", factory);
    const emulator = require("../../emulator/index") as typeof EmulatorModule;
    try {
      void emulator.createEmulator({ database, seed: null }).close();
    } catch (e) {
      error = e;
    }
  });
  if (error === undefined) throw new Error("createEmulator did not throw");
  return error as Error & { code?: string };
}

/** A stand-in driver whose file databases fail their first statement with `error` (the in-memory probe works). */
function driverFailingWith(error: { code: string; message: string }) {
  return () =>
    class FakeDatabase {
      constructor(readonly path: string) {}
      pragma(): undefined {
        return undefined;
      }
      exec(): never {
        throw Object.assign(new Error(error.message), { code: error.code });
      }
      close(): void {}
    };
}

afterEach(() => {
  jest.dontMock("better-sqlite3");
  jest.resetModules();
});

describe("regression: better-sqlite3 (optional) was imported unguarded, so a missing native build failed obscurely", () => {
  it("the emulator still loads without the module, and createEmulator says to run npm rebuild better-sqlite3", () => {
    const error = creationError(() => {
      throw new Error("Cannot find module 'better-sqlite3'");
    });
    expect(error.code).toBe("sqlite_unavailable");
    expect(error.message).toMatch(/better-sqlite3, cannot be loaded \(Cannot find module 'better-sqlite3'\).*npm rebuild better-sqlite3/);
  });

  it("a module whose native addon cannot be found fails at once with the same advice, not on the first open", () => {
    const error = creationError(() =>
      jest.fn(() => {
        throw new Error("Could not locate the bindings file. Tried:\n → build/better_sqlite3.node");
      }),
    );
    expect(error.code).toBe("sqlite_unavailable");
    expect(error.message).toMatch(/\(Could not locate the bindings file\. Tried:\).*`npm rebuild better-sqlite3`/);
  });
});

describe("regression: store.ts matched /locked|busy/ in messages instead of SQLite's codes", () => {
  it("SQLITE_BUSY is 'in use by another process' whatever its message says", () => {
    const error = creationError(driverFailingWith({ code: "SQLITE_BUSY", message: "the file is held elsewhere" }), "/tmp/state.db");
    expect(error.message).toMatch(/database \/tmp\/state\.db is in use by another process/);
  });

  it("SQLITE_LOCKED_SHAREDCACHE (an extended code) is too", () => {
    const error = creationError(driverFailingWith({ code: "SQLITE_LOCKED_SHAREDCACHE", message: "table is held" }), "/tmp/state.db");
    expect(error.message).toMatch(/in use by another process/);
  });

  it("an I/O error whose message mentions 'busy' is reported as itself", () => {
    const error = creationError(driverFailingWith({ code: "SQLITE_IOERR", message: "disk I/O error: device busy" }), "/tmp/state.db");
    expect(error.message).toBe("cannot open database /tmp/state.db: disk I/O error: device busy");
    expect(error.code).toBe("invalid_options");
  });
});

describe("regression: ClientGoneError, AdminApiError and UsageError stood outside the EmulatorError family", () => {
  it.each([
    [new ClientGoneError(), "client_gone"],
    [new AdminApiError(404, { code: 404, data: {}, message: "nope" }, "GET", "/_emulator/x"), "admin_request_failed"],
    [new UsageError("--port must be a number"), "usage"],
  ])("%s has the brand and a stable code", (error, code) => {
    expect(isEmulatorError(error)).toBe(true);
    expect(error.code).toBe(code);
  });

  it("AdminApiError carries the status, the server's message and the body", () => {
    const error = new AdminApiError(409, { code: 409, data: {}, message: "already there" }, "POST", "/_emulator/runs");
    expect(error).toMatchObject({ status: 409, httpStatus: 409, body: { message: "already there" } });
    expect(error.message).toBe("POST /_emulator/runs -> 409: already there");
  });
});

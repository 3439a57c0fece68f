/**
 * Every curl example of both documentation pages, sent to the emulator with the
 * URL and token swapped, gets the documented response. The examples and the
 * responses are read from the pages themselves at test time.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { type Action, RESPONSE_SCHEMAS } from "../../provider/client/schemas";
import { type DocExample, docPages, examplesOf, SEED_PAGES_DIR } from "./helpers/doc-examples";
import { closeAll, type Harness, LAUNCHED_RUN_ID, startEmulator } from "./helpers/harness";

const pages = docPages();
const examples = pages.flatMap((p) => examplesOf(p));
const newer = examples.filter((e) => e.page.startsWith("000_"));
const older = examples.filter((e) => e.page.startsWith("001_"));

let h: Harness;
beforeAll(async () => {
  h = await startEmulator();
});
afterAll(closeAll);
// Each example runs against the docs' world as the page shows it: launches must not leak into later reads.
beforeEach(async () => {
  await h.admin.reset();
});

describe("the doc pages", () => {
  it("are the documentation pages verbatim (their SHA-256 is pinned, so an edit of the copy fails)", () => {
    const digests = Object.fromEntries(
      pages.map((page) => [path.basename(page), createHash("sha256").update(readFileSync(page)).digest("hex")]),
    );
    expect(digests).toEqual({
      "000_17aec160b6ddead1.txt": "1d7f77ff5123e48d0408244d6d0b4e030070d778ace03631f613acc2bd8cc3cf",
      "001_12e605dd02197ead.txt": "f83d9b0841d34b6c1f21e2ebc103f1ed08aaffaed3a9cd17f540028aa55af021",
    });
  });

  it("hold 9 curl examples (newer page) and 6 (older page)", () => {
    expect(pages.map((p) => path.relative(SEED_PAGES_DIR, p))).toHaveLength(2);
    expect(newer).toHaveLength(9);
    expect(older).toHaveLength(6);
  });
});

function parseBody(example: DocExample): Record<string, unknown> | undefined {
  try {
    return JSON.parse(example.bodyText) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

describe.each(examples.map((e) => [e.name, e] as const))("doc example %s", (_name, example) => {
  const body = parseBody(example);

  if (body === undefined) {
    it("is not valid JSON on the page, and gets a 400 naming the JSON error and its position", async () => {
      const r = await h.post(example.path, undefined, { raw: example.bodyText });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({
        code: 400,
        data: {},
        message: expect.stringMatching(/not valid JSON: expected ',' or '\}'.*line \d+, column \d+, position \d+/),
      });
      expect((await h.admin.info()).internal_errors).toBe(0);
    });
    return;
  }

  const action = body.action as Action;

  it(`(${action}) answers 200 with a body of the documented shape`, async () => {
    const r = await h.post(example.path, undefined, { raw: example.bodyText });
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("application/json");
    expect(RESPONSE_SCHEMAS[action].safeParse(r.body).success).toBe(true);
  });

  const documented = example.documentedResponse;
  if (documented === undefined) return;

  if ("run_id" in documented) {
    it("answers a fresh run id where the page shows one (run ids are never reused)", async () => {
      const r = await h.post(example.path, undefined, { raw: example.bodyText });
      expect(Object.keys(r.body as object)).toEqual(Object.keys(documented));
      expect((r.body as { run_id: string }).run_id).toMatch(LAUNCHED_RUN_ID);
      // Compact JSON, as the newer page prints it.
      expect(r.text).toBe(JSON.stringify(r.body));
    });
  } else {
    it("answers exactly the documented response", async () => {
      const r = await h.post(example.path, undefined, { raw: example.bodyText });
      expect(r.body).toEqual(documented);
      // Same keys in the same (sorted) order as the page prints them.
      expect(r.text).toBe(JSON.stringify(documented));
    });
  }
});

describe("the older page's broken example, once fixed", () => {
  const broken = older.find((e) => parseBody(e) === undefined) as DocExample;

  it("is the get_last_status example with the slashed execution_date", () => {
    expect(broken.bodyText).toContain('"execution_date": "2020/11/19"');
  });

  it("accepts the YYYY/MM/DD date and filters runs by that UTC day", async () => {
    const fixed = broken.bodyText.replace('"000110-tailer-STS-POC-ETL-VTE"\n', '"000110-tailer-STS-POC-ETL-VTE",\n');
    const r = await h.post(broken.path, undefined, { raw: fixed });
    expect(r.status).toBe(200);
    const results = (r.body as { results: Array<{ start_execution_date: string }> }).results;
    expect(results).toHaveLength(2);
    for (const run of results) expect(run.start_execution_date.startsWith("2020-11-19T")).toBe(true);
  });
});

describe("the older page's launch example", () => {
  const launch = older.find((e) => parseBody(e)?.action === "launch_job") as DocExample;

  it("documents a braceless, short run id, which the emulator answers in the newer, full form", async () => {
    expect(launch.documentedResponseText).toBe('"run_id": "20201105-1588f12a-73f0-4f5c-8592-5cd3ce793a29"');
    const r = await h.post(launch.path, undefined, { raw: launch.bodyText });
    expect(r.status).toBe(200);
    expect(r.body.run_id).toMatch(LAUNCHED_RUN_ID);
  });

  it("keeps its job_id and execution_date on the run", async () => {
    const r = await h.post(launch.path, undefined, { raw: launch.bodyText });
    const [run] = await h.admin.listRuns({ run_id: r.body.run_id });
    expect(run).toMatchObject({
      job_id: "gbq-to-gbq|000110-tailer-TTT-POC-ETL-VTE_DEV",
      execution_date: "2020-11-09",
      configuration_type: "gbq-to-gbq",
    });
  });
});

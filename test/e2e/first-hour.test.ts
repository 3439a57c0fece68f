/**
 * A new user's first hour, as the README's "Use it in your project" tells it, every block run as written in a
 * fresh folder: `pulumi new` from the template (which installs this package's packed tarball), the emulator started
 * with `npx`, `pulumi up`, someone switching the load off through the public API (the curl block), the drift gate
 * failing, the repair, destroy. It asserts the exit codes and the lines users read.
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AdminClient } from "../../emulator/admin-client";
import { npmInstallEnv } from "../helpers/npm-install";
import { offlineEnv, REPO } from "../helpers/pulumi";
import {
  type CodeBlock,
  codeBlocks,
  expectSucceeded,
  freeLocalUrl,
  publishedTemplate,
  README_EMULATOR_URL,
  ShellSession,
  TEMPLATE_URL,
} from "../helpers/readme";

jest.setTimeout(900_000);

const section = codeBlocks("README.md").filter((b) => b.section === "Use it in your project");

test("the README's program is the template's index.ts", () => {
  const program = section.find((b) => b.lang === "typescript");
  expect(program?.code).toBe(readFileSync(join(REPO, "templates", "typescript", "index.ts"), "utf8"));
});

test("a new user's first hour: pulumi new from the template, the emulator, up, drift seen and repaired, destroy, as the README says", async () => {
  expect(section.map((b) => [b.lang, b.marker?.mode])).toEqual([
    ["bash", undefined],
    ["bash", "background"],
    ["bash", undefined],
    ["typescript", undefined],
    ["bash", undefined],
    ["bash", undefined],
  ]);
  const [create, emulator, deploy, , studio, gate] = section as [CodeBlock, CodeBlock, CodeBlock, CodeBlock, CodeBlock, CodeBlock];
  const scratch = mkdtempSync(join(tmpdir(), "tailer-first-hour-"));
  for (const folder of ["user", "state", "home"]) mkdirSync(join(scratch, folder));
  const url = await freeLocalUrl();
  const session = new ShellSession(
    join(scratch, "user"),
    { ...offlineEnv(join(scratch, "state"), join(scratch, "home")), ...npmInstallEnv(), TAILER_EMULATOR_URL: url },
    [
      [TEMPLATE_URL, publishedTemplate(scratch)],
      [README_EMULATOR_URL, url],
    ],
  );
  try {
    const created = await session.run(create.code);
    expectSucceeded(created);
    expect(created[0]?.output).toContain("Created stack 'dev'");
    expect(created[0]?.output).toContain("Your new project is ready to go!");
    expect(session.cwd).toBe(join(scratch, "user", "sales-platform"));

    const banner = await session.start(emulator.code, /^READY /m);
    expect(banner).toContain(`Tailer API emulator listening on ${url}`);
    expect(banner).toContain(`key in ${join(session.cwd, ".tailer-emulator")}`);
    const admin = new AdminClient(url, /admin token: (\S+)/.exec(banner)?.[1] as string);

    const deployed = await session.run(deploy.code);
    expectSucceeded(deployed);
    expect(deployed[2]?.output).toMatch(/tailer: run \d{8}-\d{6}-[0-9a-f-]+ of 000099_sales_load_PROD: SUCCESS/);
    expect(deployed[2]?.output).toMatch(/backfillStatus: "SUCCESS"/);
    expect(deployed[2]?.output).toMatch(/\+ 3 created/);
    const prod = {
      account: "000099",
      environment: "PROD",
      configuration_type: "table-to-table",
      configuration_id: "000099_sales_load_PROD",
    } as const;
    expect((await admin.listConfigurations(prod))[0]?.activated).toBe(true);

    const switched = await session.run(studio.code);
    expectSucceeded(switched);
    expect(switched[1]?.output).toBe('{"message":"ok"}');
    expect(switched[2]?.output).toMatch(/^\{"run_id":"\d{8}-\d{6}-[0-9a-f-]+"\}$/);

    const [preview, repair, destroy] = await session.run(gate.code);
    expect(preview?.code).not.toBe(0);
    expect(preview?.output).toMatch(/~ activated\s+: true => false/);
    expect(preview?.output).toMatch(/\+ lastRunStatus\s+: "DEACTIVATED"/);
    expect(preview?.output).toContain("error: no changes were expected for preview but changes were proposed");
    expect(repair?.code).toBe(0);
    expect(repair?.output).toMatch(/~ 1 updated/);
    expect((await admin.listConfigurations(prod))[0]?.activated).toBe(true);
    expect(destroy?.code).toBe(0);
    expect(destroy?.output).toMatch(/- 3 deleted/);
    expect((await admin.listConfigurations(prod))[0]?.activated).toBe(true); // onDelete: keep

    // The template's tsconfig is one even the TypeScript bundled in @pulumi/pulumi reads (the TS6046 trap).
    renameSync(join(session.cwd, "node_modules", "typescript"), join(scratch, "typescript-aside"));
    const [bundled] = await session.run("pulumi preview\n");
    expect(bundled?.output).not.toContain("TS6046");
    expect(bundled?.code).toBe(0);
  } finally {
    await session.close();
    rmSync(scratch, { recursive: true, force: true });
  }
});

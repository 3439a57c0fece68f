/** A YAML program run by the offline CLI through pulumi-yaml's language host, built by scripts/ensure-pulumi.sh. */
import { createProgramStack, type ProgramStack } from "../helpers/programs";

jest.setTimeout(300_000);

const PROGRAM = `name: yamlhost
runtime: yaml
config:
  greeting:
    type: string
  token:
    type: string
  release:
    type: integer
    default: 1
variables:
  parts:
    fn::split:
      - ","
      - load,aggregate,export
outputs:
  shout:
    fn::join: ["", ["\${greeting}", "!"]]
  encoded:
    fn::toBase64: \${greeting}
  second: \${parts[1]}
  stage: \${parts}
  release: \${release}
  token: \${token}
  sealed:
    fn::secret: not-for-logs
  where: \${pulumi.project}/\${pulumi.stack}
`;

const SECRET = "yaml-s3cr3t-value";
let stack: ProgramStack | undefined;

afterEach(() => stack?.dispose());

test("pulumi up evaluates config, a secret, variables and fn:: builtins into outputs; pulumi destroy empties the stack", async () => {
  stack = await createProgramStack(
    { "Pulumi.yaml": PROGRAM },
    { config: { greeting: "hi", release: "3" }, secretConfig: { token: SECRET } },
  );
  const up = await stack.pulumi(["up", "--yes"]);
  expect(up.code).toBe(0);
  expect(up.stdout + up.stderr).not.toContain(SECRET);

  expect(await stack.outputs()).toEqual({
    shout: "hi!",
    encoded: "aGk=",
    second: "aggregate",
    stage: ["load", "aggregate", "export"],
    release: 3,
    token: "[secret]",
    sealed: "[secret]",
    where: "yamlhost/test",
  });
  expect(await stack.outputs(true)).toMatchObject({ token: SECRET, sealed: "not-for-logs" });
  expect((await stack.pulumi(["preview", "--expect-no-changes"])).code).toBe(0);

  const destroy = await stack.pulumi(["destroy", "--yes"]);
  expect(destroy.code).toBe(0);
  expect(await stack.outputs()).toEqual({});
});

test("a YAML error fails the update with a non-zero exit code and names the problem", async () => {
  stack = await createProgramStack(
    { "Pulumi.yaml": PROGRAM.replace(`\${parts[1]}`, `\${missing}`) },
    {
      config: { greeting: "hi" },
      secretConfig: { token: SECRET },
    },
  );
  const up = await stack.pulumi(["up", "--yes"]);
  expect(up.code).not.toBe(0);
  expect(up.stdout + up.stderr).toContain('resource or variable named "missing" could not be found');
});

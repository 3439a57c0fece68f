package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/tailer/pulumi-tailer/tools/pulumi-cli/internal/hosttest"
	"google.golang.org/protobuf/types/known/structpb"
)

// fakeRun installs a stand-in for @pulumi/pulumi/cmd/run that records its
// argv, cwd and the environment it was given, then exits with $FAKE_EXIT.
func fakeRun(t *testing.T) (record string) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is not on PATH: these tests run the host against a real node")
	}
	dir := t.TempDir()
	record = filepath.Join(dir, "record.json")
	script := filepath.Join(dir, "run.js")
	writeFile(t, script, `
const fs = require("fs");
const pick = (k) => process.env[k];
fs.writeFileSync(process.env.FAKE_RECORD, JSON.stringify({
  argv: process.argv.slice(2), execArgv: process.execArgv, cwd: process.cwd(),
  config: pick("PULUMI_CONFIG"), secretKeys: pick("PULUMI_CONFIG_SECRET_KEYS"),
  typescript: pick("PULUMI_NODEJS_TYPESCRIPT") || "", tsconfig: pick("PULUMI_NODEJS_TSCONFIG_PATH") || "",
}));
process.exit(Number(process.env.FAKE_EXIT || "0"));
`)
	t.Setenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH", script)
	t.Setenv("FAKE_RECORD", record)
	return record
}

var (
	writeFile  = hosttest.WriteFile
	mustEval   = hosttest.MustEval
	readRecord = hosttest.ReadJSON[recorded]
)

type recorded struct {
	Argv       []string `json:"argv"`
	ExecArgv   []string `json:"execArgv"`
	Cwd        string   `json:"cwd"`
	Config     string   `json:"config"`
	SecretKeys string   `json:"secretKeys"`
	Typescript string   `json:"typescript"`
	Tsconfig   string   `json:"tsconfig"`
}

func TestRunPassesProtocolArgumentsAndEnvironment(t *testing.T) {
	record := fakeRun(t)
	proj := t.TempDir()
	host := &nodeHost{defaults: runtimeOptions{typescript: true}}
	host.SetEngineAddress("127.0.0.1:7")

	resp, err := host.Run(context.Background(), &pulumirpc.RunRequest{
		Project: "proj", Stack: "dev", Organization: "org", Pwd: proj, DryRun: true, Parallel: 4,
		MonitorAddress:   "127.0.0.1:9",
		Config:           map[string]string{"proj:plain": "v"},
		ConfigSecretKeys: []string{"proj:sec"},
		Info:             &pulumirpc.ProgramInfo{RootDirectory: proj, ProgramDirectory: proj, EntryPoint: "."},
		Args:             []string{"extra"},
	})
	if err != nil || resp.GetError() != "" || resp.GetBail() {
		t.Fatalf("Run: resp=%v err=%v", resp, err)
	}
	r := readRecord(t, record)
	want := []string{
		"--monitor=127.0.0.1:9", "--engine=127.0.0.1:7", "--organization=org", "--project=proj",
		"--root-directory=" + proj, "--stack=dev", "--pwd=" + proj, "--dry-run", "--parallel=4", ".", "extra",
	}
	if !slices.Equal(r.Argv, want) {
		t.Errorf("argv = %q, want %q", r.Argv, want)
	}
	if got, _ := filepath.EvalSymlinks(r.Cwd); got != mustEval(t, proj) {
		t.Errorf("cwd = %s, want %s", r.Cwd, proj)
	}
	if r.Config != `{"proj:plain":"v"}` || r.SecretKeys != `["proj:sec"]` {
		t.Errorf("config env = %s / %s", r.Config, r.SecretKeys)
	}
	if r.Typescript != "true" {
		t.Errorf("PULUMI_NODEJS_TYPESCRIPT = %q, want true", r.Typescript)
	}
}

func TestRunHonoursRuntimeOptions(t *testing.T) {
	record := fakeRun(t)
	proj := t.TempDir()
	opts, err := structpb.NewStruct(map[string]any{
		"typescript": false, "nodeargs": "--no-warnings", "tsconfig": "tsconfig.pulumi.json",
	})
	if err != nil {
		t.Fatal(err)
	}
	host := &nodeHost{defaults: runtimeOptions{typescript: true}}
	resp, err := host.Run(context.Background(), &pulumirpc.RunRequest{
		Pwd: proj, MonitorAddress: "127.0.0.1:9", Program: "main.js",
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: proj, Options: opts},
	})
	if err != nil || resp.GetError() != "" {
		t.Fatalf("Run: resp=%v err=%v", resp, err)
	}
	r := readRecord(t, record)
	if r.Typescript != "" || r.Tsconfig != "tsconfig.pulumi.json" {
		t.Errorf("typescript=%q tsconfig=%q", r.Typescript, r.Tsconfig)
	}
	if !slices.Contains(r.ExecArgv, "--no-warnings") {
		t.Errorf("execArgv = %q, want --no-warnings", r.ExecArgv)
	}
	if r.Argv[len(r.Argv)-1] != "main.js" || slices.Contains(r.Argv, "--dry-run") {
		t.Errorf("argv = %q", r.Argv)
	}
}

func TestRunExitCodes(t *testing.T) {
	fakeRun(t)
	proj := t.TempDir()
	host := &nodeHost{}
	req := &pulumirpc.RunRequest{Pwd: proj, MonitorAddress: "127.0.0.1:9"}

	t.Setenv("FAKE_EXIT", "32")
	resp, err := host.Run(context.Background(), req)
	if err != nil || !resp.GetBail() || resp.GetError() != "" {
		t.Errorf("exit 32: want bail, got resp=%v err=%v", resp, err)
	}
	t.Setenv("FAKE_EXIT", "3")
	resp, err = host.Run(context.Background(), req)
	if err != nil || resp.GetBail() || !strings.Contains(resp.GetError(), "non-zero exit code: 3") {
		t.Errorf("exit 3: got resp=%v err=%v", resp, err)
	}
}

func TestRunReportsMissingSDK(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is not on PATH: these tests run the host against a real node")
	}
	t.Setenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH", "")
	t.Setenv("NODE_PATH", "")
	proj := t.TempDir()
	resp, err := (&nodeHost{}).Run(context.Background(), &pulumirpc.RunRequest{Pwd: proj, MonitorAddress: "x"})
	if err != nil || !strings.Contains(resp.GetError(), "Pulumi SDK has not been installed") {
		t.Errorf("got resp=%v err=%v", resp, err)
	}
}

func TestGetRequiredPackagesFindsResourcePlugins(t *testing.T) {
	proj := t.TempDir()
	nm := filepath.Join(proj, "node_modules")
	writeFile(t, filepath.Join(nm, "@pulumi", "pulumi", "package.json"), `{"name":"@pulumi/pulumi","version":"3.248.0"}`)
	writeFile(t, filepath.Join(nm, "@pulumi", "random", "package.json"),
		`{"name":"@pulumi/random","version":"4.16.0","pulumi":{"resource":true}}`)
	writeFile(t, filepath.Join(nm, "@acme", "thing", "package.json"),
		`{"name":"@acme/thing","version":"1.0.0","pulumi":{"resource":true,"name":"thing","version":"2.0.0","server":"https://example.invalid"}}`)
	writeFile(t, filepath.Join(nm, "@acme", "thing", "node_modules", "nested", "package.json"),
		`{"name":"nested","version":"0.1.0","pulumi":{"resource":true}}`)
	writeFile(t, filepath.Join(nm, "left-pad", "package.json"), `{"name":"left-pad","version":"1.3.0"}`)

	resp, err := (&nodeHost{}).GetRequiredPackages(context.Background(), &pulumirpc.GetRequiredPackagesRequest{
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: proj},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range resp.GetPackages() {
		got = append(got, p.GetKind()+":"+p.GetName()+"@"+p.GetVersion()+" "+p.GetServer())
	}
	want := []string{
		"resource:nested@v0.1.0 ",
		"resource:random@v4.16.0 ",
		"resource:thing@v2.0.0 https://example.invalid",
	}
	if !slices.Equal(got, want) {
		t.Errorf("packages = %q, want %q", got, want)
	}
}

func TestGetProgramDependenciesReportsInstalledVersions(t *testing.T) {
	proj := t.TempDir()
	writeFile(t, filepath.Join(proj, "package.json"),
		`{"dependencies":{"@pulumi/pulumi":"^3.248.0"},"devDependencies":{"typescript":"~5.9.3"}}`)
	writeFile(t, filepath.Join(proj, "node_modules", "@pulumi", "pulumi", "package.json"), `{"version":"3.248.0"}`)
	resp, err := (&nodeHost{}).GetProgramDependencies(context.Background(), &pulumirpc.GetProgramDependenciesRequest{
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: proj},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range resp.GetDependencies() {
		got = append(got, d.GetName()+"="+d.GetVersion())
	}
	want := []string{"@pulumi/pulumi=3.248.0", "typescript=~5.9.3"}
	if !slices.Equal(got, want) {
		t.Errorf("dependencies = %q, want %q", got, want)
	}
}

func TestDetectPackageManager(t *testing.T) {
	dir := t.TempDir()
	if pm := detectPackageManager(dir, ""); pm != "npm" {
		t.Errorf("default = %s", pm)
	}
	writeFile(t, filepath.Join(dir, "yarn.lock"), "")
	if pm := detectPackageManager(dir, ""); pm != "yarn" {
		t.Errorf("with yarn.lock = %s", pm)
	}
	if pm := detectPackageManager(dir, "pnpm"); pm != "pnpm" {
		t.Errorf("configured = %s", pm)
	}
}

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/tailer/pulumi-tailer/tools/pulumi-cli/internal/langhost"
	"google.golang.org/protobuf/types/known/emptypb"
)

func TestRunPassesProtocolArgumentsAndEnvironment(t *testing.T) {
	requirePython(t)
	executor, record := fakeExecutor(t)
	proj := t.TempDir()
	host := &pythonHost{executor: executor}
	host.SetEngineAddress("127.0.0.1:7")

	resp, err := host.Run(context.Background(), &pulumirpc.RunRequest{
		Project: "proj", Stack: "dev", Organization: "org", Pwd: proj, DryRun: true, Parallel: 4,
		MonitorAddress:   "127.0.0.1:9",
		Config:           map[string]string{"proj:plain": "v", "proj:token": "s3cret"},
		ConfigSecretKeys: []string{"proj:token"},
		Info:             programInfo(t, proj, proj, nil),
		Args:             []string{"extra"},
	})
	if err != nil || resp.GetError() != "" || resp.GetBail() {
		t.Fatalf("Run: resp=%v err=%v", resp, err)
	}
	r := readRecord(t, record)
	want := []string{
		"--monitor", "127.0.0.1:9", "--engine", "127.0.0.1:7", "--project", "proj", "--root_directory", proj,
		"--stack", "dev", "--pwd", proj, "--dry_run", "true", "--parallel", "4", "--organization", "org", ".", "extra",
	}
	if !slices.Equal(r.Argv, want) {
		t.Errorf("argv = %q\nwant   %q", r.Argv, want)
	}
	if mustEval(t, r.Cwd) != mustEval(t, proj) {
		t.Errorf("cwd = %s, want %s", r.Cwd, proj)
	}
	if r.Config != `{"proj:plain":"v","proj:token":"s3cret"}` || r.SecretKeys != `["proj:token"]` {
		t.Errorf("PULUMI_CONFIG = %s, PULUMI_CONFIG_SECRET_KEYS = %s", r.Config, r.SecretKeys)
	}
	if r.VirtualEnv != "" {
		t.Errorf("without a virtualenv option, VIRTUAL_ENV = %q", r.VirtualEnv)
	}
}

func TestRunUsesTheVirtualenvNamedInPulumiYaml(t *testing.T) {
	executor, record := fakeExecutor(t)
	root := t.TempDir()
	program := filepath.Join(root, "src") // Pulumi.yaml's main: src/ - the virtualenv stays relative to the root
	writeFile(t, filepath.Join(program, "__main__.py"), "")
	venv := newVirtualenv(t, filepath.Join(root, "venv"))
	t.Setenv("PYTHONHOME", "/nonexistent") // a venv's python must not see it
	host := &pythonHost{executor: executor}

	resp, err := host.Run(context.Background(), &pulumirpc.RunRequest{
		Pwd: program, MonitorAddress: "127.0.0.1:9", DryRun: false,
		Info: programInfo(t, root, program, map[string]any{"toolchain": "pip", "virtualenv": "venv"}),
	})
	if err != nil || resp.GetError() != "" {
		t.Fatalf("Run: resp=%v err=%v", resp, err)
	}
	r := readRecord(t, record)
	if mustEval(t, r.Prefix) != mustEval(t, venv) || r.VirtualEnv != venv {
		t.Errorf("ran in prefix %s with VIRTUAL_ENV=%s, want %s", r.Prefix, r.VirtualEnv, venv)
	}
	if !strings.HasPrefix(r.Path, filepath.Join(venv, "bin")+":") || r.PythonHome != "" {
		t.Errorf("PATH = %s, PYTHONHOME = %q: want the venv's bin first and no PYTHONHOME", r.Path, r.PythonHome)
	}
	if !slices.Contains(r.Argv, "--dry_run") || r.Argv[slices.Index(r.Argv, "--dry_run")+1] != "false" {
		t.Errorf("argv = %q, want --dry_run false", r.Argv)
	}
}

func TestRunRefusesAMissingVirtualenvWithTheFix(t *testing.T) {
	root := t.TempDir()
	host := &pythonHost{executor: "unused"}
	_, err := host.Run(context.Background(), &pulumirpc.RunRequest{
		Pwd: root, Info: programInfo(t, root, root, map[string]any{"virtualenv": "venv"}),
	})
	if err == nil || !strings.Contains(err.Error(), `"`+filepath.Join(root, "venv")+`" doesn't exist`) ||
		!strings.Contains(err.Error(), "pulumi install") {
		t.Errorf("err = %v", err)
	}
}

func TestRunRefusesUvAndPoetry(t *testing.T) {
	root := t.TempDir()
	for _, toolchain := range []string{"uv", "poetry"} {
		_, err := (&pythonHost{}).Run(context.Background(), &pulumirpc.RunRequest{
			Pwd: root, Info: programInfo(t, root, root, map[string]any{"toolchain": toolchain}),
		})
		if err == nil || !strings.Contains(err.Error(), "`toolchain: "+toolchain+"` is not supported") ||
			!strings.Contains(err.Error(), "toolchain: pip, virtualenv: venv") {
			t.Errorf("toolchain %s: err = %v", toolchain, err)
		}
	}
}

func TestRunMapsExitCodes(t *testing.T) {
	requirePython(t)
	executor, _ := fakeExecutor(t)
	proj := t.TempDir()
	host := &pythonHost{executor: executor}
	req := &pulumirpc.RunRequest{Pwd: proj, MonitorAddress: "127.0.0.1:9", Info: programInfo(t, proj, proj, nil)}

	for _, c := range []struct {
		exit      string
		bail      bool
		errorText string
	}{
		{"0", false, ""},
		{"32", true, ""}, // the program showed its error: the engine adds nothing
		{"3", false, "Program exited with non-zero exit code: 3"},
	} {
		t.Setenv("FAKE_EXIT", c.exit)
		resp, err := host.Run(context.Background(), req)
		if err != nil || resp.GetBail() != c.bail || resp.GetError() != c.errorText {
			t.Errorf("exit %s: resp=%v err=%v", c.exit, resp, err)
		}
	}
}

func TestRunReportsAMissingPython(t *testing.T) {
	proj := t.TempDir()
	t.Setenv("PULUMI_PYTHON_CMD", "python-that-does-not-exist")
	_, err := (&pythonHost{executor: "x"}).Run(context.Background(), &pulumirpc.RunRequest{
		Pwd: proj, Info: programInfo(t, proj, proj, nil),
	})
	if err == nil || !strings.Contains(err.Error(), "could not find python-that-does-not-exist on the $PATH") {
		t.Errorf("err = %v", err)
	}
}

func TestCancelInterruptsTheRunningProgram(t *testing.T) {
	requirePython(t)
	proj := t.TempDir()
	script := filepath.Join(proj, "sleeper.py")
	writeFile(t, script, `
import signal, sys, time
signal.signal(signal.SIGINT, lambda *_: sys.exit(32))  # as the executor does on KeyboardInterrupt
time.sleep(60)
`)
	host := &pythonHost{Base: langhost.Base{Programs: langhost.NewPrograms(context.Background())}, executor: script}
	done := make(chan *pulumirpc.RunResponse, 1)
	go func() {
		resp, _ := host.Run(context.Background(), &pulumirpc.RunRequest{Pwd: proj, Info: programInfo(t, proj, proj, nil)})
		done <- resp
	}()
	time.Sleep(500 * time.Millisecond) // let python start
	if _, err := host.Cancel(context.Background(), &emptypb.Empty{}); err != nil {
		t.Fatal(err)
	}
	select {
	case resp := <-done:
		if !resp.GetBail() {
			t.Errorf("resp = %v, want bail (the program got SIGINT and reported it)", resp)
		}
	case <-time.After(langhost.ProgramWaitDelay):
		t.Fatal("the program was not interrupted by Cancel")
	}
}

func TestAboutNamesTheVirtualenvPython(t *testing.T) {
	root := t.TempDir()
	venv := newVirtualenv(t, filepath.Join(root, "venv"))
	resp, err := (&pythonHost{}).About(context.Background(), &pulumirpc.AboutRequest{
		Info: programInfo(t, root, root, map[string]any{"virtualenv": "venv"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetExecutable() != filepath.Join(venv, "bin", "python") || !strings.HasPrefix(resp.GetVersion(), "3.") {
		t.Errorf("about = %v", resp)
	}
	if resp.GetMetadata()["toolchain"] != "Pip" || resp.GetMetadata()["typechecker"] != "None" {
		t.Errorf("metadata = %v", resp.GetMetadata())
	}
}

func TestRuntimeOptionsPromptsAskForPipAndAVirtualenv(t *testing.T) {
	resp, err := (&pythonHost{}).RuntimeOptionsPrompts(context.Background(), &pulumirpc.RuntimeOptionsRequest{
		Info: programInfo(t, "/p", "/p", nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range resp.GetPrompts() {
		got = append(got, p.GetKey()+"="+p.GetDefault().GetStringValue())
	}
	if !slices.Equal(got, []string{"toolchain=pip", "virtualenv=venv"}) {
		t.Errorf("prompts = %q", got)
	}
	resp, _ = (&pythonHost{}).RuntimeOptionsPrompts(context.Background(), &pulumirpc.RuntimeOptionsRequest{
		Info: programInfo(t, "/p", "/p", map[string]any{"toolchain": "pip", "virtualenv": ".venv"}),
	})
	if len(resp.GetPrompts()) != 0 {
		t.Errorf("prompts for a complete Pulumi.yaml = %v", resp.GetPrompts())
	}
}

func TestRunPluginRunsTheFolderInItsVirtualenv(t *testing.T) {
	plugin := t.TempDir()
	venv := newVirtualenv(t, filepath.Join(plugin, "venv"))
	writeFile(t, filepath.Join(plugin, "__main__.py"), `
import os, sys
print("args", sys.argv[1:], "cwd", os.getcwd())
print("prefix", sys.prefix, "extra", os.environ.get("EXTRA"), file=sys.stderr)
sys.exit(3)
`)
	pwd := t.TempDir()
	server := newStream[pulumirpc.RunPluginResponse](context.Background())
	err := (&pythonHost{}).RunPlugin(&pulumirpc.RunPluginRequest{
		Pwd: pwd, Args: []string{"--port", "0"}, Env: []string{"EXTRA=yes"}, Kind: "resource",
		Info: programInfo(t, plugin, plugin, nil), // plugins default to the "venv" virtualenv
	}, server)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr string
	var code int32 = -1
	for _, m := range server.sent {
		stdout += string(m.GetStdout())
		stderr += string(m.GetStderr())
		if _, ok := m.GetOutput().(*pulumirpc.RunPluginResponse_Exitcode); ok {
			code = m.GetExitcode()
		}
	}
	if want := "args ['--port', '0'] cwd " + mustEval(t, pwd); !strings.Contains(stdout, want) {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	if want := "prefix " + venv + " extra yes"; !strings.Contains(stderr, want) {
		t.Errorf("stderr = %q, want %q", stderr, want)
	}
	if code != 3 {
		t.Errorf("exit code = %d, want 3 (last message: %v)", code, server.sent[len(server.sent)-1])
	}
}

func TestRunPluginNeedsAMainPy(t *testing.T) {
	plugin := t.TempDir()
	err := (&pythonHost{}).RunPlugin(&pulumirpc.RunPluginRequest{Info: programInfo(t, plugin, plugin, nil)},
		newStream[pulumirpc.RunPluginResponse](context.Background()))
	if err == nil || !strings.Contains(err.Error(), "has no __main__.py") {
		t.Errorf("err = %v", err)
	}
}

func TestInstallDependenciesCreatesTheVirtualenvAndInstallsRequirements(t *testing.T) {
	python := requirePython(t)
	root := t.TempDir()
	// A requirement pip satisfies without any index: pip itself, which every new virtualenv has.
	writeFile(t, filepath.Join(root, "requirements.txt"), "# nothing to fetch\npip\n")
	server := newStream[pulumirpc.InstallDependenciesResponse](context.Background())
	err := (&pythonHost{}).InstallDependencies(&pulumirpc.InstallDependenciesRequest{
		Info: programInfo(t, root, root, map[string]any{"toolchain": "pip", "virtualenv": "venv"}),
	}, server)
	if err != nil {
		t.Fatalf("InstallDependencies (with %s): %v", python, err)
	}
	var out string
	for _, m := range server.sent {
		out += string(m.GetStdout()) + string(m.GetStderr())
	}
	if !isVirtualEnv(filepath.Join(root, "venv")) {
		t.Fatalf("no virtualenv at %s; output:\n%s", filepath.Join(root, "venv"), out)
	}
	for _, want := range []string{"Creating virtual environment", "Requirement already satisfied: pip", "Finished installing"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestInstallDependenciesReportsAFailedPipInstall(t *testing.T) {
	root := t.TempDir()
	newVirtualenv(t, filepath.Join(root, "venv"))
	writeFile(t, filepath.Join(root, "requirements.txt"), "./no-such-project\n")
	err := (&pythonHost{}).InstallDependencies(&pulumirpc.InstallDependenciesRequest{
		Info: programInfo(t, root, root, map[string]any{"virtualenv": "venv"}),
	}, newStream[pulumirpc.InstallDependenciesResponse](context.Background()))
	if err == nil || !strings.Contains(err.Error(), "pip install -r requirements.txt` failed in "+root) {
		t.Errorf("err = %v", err)
	}
}

func TestTypecheckerFindingsFailTheRun(t *testing.T) {
	root := t.TempDir()
	venv := newVirtualenv(t, filepath.Join(root, "venv"))
	host := &pythonHost{executor: "never-run"}
	req := &pulumirpc.RunRequest{Pwd: root, Info: programInfo(t, root, root,
		map[string]any{"virtualenv": "venv", "typechecker": "mypy"})}

	_, err := host.Run(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), "mypy is not installed: add it to requirements.txt") {
		t.Errorf("without mypy: err = %v", err)
	}
	writeFile(t, filepath.Join(sitePackages(t, venv), "mypy", "__init__.py"), "")
	writeFile(t, filepath.Join(sitePackages(t, venv), "mypy", "__main__.py"),
		"import sys\nprint('checked', sys.argv[1:])\nprint('__main__.py:1: error: bad')\nsys.exit(1)\n")
	_, err = host.Run(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), "mypy found problems") || !strings.Contains(err.Error(), "error: bad") ||
		!strings.Contains(err.Error(), "'--exclude', 'venv'") {
		t.Errorf("with findings: err = %v", err)
	}
}

func TestMainRefusesToStartWithoutItsExecutor(t *testing.T) {
	if os.Getenv("RUN_MAIN") == "1" {
		os.Args = []string{"pulumi-language-python", "-use-executor", "/nonexistent/exec"}
		main()
		return
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^TestMainRefusesToStartWithoutItsExecutor$")
	cmd.Env = append(os.Environ(), "RUN_MAIN=1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "the Python executor script is missing") {
		t.Errorf("err = %v, output:\n%s", err, out)
	}
}

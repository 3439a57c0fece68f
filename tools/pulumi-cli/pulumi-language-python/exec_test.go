package main

// The executor script, pulumi-language-python-exec, run for real against a stand-in for the
// `pulumi` package that records what the script asks of it. (test/e2e/python-host.test.ts runs
// it with the real SDK and the real CLI.)

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeSDK is the part of `pulumi` the executor uses. It appends each call to $FAKE_RECORD.
const fakeSDK = `
import json, os
def _record(**call):
    with open(os.environ["FAKE_RECORD"], "a") as f:
        f.write(json.dumps(call) + "\n")
class RunError(Exception):
    pass
class log:
    @staticmethod
    def error(message):
        _record(log_error=message)
`

const fakeRuntime = `
import asyncio, json, os, time
from pulumi import _record
def get_config_env():
    return json.loads(os.environ.get("PULUMI_CONFIG", "{}"))
def get_config_secret_keys_env():
    return json.loads(os.environ.get("PULUMI_CONFIG_SECRET_KEYS", "[]"))
def set_all_config(config, secret_keys):
    _record(config=config, secret_keys=secret_keys)
class Settings:
    def __init__(self, project, stack, monitor=None, engine=None, parallel=None, dry_run=None, organization=None):
        self.settings = dict(project=project, stack=stack, monitor=monitor, engine=engine, parallel=parallel,
                             dry_run=dry_run, organization=organization)
def configure(settings):
    _record(settings=settings.settings)
async def run_in_stack(func):
    _record(cwd=os.getcwd())
    func()
    # An RPC in flight: a blocking call in the loop's executor, as the SDK makes them.
    await asyncio.get_running_loop().run_in_executor(None, time.sleep, float(os.environ.get("FAKE_SLEEP", "0")))
`

// executorRun is what one run of the executor did.
type executorRun struct {
	exit   int
	stderr string
	calls  []map[string]any
}

func (r executorRun) call(key string) any {
	for _, c := range r.calls {
		if v, ok := c[key]; ok {
			return v
		}
	}
	return nil
}

// runExecutor runs the repository's executor with python -S (no site-packages: the stand-in SDK,
// or none, is all there is) on the program in dir.
func runExecutor(t *testing.T, withSDK bool, dir string, args ...string) executorRun {
	t.Helper()
	cmd, record := executorCommand(t, withSDK, dir, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	return finishedRun(t, err, stderr.String(), record)
}

func executorCommand(t *testing.T, withSDK bool, dir string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	python := requirePython(t)
	sdk := t.TempDir()
	if withSDK {
		writeFile(t, filepath.Join(sdk, "pulumi", "__init__.py"), fakeSDK)
		writeFile(t, filepath.Join(sdk, "pulumi", "runtime.py"), fakeRuntime)
	}
	record := filepath.Join(t.TempDir(), "calls.jsonl")
	cmd := exec.Command(python, append([]string{"-S", executorName}, args...)...)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+sdk, "FAKE_RECORD="+record,
		`PULUMI_CONFIG={"proj:greeting":"hi","proj:token":"s3cret"}`, `PULUMI_CONFIG_SECRET_KEYS=["proj:token"]`)
	cmd.Dir = dir
	return cmd, record
}

func finishedRun(t *testing.T, err error, stderr, record string) executorRun {
	t.Helper()
	run := executorRun{stderr: stderr}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		run.exit = exitErr.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(record); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var call map[string]any
			if err := json.Unmarshal([]byte(line), &call); err != nil {
				t.Fatalf("bad record line %q: %v", line, err)
			}
			run.calls = append(run.calls, call)
		}
	}
	return run
}

// program writes a Python program folder (its __main__.py and a helper module) and returns it.
func program(t *testing.T, main string) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "__main__.py"), main)
	writeFile(t, filepath.Join(dir, "helper.py"), "def fail():\n    raise ValueError('boom from helper')\n")
	return dir
}

func protocolArgs(pwd string, dryRun string) []string {
	return []string{"--monitor", "127.0.0.1:9", "--engine", "127.0.0.1:7", "--project", "proj", "--stack", "dev",
		"--pwd", pwd, "--root_directory", pwd, "--dry_run", dryRun, "--parallel", "4", "--organization", "org",
		"--tracing", "http://unused"}
}

func TestExecutorConfiguresTheSDKAndRunsTheProgram(t *testing.T) {
	prog := program(t, `
import os, sys, json, helper  # the program's own modules import
from pulumi import _record
_record(argv=sys.argv, main_cwd=os.getcwd())
`)
	run := runExecutor(t, true, ".", append(protocolArgs(prog, "true"), ".", "a1", "a2")...)
	if run.exit != 0 {
		t.Fatalf("exit %d, stderr:\n%s", run.exit, run.stderr)
	}
	settings, _ := json.Marshal(run.call("settings"))
	// root_directory is left out: this stand-in's Settings is an older SDK's, which lacks it.
	want := `{"dry_run":true,"engine":"127.0.0.1:7","monitor":"127.0.0.1:9","organization":"org","parallel":4,"project":"proj","stack":"dev"}`
	if string(settings) != want {
		t.Errorf("Settings(%s), want %s", settings, want)
	}
	config, _ := json.Marshal([]any{run.call("config"), run.call("secret_keys")})
	if string(config) != `[{"proj:greeting":"hi","proj:token":"s3cret"},["proj:token"]]` {
		t.Errorf("set_all_config%s", config)
	}
	if run.call("cwd") != prog || run.call("main_cwd") != prog {
		t.Errorf("ran in %v / %v, want --pwd %s", run.call("cwd"), run.call("main_cwd"), prog)
	}
	// As for `python <program>/__main__.py a1 a2`.
	if argv, _ := json.Marshal(run.call("argv")); string(argv) != `["`+filepath.Join(prog, "__main__.py")+`","a1","a2"]` {
		t.Errorf("sys.argv = %s", argv)
	}
}

func TestExecutorRunsAProgramFile(t *testing.T) {
	prog := t.TempDir()
	writeFile(t, filepath.Join(prog, "infra.py"), "from pulumi import _record\n_record(ran='infra.py')\n")
	run := runExecutor(t, true, ".", append(protocolArgs(prog, "false"), "infra.py")...)
	if run.exit != 0 || run.call("ran") != "infra.py" {
		t.Errorf("exit %d, calls %v, stderr:\n%s", run.exit, run.calls, run.stderr)
	}
	if settings, _ := run.call("settings").(map[string]any); settings["dry_run"] != false {
		t.Errorf("settings = %v, want dry_run false", settings)
	}
}

func TestExecutorReportsAnUnhandledExceptionOnceWithTheProgramsTraceback(t *testing.T) {
	prog := program(t, "import helper\nhelper.fail()\n")
	run := runExecutor(t, true, ".", append(protocolArgs(prog, "false"), ".")...)
	if run.exit != 32 {
		t.Fatalf("exit %d, want 32 (reported), stderr:\n%s", run.exit, run.stderr)
	}
	message, _ := run.call("log_error").(string)
	for _, want := range []string{
		"Program failed with an unhandled exception:\nTraceback (most recent call last):\n  File \"" + filepath.Join(prog, "__main__.py"),
		"helper.py\", line 2, in fail", "ValueError: boom from helper",
	} {
		if !strings.Contains(message, want) {
			t.Errorf("logged error lacks %q:\n%s", want, message)
		}
	}
	if strings.Contains(message, "runpy") || strings.Contains(message, executorName) || run.stderr != "" {
		t.Errorf("the traceback shows the executor's frames, or stderr repeats it:\n%s\nstderr: %s", message, run.stderr)
	}
}

func TestExecutorReportsARunErrorWithoutTraceback(t *testing.T) {
	prog := program(t, "import pulumi\nraise pulumi.RunError('the tailer:apiUrl config is missing')\n")
	run := runExecutor(t, true, ".", append(protocolArgs(prog, "false"), ".")...)
	if run.exit != 32 || run.call("log_error") != "the tailer:apiUrl config is missing" {
		t.Errorf("exit %d, calls %v", run.exit, run.calls)
	}
}

func TestExecutorReportsAMissingProgram(t *testing.T) {
	empty := t.TempDir()
	run := runExecutor(t, true, ".", append(protocolArgs(empty, "false"), ".")...)
	message, _ := run.call("log_error").(string)
	if run.exit != 32 || !strings.Contains(message, "unable to find the Python program `"+empty+"` (nor a __main__.py in it)") {
		t.Errorf("exit %d, logged %q", run.exit, message)
	}
}

func TestExecutorExplainsAMissingSDK(t *testing.T) {
	prog := program(t, "")
	run := runExecutor(t, false, ".", append(protocolArgs(prog, "false"), ".")...)
	if run.exit != 32 || !strings.Contains(run.stderr, "the Pulumi SDK is not installed for") ||
		!strings.Contains(run.stderr, "run `pulumi install`") {
		t.Errorf("exit %d, stderr:\n%s", run.exit, run.stderr)
	}
}

// Regression (CI of c98b24c): a second SIGINT that arrived while the first KeyboardInterrupt was still
// unwinding (before exit_interrupted ignored SIGINT) printed two Python tracebacks into the preview.
func TestExecutorInterruptedByABurstOfSIGINTsPrintsNoTraceback(t *testing.T) {
	for attempt := 0; attempt < 5; attempt++ {
		prog := program(t, "")
		cmd, record := executorCommand(t, true, ".", append(protocolArgs(prog, "false"), ".")...)
		cmd.Env = append(cmd.Env, "FAKE_SLEEP=60")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for { // wait until the program runs in the stack
			if b, _ := os.ReadFile(record); strings.Contains(string(b), `"cwd"`) || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		for i := 0; i < 200; i++ {
			if cmd.Process.Signal(syscall.SIGINT) != nil {
				break // gone
			}
		}
		waited := make(chan error, 1)
		go func() { waited <- cmd.Wait() }()
		select {
		case err := <-waited:
			run := finishedRun(t, err, stderr.String(), record)
			if run.exit != 32 || strings.TrimSpace(run.stderr) != "The Python program was interrupted: the deployment was cancelled." {
				t.Fatalf("attempt %d: exit %d, stderr (want the one line, no traceback):\n%s", attempt, run.exit, run.stderr)
			}
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Fatal("the interrupted executor did not exit")
		}
	}
}

func TestExecutorStopsOnSIGINTAsReported(t *testing.T) {
	prog := program(t, "")
	cmd, record := executorCommand(t, true, ".", append(protocolArgs(prog, "false"), ".")...)
	cmd.Env = append(cmd.Env, "FAKE_SLEEP=60")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for { // wait until the program runs in the stack
		if b, _ := os.ReadFile(record); strings.Contains(string(b), `"cwd"`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The engine signals twice: its Cancel (the host's SIGINT), then stopping the host's process group.
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Process.Signal(syscall.SIGINT) // it may be gone already
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		run := finishedRun(t, err, stderr.String(), record)
		if run.exit != 32 || strings.TrimSpace(run.stderr) != "The Python program was interrupted: the deployment was cancelled." {
			t.Errorf("exit %d, stderr (want the one line, no traceback):\n%s", run.exit, run.stderr)
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the interrupted executor waited for the RPC in flight (60 s) instead of exiting")
	}
}

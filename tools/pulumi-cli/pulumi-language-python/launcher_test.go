package main

// The launcher of Python dynamic providers, pulumi-resource-pulumi-python, run for real against a
// stand-in for `pulumi.dynamic` (test/e2e/python-host.test.ts runs the real one through the CLI).

import (
	"bufio"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const launcherName = "pulumi-resource-pulumi-python"

// fakeDynamic is a `pulumi.dynamic` that, like the real one, writes its port to sys.stdout.buffer
// without flushing, then serves (sleeps) forever; it reports the interpreter it runs in.
const fakeDynamic = `import os, sys, time
sys.stdout.buffer.write(b"4242\n")
print("prefix", sys.prefix, "virtualenv", os.environ.get("VIRTUAL_ENV", ""), file=sys.stderr, flush=True)
time.sleep(600)
`

// startLauncher starts the launcher as the engine does, in the project folder dir, with the
// stand-in SDK on PYTHONPATH, and returns it with its stdout (the port line) and the first line
// of its stderr.
func startLauncher(t *testing.T, dir string, env []string, args ...string) (*exec.Cmd, string, string) {
	t.Helper()
	requirePython(t)
	sdk := t.TempDir()
	writeFile(t, filepath.Join(sdk, "pulumi", "__init__.py"), "")
	writeFile(t, filepath.Join(sdk, "pulumi", "dynamic", "__init__.py"), "")
	writeFile(t, filepath.Join(sdk, "pulumi", "dynamic", "__main__.py"), fakeDynamic)
	launcher, err := filepath.Abs(launcherName)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(launcher, args...)
	cmd.Env = append(append(os.Environ(), "PYTHONPATH="+sdk, "PULUMI_PYTHON_ENGINE_CHECK_INTERVAL=0.1"), env...)
	cmd.Dir = dir
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	port := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		port <- line
	}()
	select {
	case line := <-port:
		info, _ := bufio.NewReader(stderr).ReadString('\n')
		return cmd, line, info
	case <-time.After(30 * time.Second):
		t.Fatal("the launcher printed no port: the engine would wait forever")
	}
	return nil, "", ""
}

func TestLauncherServesInTheProjectsVirtualenvAndPrintsThePortAtOnce(t *testing.T) {
	project := t.TempDir()
	venv := newVirtualenv(t, filepath.Join(project, "venv"))
	// The engine passes the runtime options as PULUMI_RUNTIME_*: a relative virtualenv is the project's.
	_, port, info := startLauncher(t, project, []string{"PULUMI_RUNTIME_VIRTUALENV=venv", "PULUMI_RUNTIME_TOOLCHAIN=pip"})
	if port != "4242\n" {
		t.Errorf("port line = %q", port)
	}
	if want := "prefix " + venv + " virtualenv " + venv; !strings.HasPrefix(info, want) {
		t.Errorf("provider reports %q, want %q", info, want)
	}
}

func TestLauncherExitsOnceTheEngineIsGone(t *testing.T) {
	engine, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			conn, err := engine.Accept()
			if err != nil {
				return
			}
			_ = conn.Close()
		}
	}()
	cmd, _, _ := startLauncher(t, t.TempDir(), nil, engine.Addr().String())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	select {
	case err := <-exited:
		t.Fatalf("the provider exited while the engine was there: %v", err)
	case <-time.After(time.Second): // ten checks
	}
	_ = engine.Close()
	select {
	case err := <-exited:
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
			t.Errorf("exit: %v, want code 1", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the provider outlived its engine")
	}
}

func TestLauncherNamesAMissingVirtualenv(t *testing.T) {
	requirePython(t)
	launcher, _ := filepath.Abs(launcherName)
	cmd := exec.Command(launcher)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "PULUMI_RUNTIME_VIRTUALENV=venv")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "names "+filepath.Join(mustEval(t, cmd.Dir), "venv")+", which is not a virtual environment: run `pulumi install`") {
		t.Errorf("err = %v, output: %s", err, out)
	}
}

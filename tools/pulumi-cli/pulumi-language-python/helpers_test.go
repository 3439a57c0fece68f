package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/tailer/pulumi-tailer/tools/pulumi-cli/internal/hosttest"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/structpb"
)

// These tests run the host against a real python3 (the machine's, as the CLI would): without
// one they fail, with the fix, rather than skip.
func requirePython(t *testing.T) string {
	t.Helper()
	python, err := ambientPython()
	if err != nil {
		t.Fatalf("%v: the Python language host's tests need python3 (with the venv module)", err)
	}
	return python
}

func runtimeOptions(t *testing.T, options map[string]any) *structpb.Struct {
	t.Helper()
	s, err := structpb.NewStruct(options)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// programInfo describes a project whose Pulumi.yaml is in root and whose program is in dir.
func programInfo(t *testing.T, root, dir string, options map[string]any) *pulumirpc.ProgramInfo {
	return &pulumirpc.ProgramInfo{
		RootDirectory: root, ProgramDirectory: dir, EntryPoint: ".", Options: runtimeOptions(t, options),
	}
}

var (
	templateOnce sync.Once
	templateDir  string
	templateErr  error
)

// newVirtualenv makes a virtualenv with pip at dir: a copy (hard links: the tests only add files)
// of one made once per test run with `python3 -m venv`; a venv's python finds its prefix from
// its own location, so copies work.
func newVirtualenv(t *testing.T, dir string) string {
	t.Helper()
	python := requirePython(t)
	templateOnce.Do(func() {
		if templateDir, templateErr = os.MkdirTemp("", "pulumi-language-python-test-"); templateErr != nil {
			return
		}
		out, err := exec.Command(python, "-m", "venv", filepath.Join(templateDir, "venv")).CombinedOutput()
		if err != nil {
			templateErr = &venvError{err, string(out)}
		}
	})
	if templateErr != nil {
		t.Fatalf("python3 -m venv failed (on Debian/Ubuntu: install python3-venv): %v", templateErr)
	}
	if out, err := exec.Command("cp", "-al", filepath.Join(templateDir, "venv"), dir).CombinedOutput(); err != nil {
		t.Fatalf("copying the template virtualenv: %v: %s", err, out)
	}
	return dir
}

type venvError struct {
	err    error
	output string
}

func (e *venvError) Error() string { return e.err.Error() + ": " + e.output }

func TestMain(m *testing.M) {
	code := m.Run()
	if templateDir != "" {
		_ = os.RemoveAll(templateDir)
	}
	os.Exit(code)
}

// sitePackages is a virtualenv's site-packages folder.
func sitePackages(t *testing.T, venv string) string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(venv, "lib", "python3*", "site-packages"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("no single site-packages in %s: %v %v", venv, matches, err)
	}
	return matches[0]
}

// installDistribution writes an installed distribution into site-packages as a wheel install
// leaves it: its package folder (with files) and its .dist-info (METADATA, RECORD).
func installDistribution(t *testing.T, site, name, version string, files map[string]string, requires ...string) {
	t.Helper()
	module := strings.ReplaceAll(name, "-", "_")
	info := filepath.Join(site, module+"-"+version+".dist-info")
	metadata := "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n"
	for _, r := range requires {
		metadata += "Requires-Dist: " + r + "\n"
	}
	writeFile(t, filepath.Join(info, "METADATA"), metadata)
	writeFile(t, filepath.Join(info, "INSTALLER"), "pip\n")
	record := module + "-" + version + ".dist-info/METADATA,,\n"
	if _, ok := files["__init__.py"]; !ok {
		files["__init__.py"] = ""
	}
	for file, content := range files {
		writeFile(t, filepath.Join(site, module, file), content)
		record += module + "/" + file + ",,\n"
	}
	writeFile(t, filepath.Join(info, "RECORD"), record)
}

// stream collects what a host sends on a server stream (InstallDependencies, RunPlugin).
type stream[T any] struct {
	grpc.ServerStream
	ctx  context.Context
	mu   sync.Mutex
	sent []*T
}

func newStream[T any](ctx context.Context) *stream[T] { return &stream[T]{ctx: ctx} }

func (s *stream[T]) Context() context.Context { return s.ctx }

func (s *stream[T]) Send(m *T) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, m)
	return nil
}

// fakeExecutor is an executor script that records its argv, working directory, interpreter and
// environment in $FAKE_RECORD, then exits with $FAKE_EXIT.
func fakeExecutor(t *testing.T) (script, record string) {
	t.Helper()
	dir := t.TempDir()
	record = filepath.Join(dir, "record.json")
	script = filepath.Join(dir, "fake-exec.py")
	writeFile(t, script, `
import json, os, sys
env = os.environ
json.dump({
    "argv": sys.argv[1:], "cwd": os.getcwd(), "prefix": sys.prefix,
    "config": env.get("PULUMI_CONFIG"), "secretKeys": env.get("PULUMI_CONFIG_SECRET_KEYS"),
    "virtualEnv": env.get("VIRTUAL_ENV", ""), "path": env.get("PATH", ""), "pythonHome": env.get("PYTHONHOME", ""),
}, open(env["FAKE_RECORD"], "w"))
sys.exit(int(env.get("FAKE_EXIT", "0")))
`)
	t.Setenv("FAKE_RECORD", record)
	return script, record
}

var (
	writeFile  = hosttest.WriteFile
	mustEval   = hosttest.MustEval
	readRecord = hosttest.ReadJSON[recorded]
)

type recorded struct {
	Argv       []string `json:"argv"`
	Cwd        string   `json:"cwd"`
	Prefix     string   `json:"prefix"`
	Config     string   `json:"config"`
	SecretKeys string   `json:"secretKeys"`
	VirtualEnv string   `json:"virtualEnv"`
	Path       string   `json:"path"`
	PythonHome string   `json:"pythonHome"`
}

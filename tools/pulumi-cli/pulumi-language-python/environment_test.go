package main

import (
	"slices"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func TestParseOptionsResolvesTheVirtualenvFromTheProjectRoot(t *testing.T) {
	for _, c := range []struct {
		name     string
		options  map[string]any
		isPlugin bool
		want     string
	}{
		{"relative to Pulumi.yaml's folder", map[string]any{"toolchain": "pip", "virtualenv": "venv"}, false, "/proj/venv"},
		{"nested", map[string]any{"virtualenv": ".cache/venv"}, false, "/proj/.cache/venv"},
		{"absolute", map[string]any{"virtualenv": "/opt/venv"}, false, "/opt/venv"},
		{"none: the ambient python", nil, false, ""},
		{"plugins default to venv", nil, true, "/proj/venv"},
	} {
		o, err := parseOptions(&pulumirpc.ProgramInfo{
			RootDirectory: "/proj", ProgramDirectory: "/proj/src", Options: runtimeOptions(t, c.options),
		}, c.isPlugin)
		if err != nil || o.virtualenv != c.want || o.programDir != "/proj/src" {
			t.Errorf("%s: virtualenv=%q programDir=%q err=%v, want %q", c.name, o.virtualenv, o.programDir, err, c.want)
		}
	}
}

func TestParseOptionsRejectsWhatThisHostCannotDo(t *testing.T) {
	for _, c := range []struct {
		options map[string]any
		want    string
	}{
		{map[string]any{"toolchain": "uv"}, "`toolchain: uv` is not supported by this offline build's Python language host"},
		{map[string]any{"toolchain": "poetry"}, "`toolchain: poetry` is not supported"},
		{map[string]any{"toolchain": "conda"}, "unsupported python runtime option `toolchain: conda` in Pulumi.yaml (supported: pip)"},
		{map[string]any{"virtualenv": true}, "the virtualenv option of the python runtime in Pulumi.yaml must be a string"},
		{map[string]any{"typechecker": "pytype"}, "`typechecker: pytype` in Pulumi.yaml (supported: mypy, pyright)"},
	} {
		_, err := parseOptions(&pulumirpc.ProgramInfo{RootDirectory: "/p", Options: runtimeOptions(t, c.options)}, false)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.options, err, c.want)
		}
	}
}

func TestActivateLeavesTheEnvironmentAsBinActivateWould(t *testing.T) {
	got := activate([]string{"HOME=/root", "PATH=/usr/bin:/bin", "PYTHONHOME=/x", "VIRTUAL_ENV=/other", "A=b=c"}, "/p/venv")
	want := []string{"HOME=/root", "A=b=c", "PATH=/p/venv/bin:/usr/bin:/bin", "VIRTUAL_ENV=/p/venv"}
	if !slices.Equal(got, want) {
		t.Errorf("activate = %q, want %q", got, want)
	}
	if got := activate(nil, "/v"); !slices.Equal(got, []string{"PATH=/v/bin", "VIRTUAL_ENV=/v"}) {
		t.Errorf("activate(no PATH) = %q", got)
	}
}

func TestAmbientPythonHonoursPulumiPythonCmd(t *testing.T) {
	t.Setenv("PULUMI_PYTHON_CMD", "sh") // any executable on PATH stands for a python here
	if p, err := ambientPython(); err != nil || !strings.HasSuffix(p, "/sh") {
		t.Errorf("ambientPython = %q, %v", p, err)
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/tailer/pulumi-tailer/tools/pulumi-cli/internal/langhost"
)

// pythonOptions are a Python project's Pulumi.yaml `runtime.options`, resolved against its folders.
type pythonOptions struct {
	root       string // the project's folder (Pulumi.yaml): a relative virtualenv is resolved from it
	programDir string // the program's folder (Pulumi.yaml's `main`): requirements.txt is read there
	virtualenv string // absolute path of the virtual environment; "" runs the ambient python
	venvOption string // the virtualenv option as written in Pulumi.yaml, for messages

	typechecker string // "", "mypy" or "pyright"
}

// parseOptions reads `runtime.options`. Plugins default to the "venv" virtualenv, as upstream's do.
func parseOptions(info *pulumirpc.ProgramInfo, isPlugin bool) (pythonOptions, error) {
	o := pythonOptions{root: info.GetRootDirectory(), programDir: langhost.ProgramDir(info, "")}
	if o.root == "" {
		o.root = o.programDir
	}
	options := info.GetOptions().AsMap()
	text := func(key string) (string, error) {
		v, ok := options[key]
		if !ok {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("the %s option of the python runtime in Pulumi.yaml must be a string, not %v", key, v)
		}
		return s, nil
	}

	toolchain, err := text("toolchain")
	if err != nil {
		return o, err
	}
	switch toolchain {
	case "", "pip":
	case "uv", "poetry":
		return o, fmt.Errorf("the python runtime option `toolchain: %s` is not supported by this offline build's Python "+
			"language host, which installs and runs programs with pip only: set `runtime: {name: python, options: "+
			"{toolchain: pip, virtualenv: venv}}` in Pulumi.yaml and list the dependencies in requirements.txt", toolchain)
	default:
		return o, fmt.Errorf("unsupported python runtime option `toolchain: %s` in Pulumi.yaml (supported: pip)", toolchain)
	}

	if o.venvOption, err = text("virtualenv"); err != nil {
		return o, err
	}
	if o.venvOption == "" && isPlugin {
		o.venvOption = "venv"
	}
	if o.venvOption != "" {
		o.virtualenv = o.venvOption
		if !filepath.IsAbs(o.virtualenv) {
			o.virtualenv = filepath.Join(o.root, o.virtualenv)
		}
	}

	if o.typechecker, err = text("typechecker"); err != nil {
		return o, err
	}
	if o.typechecker != "" && o.typechecker != "mypy" && o.typechecker != "pyright" {
		return o, fmt.Errorf("unsupported python runtime option `typechecker: %s` in Pulumi.yaml (supported: mypy, pyright)",
			o.typechecker)
	}
	return o, nil
}

// isVirtualEnv says whether dir holds a virtual environment (its bin/python).
func isVirtualEnv(dir string) bool {
	info, err := os.Stat(filepath.Join(dir, "bin", "python"))
	return err == nil && !info.IsDir()
}

// validateVirtualenv fails, with the commands that fix it, when Pulumi.yaml names a virtualenv
// that does not exist (yet).
func (o pythonOptions) validateVirtualenv() error {
	if o.virtualenv == "" || isVirtualEnv(o.virtualenv) {
		return nil
	}
	problem := "doesn't appear to be a virtual environment"
	if _, err := os.Stat(o.virtualenv); errors.Is(err, fs.ErrNotExist) {
		problem = "doesn't exist"
	}
	return fmt.Errorf("the 'virtualenv' option in Pulumi.yaml is set to %q, but %q %s; run `pulumi install` "+
		"to create it and install requirements.txt into it, or by hand:\n"+
		"    1. python3 -m venv %s\n    2. %s -m pip install -r requirements.txt",
		o.venvOption, o.virtualenv, problem, o.virtualenv, filepath.Join(o.virtualenv, "bin", "python"))
}

// ambientPython finds the python to use outside a virtualenv (and to create one):
// $PULUMI_PYTHON_CMD, else python3, else python, on PATH.
func ambientPython() (string, error) {
	candidates := []string{"python3", "python"}
	if cmd := os.Getenv("PULUMI_PYTHON_CMD"); cmd != "" {
		candidates = []string{cmd}
	}
	for _, c := range candidates {
		if path, err := exec.LookPath(c); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("could not find %s on the $PATH: install Python 3 (or set PULUMI_PYTHON_CMD)",
		strings.Join(candidates, " or "))
}

// interpreter returns the program's python and the environment to run it in: the
// virtualenv's, activated (its bin first on PATH, VIRTUAL_ENV set, PYTHONHOME unset),
// else the ambient python with this process's environment.
func (o pythonOptions) interpreter() (string, []string, error) {
	if o.virtualenv == "" {
		python, err := ambientPython()
		return python, os.Environ(), err
	}
	return filepath.Join(o.virtualenv, "bin", "python"), activate(os.Environ(), o.virtualenv), nil
}

// activate returns environ as a virtualenv's bin/activate would leave it.
func activate(environ []string, venv string) []string {
	out := make([]string, 0, len(environ)+2)
	path := "PATH=" + filepath.Join(venv, "bin")
	for _, kv := range environ {
		key, value, _ := strings.Cut(kv, "=")
		switch key {
		case "PATH":
			path += string(os.PathListSeparator) + value
		case "PYTHONHOME", "VIRTUAL_ENV":
		default:
			out = append(out, kv)
		}
	}
	return append(out, path, "VIRTUAL_ENV="+venv)
}

// command prepares `python args...` with the program's interpreter and environment.
func (o pythonOptions) command(ctx context.Context, args ...string) (*exec.Cmd, error) {
	python, env, err := o.interpreter()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, python, args...)
	cmd.Env = env
	return cmd, nil
}

// installDependencies creates the virtualenv (python3 -m venv) unless it exists, then installs the
// program's requirements.txt with pip (into the virtualenv, or the ambient python without one).
func (o pythonOptions) installDependencies(ctx context.Context, stdout, stderr io.Writer) error {
	if o.virtualenv != "" && !isVirtualEnv(o.virtualenv) {
		python, err := ambientPython()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Creating virtual environment %s...\n", o.virtualenv)
		cmd := exec.CommandContext(ctx, python, "-m", "venv", o.virtualenv)
		cmd.Stdout, cmd.Stderr = stdout, stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("creating the virtual environment %s with `%s -m venv` failed (%w): on Debian and "+
				"Ubuntu, install the python3-venv package", o.virtualenv, python, err)
		}
	}
	if _, err := os.Stat(filepath.Join(o.programDir, "requirements.txt")); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(stdout, "No requirements.txt in %s: nothing to install.\n", o.programDir)
		return nil
	}
	fmt.Fprintf(stdout, "Installing requirements.txt with pip...\n")
	cmd, err := o.command(ctx, "-m", "pip", "install", "-r", "requirements.txt")
	if err != nil {
		return err
	}
	cmd.Dir = o.programDir
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("`python -m pip install -r requirements.txt` failed in %s: %w", o.programDir, err)
	}
	return nil
}

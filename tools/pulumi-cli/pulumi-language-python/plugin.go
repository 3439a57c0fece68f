package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/tailer/pulumi-tailer/tools/pulumi-cli/internal/langhost"
)

// RunPlugin runs a Python resource plugin (a provider written in Python, as a folder with a
// __main__.py, Pulumi.yaml's `runtime: python`): `python <folder> args...` in the plugin's
// virtualenv ("venv" unless its options name another), from the engine's working directory.
// Upstream's other two modes are not provided: pyproject.toml packages started through
// `pulumi.run.plugin`, and policy packs (analyzers).
func (h *pythonHost) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	if req.GetKind() == "analyzer" {
		return errors.New("Python policy packs are not supported by this offline build's Python language host")
	}
	opts, err := parseOptions(req.GetInfo(), true)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(opts.programDir, "__main__.py")); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("the Python plugin in %s has no __main__.py: this offline build's Python language host runs "+
			"plugins from a folder with a __main__.py only (not pyproject.toml packages)", opts.programDir)
	}
	if err := opts.validateVirtualenv(); err != nil {
		return err
	}
	python, env, err := opts.interpreter()
	if err != nil {
		return err
	}
	cmd, release := h.Programs.Command(server.Context(), python, append([]string{opts.programDir}, req.GetArgs()...)...)
	defer release()
	cmd.Dir = req.GetPwd()
	cmd.Env = append(env, req.GetEnv()...)
	return langhost.RunPlugin(cmd, server)
}

// Command pulumi-language-python is a Python language host for the Pulumi CLI.
//
// Why this exists: like the Node.js one, upstream's Python language host is its own
// Go module (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3),
// which the Go module proxy reachable from our machines refuses to serve. This
// command implements the LanguageRuntime gRPC service on top of sdk/v3 and drives
// the Python half of the protocol, which the PyPI `pulumi` package provides
// (`pulumi.runtime`: Settings, configure, run_in_stack, the config environment).
// What upstream ships with the CLI rather than in the wheel, the executor script
// that turns the host's command line into those calls, is our own
// pulumi-language-python-exec, installed next to this binary:
//
//	<python> pulumi-language-python-exec --monitor ADDR --engine ADDR --project P \
//	    --root_directory DIR --stack S --pwd DIR --dry_run true|false --parallel N \
//	    --organization O [--tracing URL] <entry point> [args...]
//
// with PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS (JSON) in the environment. <python>
// is the virtualenv's interpreter when Pulumi.yaml names one
// (`runtime: {name: python, options: {toolchain: pip, virtualenv: venv}}`), else
// $PULUMI_PYTHON_CMD, python3 or python from PATH. Only the pip toolchain exists here.
//
// The plugin prints its gRPC port on stdout and serves until the engine kills it,
// like every Pulumi plugin. It is built with the CLI's ldflags, so GetPluginInfo
// reports the CLI's version.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	pythoncodegen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/tailer/pulumi-tailer/tools/pulumi-cli/internal/langhost"
	"github.com/tailer/pulumi-tailer/tools/pulumi-cli/internal/programgen"
	"google.golang.org/protobuf/types/known/emptypb"
)

// executorName is the file, next to this binary, that runs a program on the Python side.
const executorName = "pulumi-language-python-exec"

func main() {
	var tracing, executor, root string
	flag.StringVar(&tracing, "tracing", "", "emit tracing to a Zipkin-compatible endpoint")
	flag.StringVar(&executor, "use-executor", "", "the executor script to run programs with (default: "+
		executorName+" next to this binary)")
	flag.StringVar(&root, "root", "", "project root path (unused, accepted for compatibility)")
	showVersion := flag.Bool("version", false, "print the plugin's version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Version)
		return
	}

	if executor == "" {
		self, err := os.Executable()
		if err != nil {
			cmdutil.Exit(fmt.Errorf("could not determine this executable's path: %w", err))
		}
		executor = filepath.Join(filepath.Dir(self), executorName)
	}
	if _, err := os.Stat(executor); err != nil {
		cmdutil.Exit(fmt.Errorf("the Python executor script is missing (%w): scripts/ensure-pulumi.sh installs it "+
			"next to pulumi-language-python", err))
	}

	host := &pythonHost{executor: executor, tracing: tracing}
	// The engine passes its own gRPC address as the positional argument.
	if args := flag.Args(); len(args) > 0 {
		host.SetEngineAddress(args[0])
	}
	// A killed pulumi (SIGKILL, CI timeout) cannot stop its plugins: like Pulumi's own language hosts,
	// this host watches the engine, and once it is gone stops the programs it runs and exits.
	langhost.Serve("pulumi-language-python", tracing, &host.Base, host)
}

type pythonHost struct {
	langhost.Base // Programs stop on Cancel too, and when the engine is gone

	executor string
	tracing  string
}

// executorArgs is the executor's command line for a RunRequest (see the package comment).
func (h *pythonHost) executorArgs(req *pulumirpc.RunRequest) []string {
	args := []string{h.executor}
	flagArg := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagArg("monitor", req.GetMonitorAddress())
	flagArg("engine", h.EngineAddress())
	flagArg("project", req.GetProject())
	flagArg("root_directory", req.GetInfo().GetRootDirectory())
	flagArg("stack", req.GetStack())
	flagArg("pwd", req.GetPwd())
	flagArg("dry_run", strconv.FormatBool(req.GetDryRun()))
	flagArg("parallel", strconv.Itoa(int(req.GetParallel())))
	flagArg("tracing", h.tracing)
	flagArg("organization", req.GetOrganization())
	entry := req.GetInfo().GetEntryPoint()
	if entry == "" {
		entry = req.GetProgram()
	}
	if entry == "" {
		entry = "." // the program directory's __main__.py
	}
	args = append(args, entry)
	return append(args, req.GetArgs()...)
}

func (h *pythonHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	opts, err := parseOptions(req.GetInfo(), false)
	if err != nil {
		return nil, err
	}
	if err := opts.validateVirtualenv(); err != nil {
		return nil, err
	}
	if err := h.typecheck(ctx, opts); err != nil {
		return nil, err
	}
	python, env, err := opts.interpreter()
	if err != nil {
		return nil, err
	}
	configEnv, err := langhost.ConfigEnv(req)
	if err != nil {
		return nil, err
	}
	args := h.executorArgs(req)
	logging.V(5).Infof("language host launching process: %s %s", python, strings.Join(args, " "))
	cmd, release := h.Programs.Command(ctx, python, args...)
	defer release()
	cmd.Dir = req.GetPwd()
	cmd.Env = append(env, configEnv...)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	return langhost.RunResult(cmd.Run()), nil
}

// typecheck runs the typechecker Pulumi.yaml asks for (`typechecker: mypy|pyright`) on the program
// before it runs, as upstream does; its findings fail the run.
func (h *pythonHost) typecheck(ctx context.Context, opts pythonOptions) error {
	if opts.typechecker == "" {
		return nil
	}
	args := []string{"-m", opts.typechecker}
	if opts.typechecker == "mypy" && opts.virtualenv != "" {
		if rel, err := filepath.Rel(opts.programDir, opts.virtualenv); err == nil {
			args = append(args, "--exclude", rel)
		}
	}
	args = append(args, opts.programDir)
	cmd, err := opts.command(ctx, args...)
	if err != nil {
		return err
	}
	cmd.Dir = opts.programDir
	out, err := cmd.CombinedOutput()
	if err == nil {
		return nil
	}
	if strings.Contains(string(out), "No module named "+opts.typechecker) {
		return fmt.Errorf("the typechecker option is set to %s, but %s is not installed: add it to requirements.txt "+
			"and run `pulumi install`", opts.typechecker, opts.typechecker)
	}
	return fmt.Errorf("%s found problems in %s (%w):\n%s", opts.typechecker, opts.programDir, err, out)
}

// Cancel stops the programs this host runs (SIGINT, then SIGKILL), as upstream's host does when
// the engine cancels a deployment; the executor reports the interruption and exits.
func (h *pythonHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.Programs.Cancel()
	return &emptypb.Empty{}, nil
}

func (h *pythonHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	opts := pythonOptions{}
	if req.GetInfo() != nil {
		var err error
		if opts, err = parseOptions(req.GetInfo(), false); err != nil {
			return nil, err
		}
	}
	cmd, err := opts.command(ctx, "-c", "import sys; print(sys.executable); print('%d.%d.%d' % sys.version_info[:3])")
	if err != nil {
		return nil, err
	}
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("failed to ask python for its version: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		return nil, fmt.Errorf("unexpected answer from python about its version: %q", out)
	}
	typechecker := opts.typechecker
	if typechecker == "" {
		typechecker = "None"
	}
	return &pulumirpc.AboutResponse{
		Executable: lines[0],
		Version:    lines[1],
		Metadata:   map[string]string{"toolchain": "Pip", "typechecker": typechecker},
	}, nil
}

// RuntimeOptionsPrompts asks `pulumi new` for what Pulumi.yaml lacks of `toolchain: pip` and
// `virtualenv: venv`. Upstream offers pip, poetry and uv; only pip exists here.
func (h *pythonHost) RuntimeOptionsPrompts(
	ctx context.Context, req *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	options := req.GetInfo().GetOptions().AsMap()
	var prompts []*pulumirpc.RuntimeOptionPrompt
	prompt := func(key, value, description string) {
		if _, ok := options[key]; ok {
			return
		}
		choice := &pulumirpc.RuntimeOptionPrompt_RuntimeOptionValue{
			PromptType: pulumirpc.RuntimeOptionPrompt_STRING, StringValue: value, DisplayName: value,
		}
		prompts = append(prompts, &pulumirpc.RuntimeOptionPrompt{
			Key: key, Description: description, PromptType: pulumirpc.RuntimeOptionPrompt_STRING,
			Choices: []*pulumirpc.RuntimeOptionPrompt_RuntimeOptionValue{choice}, Default: choice,
		})
	}
	prompt("toolchain", "pip", "The toolchain to install dependencies with (this build has pip only)")
	prompt("virtualenv", "venv", "The virtual environment (created by `pulumi install`) to run the program in")
	return &pulumirpc.RuntimeOptionsResponse{Prompts: prompts}, nil
}

// Template has nothing to prepare: pip with a requirements.txt is how templates come.
func (h *pythonHost) Template(context.Context, *pulumirpc.TemplateRequest) (*pulumirpc.TemplateResponse, error) {
	return &pulumirpc.TemplateResponse{}, nil
}

// GenerateProgram writes Python for a PCL program: the code `pulumi import` prints and `pulumi convert`
// writes (internal/programgen, with the pinned SDK's generator).
func (h *pythonHost) GenerateProgram(
	_ context.Context, req *pulumirpc.GenerateProgramRequest,
) (*pulumirpc.GenerateProgramResponse, error) {
	return programgen.Generate(req, pythoncodegen.GenerateProgram)
}

// The rest of code generation (GenerateProject/Package, Pack, Link: pulumi convert's project,
// package gen-sdk, conformance tests) is not provided by this host; the embedded
// UnimplementedLanguageRuntimeServer answers codes.Unimplemented for them.

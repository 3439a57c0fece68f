// Command pulumi-language-nodejs is a Node.js language host for the Pulumi CLI.
//
// Why this exists: the upstream language host lives in its own Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3), which is
// not tagged and which the Go module proxy reachable from our machines refuses
// to serve. Everything else of the CLI builds from the tagged pkg/v3 and sdk/v3
// modules, so this file implements the LanguageRuntime gRPC service on top of
// sdk/v3 itself. The Node.js side of the protocol (`@pulumi/pulumi/cmd/run`,
// `cmd/run-plugin`) is the one shipped in the project's @pulumi/pulumi npm
// package, driven through its documented command line and environment:
//
//	node [nodeargs] <@pulumi/pulumi/cmd/run> --monitor=... --engine=... \
//	     --organization=... --project=... --root-directory=... --stack=... \
//	     --pwd=... [--dry-run] --parallel=N [--tracing=...] <program> [args...]
//
// with PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS (JSON) and
// PULUMI_NODEJS_TYPESCRIPT / PULUMI_NODEJS_TSCONFIG_PATH in the environment.
//
// The plugin prints its gRPC port on stdout and serves until the engine kills
// it, like every Pulumi plugin. It is built with the same ldflags as the CLI so
// GetPluginInfo reports the CLI's version.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	nodejscodegen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/tailer/pulumi-tailer/tools/pulumi-cli/internal/langhost"
	"github.com/tailer/pulumi-tailer/tools/pulumi-cli/internal/programgen"
	"google.golang.org/protobuf/types/known/emptypb"
)

func main() {
	var tracing, root string
	// -typescript, -tsconfig, -nodeargs and -packagemanager are the legacy flag
	// spellings of the Pulumi.yaml runtime options; they act as defaults.
	typescript := flag.Bool("typescript", true, "use ts-node to run TypeScript sources")
	tsconfig := flag.String("tsconfig", "", "path to the tsconfig.json to use")
	nodeargs := flag.String("nodeargs", "", "extra arguments for node")
	packagemanager := flag.String("packagemanager", "", "npm, yarn, pnpm or bun")
	flag.StringVar(&tracing, "tracing", "", "emit tracing to a Zipkin-compatible endpoint")
	flag.StringVar(&root, "root", "", "project root path (unused, accepted for compatibility)")
	flag.Parse()

	host := &nodeHost{
		tracing: tracing,
		defaults: runtimeOptions{
			typescript:     *typescript,
			tsconfig:       *tsconfig,
			nodeargs:       *nodeargs,
			packagemanager: *packagemanager,
		},
	}
	// The engine passes its own gRPC address as the last positional argument.
	if args := flag.Args(); len(args) > 0 {
		host.SetEngineAddress(args[len(args)-1])
	}

	// A killed pulumi (SIGKILL, CI timeout) cannot stop its plugins: like Pulumi's own language hosts,
	// this host watches the engine, and once it is gone stops the programs it runs and exits.
	langhost.Serve("pulumi-language-nodejs", tracing, &host.Base, host)
}

type runtimeOptions struct {
	typescript     bool
	tsconfig       string
	nodeargs       string
	packagemanager string
}

type nodeHost struct {
	langhost.Base // Programs stop when the engine is gone

	tracing  string
	defaults runtimeOptions
}

// options merges the Pulumi.yaml `runtime.options` with the command-line defaults.
func (h *nodeHost) options(info *pulumirpc.ProgramInfo) runtimeOptions {
	o := h.defaults
	if info == nil || info.GetOptions() == nil {
		return o
	}
	m := info.GetOptions().AsMap()
	if v, ok := m["typescript"].(bool); ok {
		o.typescript = v
	}
	if v, ok := m["tsconfig"].(string); ok {
		o.tsconfig = v
	}
	if v, ok := m["nodeargs"].(string); ok {
		o.nodeargs = v
	}
	if v, ok := m["packagemanager"].(string); ok {
		o.packagemanager = v
	}
	return o
}

func (o runtimeOptions) env() []string {
	var env []string
	if o.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if o.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfig)
	}
	return env
}

func nodeBinary() (string, error) {
	p, err := exec.LookPath("node")
	if err != nil {
		return "", fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	return p, nil
}

// resolveModule resolves a module specifier (e.g. "@pulumi/pulumi/cmd/run") the
// way Node does, starting from dir.
func resolveModule(node, dir, module string) (string, error) {
	if override := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); override != "" && module == "@pulumi/pulumi/cmd/run" {
		return override, nil
	}
	script := "process.stdout.write(require.resolve(process.argv[1], {paths: [process.argv[2]]}))"
	cmd := exec.Command(node, "-e", script, module, dir)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("it looks like the Pulumi SDK has not been installed in %s "+
			"(could not resolve %s: %s). Have you run npm install or yarn install?",
			dir, module, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	node, err := nodeBinary()
	if err != nil {
		return nil, err
	}
	dir := langhost.ProgramDir(req.GetInfo(), req.GetPwd())
	runPath, err := resolveModule(node, dir, "@pulumi/pulumi/cmd/run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	opts := h.options(req.GetInfo())

	args := strings.Fields(opts.nodeargs)
	args = append(args, runPath)
	flagArg := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name+"="+value)
		}
	}
	flagArg("monitor", req.GetMonitorAddress())
	flagArg("engine", h.EngineAddress())
	flagArg("organization", req.GetOrganization())
	flagArg("project", req.GetProject())
	flagArg("root-directory", req.GetInfo().GetRootDirectory())
	flagArg("stack", req.GetStack())
	flagArg("pwd", req.GetPwd())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetParallel() > 0 {
		flagArg("parallel", fmt.Sprint(req.GetParallel()))
	}
	flagArg("tracing", h.tracing)
	program := req.GetProgram()
	if program == "" {
		// "." lets cmd/run pick package.json's main/exports or index.{js,ts}.
		program = "."
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	configEnv, err := langhost.ConfigEnv(req)
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(), configEnv...)
	env = append(env, opts.env()...)

	logging.V(5).Infof("language host launching process: %s %s", node, strings.Join(args, " "))
	cmd, release := h.Programs.Command(ctx, node, args...)
	defer release()
	cmd.Dir = req.GetPwd()
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	return langhost.RunResult(cmd.Run()), nil
}

func (h *nodeHost) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	node, err := nodeBinary()
	if err != nil {
		return err
	}
	dir := langhost.ProgramDir(req.GetInfo(), req.GetPwd())
	runPath, err := resolveModule(node, dir, "@pulumi/pulumi/cmd/run-plugin")
	if err != nil {
		return err
	}
	opts := h.options(req.GetInfo())
	program := req.GetProgram()
	if program == "" {
		program = dir
	}
	args := strings.Fields(opts.nodeargs)
	args = append(args, runPath, program)
	args = append(args, req.GetArgs()...)

	cmd, release := h.Programs.Command(server.Context(), node, args...)
	defer release()
	cmd.Dir = req.GetPwd()
	cmd.Env = append(append(os.Environ(), req.GetEnv()...), opts.env()...)

	return langhost.RunPlugin(cmd, server)
}

// packageJSON holds the parts of a package.json this host reads.
type packageJSON struct {
	Name            string            `json:"name"`
	Version         string            `json:"version"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
	Pulumi          *struct {
		Resource         bool   `json:"resource"`
		Name             string `json:"name"`
		Version          string `json:"version"`
		Server           string `json:"server"`
		Parameterization *struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			Value   []byte `json:"value"`
		} `json:"parameterization"`
	} `json:"pulumi"`
}

func readPackageJSON(path string) (*packageJSON, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	return &p, nil
}

// pluginName derives a Pulumi plugin name from an npm package name:
// "@pulumi/aws" -> "aws", "@scope/pkg" -> "scope/pkg".
func pluginName(p *packageJSON) string {
	if p.Pulumi.Name != "" {
		return p.Pulumi.Name
	}
	if strings.HasPrefix(p.Name, "@pulumi/") {
		return strings.TrimPrefix(p.Name, "@pulumi/")
	}
	return strings.TrimPrefix(p.Name, "@")
}

// findNodeModules returns the node_modules folder nearest to dir (walking up).
func findNodeModules(dir string) string {
	for d := dir; ; {
		nm := filepath.Join(d, "node_modules")
		if st, err := os.Stat(nm); err == nil && st.IsDir() {
			return nm
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// collectPackages walks node_modules (scoped folders and nested node_modules
// included) and reports every package that declares `"pulumi": {"resource": true}`.
func collectPackages(nodeModules string, seen map[string]bool, out *[]*pulumirpc.PackageDependency) {
	real, err := filepath.EvalSymlinks(nodeModules)
	if err != nil || seen[real] {
		return
	}
	seen[real] = true
	entries, err := os.ReadDir(nodeModules)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		p := filepath.Join(nodeModules, name)
		if strings.HasPrefix(name, "@") {
			scoped, err := os.ReadDir(p)
			if err != nil {
				continue
			}
			for _, s := range scoped {
				visitPackage(filepath.Join(p, s.Name()), seen, out)
			}
			continue
		}
		visitPackage(p, seen, out)
	}
}

func visitPackage(dir string, seen map[string]bool, out *[]*pulumirpc.PackageDependency) {
	pkg, err := readPackageJSON(filepath.Join(dir, "package.json"))
	if err == nil && pkg.Pulumi != nil && pkg.Pulumi.Resource {
		v := pkg.Pulumi.Version
		if v == "" {
			v = pkg.Version
		}
		dep := &pulumirpc.PackageDependency{
			Name:    pluginName(pkg),
			Kind:    "resource",
			Version: langhost.PluginVersion(v),
			Server:  pkg.Pulumi.Server,
		}
		if pz := pkg.Pulumi.Parameterization; pz != nil {
			dep.Parameterization = &pulumirpc.PackageParameterization{
				Name: pz.Name, Version: pz.Version, Value: pz.Value,
			}
		}
		key := dep.Name + "@" + dep.Version
		if dep.Parameterization != nil {
			key += "/" + dep.Parameterization.Name + "@" + dep.Parameterization.Version
		}
		if !seen["pkg:"+key] {
			seen["pkg:"+key] = true
			*out = append(*out, dep)
		}
	}
	collectPackages(filepath.Join(dir, "node_modules"), seen, out)
}

func (h *nodeHost) requiredPackages(info *pulumirpc.ProgramInfo, pwd string) []*pulumirpc.PackageDependency {
	var deps []*pulumirpc.PackageDependency
	if nm := findNodeModules(langhost.ProgramDir(info, pwd)); nm != "" {
		collectPackages(nm, map[string]bool{}, &deps)
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].Name+deps[i].Version < deps[j].Name+deps[j].Version })
	return deps
}

func (h *nodeHost) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{Packages: h.requiredPackages(req.GetInfo(), "")}, nil
}

//nolint:staticcheck // deprecated RPC, still called by older engines
func (h *nodeHost) GetRequiredPlugins(
	ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: langhost.Plugins(h.requiredPackages(req.GetInfo(), req.GetPwd()))}, nil
}

func detectPackageManager(dir, configured string) string {
	if configured != "" {
		return configured
	}
	for _, c := range []struct{ file, pm string }{
		{"bun.lock", "bun"}, {"bun.lockb", "bun"}, {"pnpm-lock.yaml", "pnpm"}, {"yarn.lock", "yarn"},
	} {
		if _, err := os.Stat(filepath.Join(dir, c.file)); err == nil {
			return c.pm
		}
	}
	return "npm"
}

func (h *nodeHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	dir := req.GetDirectory()
	if dir == "" {
		dir = langhost.ProgramDir(req.GetInfo(), "")
	}
	pm := detectPackageManager(dir, h.options(req.GetInfo()).packagemanager)
	bin, err := exec.LookPath(pm)
	if err != nil {
		return fmt.Errorf("could not find %s on the $PATH: %w", pm, err)
	}
	cmd := exec.CommandContext(server.Context(), bin, "install")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = langhost.Serialized(
		langhost.StreamWriter(func(b []byte) error { return server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: b}) }),
		langhost.StreamWriter(func(b []byte) error { return server.Send(&pulumirpc.InstallDependenciesResponse{Stderr: b}) }))
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s install failed in %s: %w", pm, dir, err)
	}
	return nil
}

func (h *nodeHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := nodeBinary()
	if err != nil {
		return nil, err
	}
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("failed to run node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

func (h *nodeHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := langhost.ProgramDir(req.GetInfo(), req.GetPwd())
	pkg, err := readPackageJSON(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, fmt.Errorf("could not read package.json in %s: %w", dir, err)
	}
	names := map[string]bool{}
	for n := range pkg.Dependencies {
		names[n] = true
	}
	for n := range pkg.DevDependencies {
		names[n] = true
	}
	nm := findNodeModules(dir)
	var deps []*pulumirpc.DependencyInfo
	for n := range names {
		v := pkg.Dependencies[n]
		if v == "" {
			v = pkg.DevDependencies[n]
		}
		if nm != "" {
			if installed, err := readPackageJSON(filepath.Join(nm, n, "package.json")); err == nil && installed.Version != "" {
				v = installed.Version
			}
		}
		deps = append(deps, &pulumirpc.DependencyInfo{Name: n, Version: v})
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].Name < deps[j].Name })
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

func (h *nodeHost) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

func (h *nodeHost) Template(context.Context, *pulumirpc.TemplateRequest) (*pulumirpc.TemplateResponse, error) {
	return &pulumirpc.TemplateResponse{}, nil
}

func (h *nodeHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// GenerateProgram writes TypeScript for a PCL program: the code `pulumi import` prints and `pulumi convert`
// writes (internal/programgen, with the pinned SDK's generator).
func (h *nodeHost) GenerateProgram(
	_ context.Context, req *pulumirpc.GenerateProgramRequest,
) (*pulumirpc.GenerateProgramResponse, error) {
	return programgen.Generate(req, nodejscodegen.GenerateProgram)
}

// The rest of code generation (GenerateProject/Package, Pack, Link: pulumi convert's project,
// package gen-sdk, conformance tests) is not provided by this host; the embedded
// UnimplementedLanguageRuntimeServer answers codes.Unimplemented for them.

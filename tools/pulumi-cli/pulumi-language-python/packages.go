package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/tailer/pulumi-tailer/tools/pulumi-cli/internal/langhost"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func (h *pythonHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	opts, err := parseOptions(req.GetInfo(), req.GetIsPlugin())
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	stdout, stderr = langhost.Serialized(stdout, stderr)
	if err := opts.installDependencies(server.Context(), stdout, stderr); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Finished installing dependencies")
	return closer.Close()
}

// ensureVirtualenv creates and fills a missing virtualenv before the engine asks which plugins the
// program needs, as upstream does, so `pulumi up` works on a fresh checkout. pip's output goes
// to the engine's log as ephemeral messages.
func (h *pythonHost) ensureVirtualenv(ctx context.Context, opts pythonOptions) error {
	if opts.virtualenv == "" || isVirtualEnv(opts.virtualenv) {
		return nil
	}
	stdout, stderr, done := h.progressWriters(ctx)
	defer done()
	return opts.installDependencies(ctx, stdout, stderr)
}

// progressWriters write to the engine's log (ephemeral info and error messages of one stream),
// or to this process's stderr (which the engine shows too) when the engine is not known.
func (h *pythonHost) progressWriters(ctx context.Context) (io.Writer, io.Writer, func()) {
	addr := h.EngineAddress()
	if addr == "" {
		return os.Stderr, os.Stderr, func() {}
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()), rpcutil.GrpcChannelOptions())
	if err != nil {
		return os.Stderr, os.Stderr, func() {}
	}
	engine := pulumirpc.NewEngineClient(conn)
	stream := rand.Int32() //nolint:gosec // a stream id, not a secret
	writer := func(severity pulumirpc.LogSeverity) io.Writer {
		return langhost.StreamWriter(func(b []byte) error {
			_, err := engine.Log(ctx, &pulumirpc.LogRequest{
				Severity: severity, Message: strings.ToValidUTF8(string(b), "\uFFFD"), Ephemeral: true, StreamId: stream,
			})
			return err
		})
	}
	stdout, stderr := langhost.Serialized(writer(pulumirpc.LogSeverity_INFO), writer(pulumirpc.LogSeverity_ERROR))
	return stdout, stderr, func() { _ = conn.Close() }
}

// installedPackage is a distribution installed in the program's environment, as pip lists it.
type installedPackage struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// listPackages asks pip for the program environment's distributions (all of them, or those
// nothing else requires), with PEP 503 names.
func (o pythonOptions) listPackages(ctx context.Context, transitive bool) ([]installedPackage, error) {
	args := []string{"-m", "pip", "list", "--format", "json", "--disable-pip-version-check"}
	if !transitive {
		args = append(args, "--not-required")
	}
	cmd, err := o.command(ctx, args...)
	if err != nil {
		return nil, err
	}
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing the installed Python packages (`python %s`) failed: %w%s",
			strings.Join(args, " "), err, langhost.CommandStderr(err))
	}
	return parsePipList(out)
}

func parsePipList(out []byte) ([]installedPackage, error) {
	var pkgs []installedPackage
	if err := json.Unmarshal(out, &pkgs); err != nil {
		return nil, fmt.Errorf("parsing `pip list --format json`: %w", err)
	}
	for i := range pkgs {
		pkgs[i].Name = normalizePackageName(pkgs[i].Name)
	}
	return pkgs, nil
}

var separatorRuns = regexp.MustCompile(`[-_.]+`)

// normalizePackageName is PEP 503's name normalization: "Pulumi_Tailer" -> "pulumi-tailer".
func normalizePackageName(name string) string {
	return separatorRuns.ReplaceAllString(strings.ToLower(name), "-")
}

// pluginJSONScript prints a JSON map from each distribution named on its command line to the
// pulumi-plugin.json its top-level package ships ("" if none). The distribution's file list
// (RECORD) finds it in a wheel install; an editable install lists no package files, so the
// top-level packages are located instead, without importing them.
const pluginJSONScript = `import importlib.metadata as md, importlib.util, json, os, sys
def find(name):
    try:
        dist = md.distribution(name)
    except md.PackageNotFoundError:
        return ""
    for f in dist.files or []:
        if f.name == "pulumi-plugin.json" and len(f.parts) == 2:
            path = str(dist.locate_file(f))
            if os.path.isfile(path):
                return path
    for top in (dist.read_text("top_level.txt") or "").split() or [name.replace("-", "_")]:
        try:
            spec = importlib.util.find_spec(top)
        except Exception:
            continue
        for folder in (spec.submodule_search_locations or []) if spec else []:
            path = os.path.join(folder, "pulumi-plugin.json")
            if os.path.isfile(path):
                return path
    return ""
print(json.dumps({name: find(name) for name in sys.argv[1:]}))`

// packagesWithoutPlugins are "pulumi-" distributions known to have no plugin (and no pulumi-plugin.json).
var packagesWithoutPlugins = map[string]bool{"pulumi-policy": true, "pulumi-esc-sdk": true}

// pulumiPackages finds the resource plugins the program's installed packages need: those that
// ship a pulumi-plugin.json, and (as upstream still does) "pulumi-*" distributions without one.
func (o pythonOptions) pulumiPackages(ctx context.Context) ([]*pulumirpc.PackageDependency, error) {
	pkgs, err := o.listPackages(ctx, true)
	if err != nil {
		return nil, err
	}
	args := []string{"-c", pluginJSONScript}
	for _, p := range pkgs {
		args = append(args, p.Name)
	}
	cmd, err := o.command(ctx, args...)
	if err != nil {
		return nil, err
	}
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("looking for pulumi-plugin.json in the installed Python packages failed: %w%s",
			err, langhost.CommandStderr(err))
	}
	var paths map[string]string
	if err := json.Unmarshal(out, &paths); err != nil {
		return nil, fmt.Errorf("parsing the pulumi-plugin.json locations: %w", err)
	}
	var deps []*pulumirpc.PackageDependency
	for _, p := range pkgs {
		dep, err := packageDependency(p, paths[p.Name])
		if err != nil {
			return nil, err
		}
		if dep != nil {
			deps = append(deps, dep)
		}
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].Name+deps[i].Version < deps[j].Name+deps[j].Version })
	return deps, nil
}

// packageDependency is the plugin an installed package needs, or nil: not a Pulumi package, a
// package that says `"resource": false`, or a version no plugin version can be derived from.
func packageDependency(pkg installedPackage, pluginJSONPath string) (*pulumirpc.PackageDependency, error) {
	if packagesWithoutPlugins[pkg.Name] {
		return nil, nil
	}
	var meta plugin.PulumiPluginJSON
	if pluginJSONPath != "" {
		b, err := os.ReadFile(pluginJSONPath)
		if err != nil {
			return nil, fmt.Errorf("reading the pulumi-plugin.json of %s: %w", pkg.Name, err)
		}
		if err := json.Unmarshal(b, &meta); err != nil {
			return nil, fmt.Errorf("parsing %s (of the Python package %s): %w", pluginJSONPath, pkg.Name, err)
		}
		if !meta.Resource {
			return nil, nil
		}
	} else if !strings.HasPrefix(pkg.Name, "pulumi-") {
		return nil, nil
	}
	dep := &pulumirpc.PackageDependency{Name: meta.Name, Kind: "resource", Version: meta.Version, Server: meta.Server}
	if dep.Name == "" {
		dep.Name = strings.TrimPrefix(pkg.Name, "pulumi-")
	}
	if dep.Version == "" {
		v, err := pluginVersion(pkg.Version)
		if err != nil {
			logging.V(5).Infof("no plugin version for the Python package %s %s: %v", pkg.Name, pkg.Version, err)
			return nil, nil
		}
		dep.Version = v
	}
	dep.Version = langhost.PluginVersion(dep.Version)
	if pz := meta.Parameterization; pz != nil {
		dep.Parameterization = &pulumirpc.PackageParameterization{Name: pz.Name, Version: pz.Version, Value: pz.Value}
	}
	return dep, nil
}

var pep440 = regexp.MustCompile(`^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(a|b|rc)(\d+))?(?:\.post(\d+))?(?:\.dev(\d+))?$`)

// pluginVersion turns a PEP 440 package version into the plugin's semantic version, as upstream
// does: 1.2 -> 1.2.0, 1.2.3a4 -> 1.2.3-alpha.4, 1.2.3rc1 -> 1.2.3-rc.1, 1.2.3.post4 -> 1.2.3+post4,
// 1.2.3.dev5 -> 1.2.3+dev5, 1.2.3.post4.dev5 -> 1.2.3+post4dev5. Epochs and local versions have no
// plugin version.
func pluginVersion(v string) (string, error) {
	m := pep440.FindStringSubmatch(v)
	if m == nil {
		return "", fmt.Errorf("%q is not a PEP 440 version this host can map to a plugin version", v)
	}
	num := func(s string) string {
		if s == "" {
			return "0"
		}
		return s
	}
	out := m[1] + "." + num(m[2]) + "." + num(m[3])
	if m[4] != "" {
		out += "-" + map[string]string{"a": "alpha", "b": "beta", "rc": "rc"}[m[4]] + "." + m[5]
	}
	build := ""
	if m[6] != "" {
		build += "post" + m[6]
	}
	if m[7] != "" {
		build += "dev" + m[7]
	}
	if build != "" {
		out += "+" + build
	}
	return out, nil
}

func (h *pythonHost) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	deps, err := h.requiredPackages(ctx, req.GetInfo())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: deps}, nil
}

//nolint:staticcheck // deprecated RPC, still called by older engines
func (h *pythonHost) GetRequiredPlugins(
	ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	deps, err := h.requiredPackages(ctx, req.GetInfo())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: langhost.Plugins(deps)}, nil
}

func (h *pythonHost) requiredPackages(ctx context.Context, info *pulumirpc.ProgramInfo) ([]*pulumirpc.PackageDependency, error) {
	opts, err := parseOptions(info, false)
	if err != nil {
		return nil, err
	}
	if err := h.ensureVirtualenv(ctx, opts); err != nil {
		return nil, err
	}
	return opts.pulumiPackages(ctx)
}

func (h *pythonHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	opts, err := parseOptions(req.GetInfo(), false)
	if err != nil {
		return nil, err
	}
	pkgs, err := opts.listPackages(ctx, req.GetTransitiveDependencies())
	if err != nil {
		return nil, err
	}
	deps := make([]*pulumirpc.DependencyInfo, len(pkgs))
	for i, p := range pkgs {
		deps[i] = &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version}
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

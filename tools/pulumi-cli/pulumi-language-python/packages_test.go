package main

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func TestPluginVersionFromPEP440(t *testing.T) {
	for in, want := range map[string]string{
		"1.2.3":             "1.2.3",
		"1.2":               "1.2.0",
		"4":                 "4.0.0",
		"1.2.3a4":           "1.2.3-alpha.4",
		"1.2.3b1":           "1.2.3-beta.1",
		"1.2.3rc2":          "1.2.3-rc.2",
		"1.2.3.post4":       "1.2.3+post4",
		"1.2.3.dev5":        "1.2.3+dev5",
		"1.2.3.post4.dev5":  "1.2.3+post4dev5",
		"3.31.0a1605189729": "3.31.0-alpha.1605189729",
	} {
		if got, err := pluginVersion(in); err != nil || got != want {
			t.Errorf("pluginVersion(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "1!2.0", "1.2.3+local", "1.2.3.4", "one"} {
		if got, err := pluginVersion(bad); err == nil {
			t.Errorf("pluginVersion(%q) = %q, want an error", bad, got)
		}
	}
}

func TestPackageDependencyFollowsPulumiPluginJSON(t *testing.T) {
	dir := t.TempDir()
	plugin := func(name, content string) string {
		path := filepath.Join(dir, name, "pulumi-plugin.json")
		writeFile(t, path, content)
		return path
	}
	for _, c := range []struct {
		name, version, pluginJSON string
		want                      string // "" for no plugin
	}{
		{"pulumi-tailer", "0.1.0", plugin("a", `{"resource": true}`), "tailer@v0.1.0"},
		{"tailer-sdk", "0.1.0", plugin("b", `{"resource": true, "name": "tailer", "version": "0.2.0", "server": "https://example.invalid"}`),
			"tailer@v0.2.0 from https://example.invalid"},
		{"pulumi-random", "4.16.0", "", "random@v4.16.0"},                  // no pulumi-plugin.json: upstream still trusts the name
		{"requests", "2.0.0", "", ""},                                      // not a Pulumi package
		{"pulumi-sdkish", "1.0.0", plugin("c", `{"resource": false}`), ""}, // says it has no plugin
		{"pulumi-policy", "1.0.0", "", ""},                                 // known to have none
		{"pulumi-weird", "1.0.0+local", "", ""},                            // no plugin version can be derived
		{"pulumi-aws-native", "1.0.0", plugin("d", `{"resource": true, "name": "terraform-provider", "version": "0.8.0",
			"parameterization": {"name": "aws", "version": "5.0.0", "value": "eyJ4IjoxfQ=="}}`),
			"terraform-provider@v0.8.0 as aws@5.0.0 {\"x\":1}"},
	} {
		dep, err := packageDependency(installedPackage{Name: c.name, Version: c.version}, c.pluginJSON)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		got := ""
		if dep != nil {
			got = dep.GetName() + "@" + dep.GetVersion()
			if dep.GetServer() != "" {
				got += " from " + dep.GetServer()
			}
			if pz := dep.GetParameterization(); pz != nil {
				got += " as " + pz.GetName() + "@" + pz.GetVersion() + " " + string(pz.GetValue())
			}
			if dep.GetKind() != "resource" {
				t.Errorf("%s: kind %q", c.name, dep.GetKind())
			}
		}
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestPackageDependencyReportsABrokenPulumiPluginJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pulumi-plugin.json")
	writeFile(t, path, `{"resource": tru`)
	if _, err := packageDependency(installedPackage{Name: "pulumi-x", Version: "1.0.0"}, path); err == nil {
		t.Error("want an error naming the broken file")
	}
}

func TestParsePipListNormalizesNames(t *testing.T) {
	pkgs, err := parsePipList([]byte(`[{"name": "Pulumi_Tailer", "version": "0.1.0"}, {"name": "zope.interface", "version": "6.0"}]`))
	if err != nil || len(pkgs) != 2 || pkgs[0].Name != "pulumi-tailer" || pkgs[1].Name != "zope-interface" {
		t.Errorf("pkgs = %v, err = %v", pkgs, err)
	}
	if _, err := parsePipList([]byte("WARNING: not json")); err == nil {
		t.Error("want an error for output that is not JSON")
	}
}

func TestGetRequiredPackagesFindsTheGeneratedSDKsPlugin(t *testing.T) {
	root := t.TempDir()
	site := sitePackages(t, newVirtualenv(t, filepath.Join(root, "venv")))
	// A generated SDK as `pip install sdk/python` leaves it: pulumi-plugin.json in its package.
	installDistribution(t, site, "pulumi_tailer", "0.1.0", map[string]string{
		"pulumi-plugin.json": `{"resource": true, "name": "tailer", "version": "0.1.0"}`,
	})
	// The same kind of SDK installed in editable mode (pip install -e): RECORD lists no package
	// files; its source folder is on sys.path through a .pth file.
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "pulumi_emulated", "__init__.py"), "")
	writeFile(t, filepath.Join(src, "pulumi_emulated", "pulumi-plugin.json"), `{"resource": true, "name": "emulated"}`)
	writeFile(t, filepath.Join(site, "pulumi_emulated-2.0.0.dist-info", "METADATA"), "Metadata-Version: 2.1\nName: pulumi-emulated\nVersion: 2.0.0\n")
	writeFile(t, filepath.Join(site, "pulumi_emulated-2.0.0.dist-info", "RECORD"), "")
	writeFile(t, filepath.Join(site, "pulumi_emulated-2.0.0.dist-info", "top_level.txt"), "pulumi_emulated\n")
	writeFile(t, filepath.Join(site, "__editable__.pulumi_emulated.pth"), src+"\n")
	// A library that is no Pulumi package at all.
	installDistribution(t, site, "left_pad", "1.3.0", map[string]string{})

	resp, err := (&pythonHost{}).GetRequiredPackages(context.Background(), &pulumirpc.GetRequiredPackagesRequest{
		Info: programInfo(t, root, root, map[string]any{"toolchain": "pip", "virtualenv": "venv"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range resp.GetPackages() {
		got = append(got, p.GetKind()+":"+p.GetName()+"@"+p.GetVersion())
	}
	if want := []string{"resource:emulated@v2.0.0", "resource:tailer@v0.1.0"}; !slices.Equal(got, want) {
		t.Errorf("packages = %q, want %q", got, want)
	}

	plugins, err := (&pythonHost{}).GetRequiredPlugins(context.Background(), &pulumirpc.GetRequiredPluginsRequest{
		Info: programInfo(t, root, root, map[string]any{"virtualenv": "venv"}),
	})
	if err != nil || len(plugins.GetPlugins()) != 2 {
		t.Errorf("GetRequiredPlugins = %v, %v", plugins, err)
	}
}

func TestGetProgramDependenciesListsDirectOrAllPackages(t *testing.T) {
	root := t.TempDir()
	site := sitePackages(t, newVirtualenv(t, filepath.Join(root, "venv")))
	installDistribution(t, site, "pulumi_tailer", "0.1.0", map[string]string{}, "left-pad>=1")
	installDistribution(t, site, "left_pad", "1.3.0", map[string]string{})
	names := func(transitive bool) []string {
		resp, err := (&pythonHost{}).GetProgramDependencies(context.Background(), &pulumirpc.GetProgramDependenciesRequest{
			Info: programInfo(t, root, root, map[string]any{"virtualenv": "venv"}), TransitiveDependencies: transitive,
		})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range resp.GetDependencies() {
			out = append(out, d.GetName()+"="+d.GetVersion())
		}
		return out
	}
	all, direct := names(true), names(false)
	if !slices.Contains(all, "left-pad=1.3.0") || !slices.Contains(all, "pulumi-tailer=0.1.0") {
		t.Errorf("transitive = %q", all)
	}
	if slices.Contains(direct, "left-pad=1.3.0") || !slices.Contains(direct, "pulumi-tailer=0.1.0") {
		t.Errorf("direct = %q: left-pad is only required by pulumi-tailer", direct)
	}
}

func TestGetRequiredPackagesCreatesAMissingVirtualenvFirst(t *testing.T) {
	requirePython(t)
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "requirements.txt"), "pip\n")
	resp, err := (&pythonHost{}).GetRequiredPackages(context.Background(), &pulumirpc.GetRequiredPackagesRequest{
		Info: programInfo(t, root, root, map[string]any{"virtualenv": "venv"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !isVirtualEnv(filepath.Join(root, "venv")) || len(resp.GetPackages()) != 0 {
		t.Errorf("venv created: %v, packages = %v", isVirtualEnv(filepath.Join(root, "venv")), resp.GetPackages())
	}
}

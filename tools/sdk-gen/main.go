// Command sdk-gen writes the Node.js, Python and Go SDKs of the tailer package from its schema.json,
// with the code generators of github.com/pulumi/pulumi/pkg/v3 (the same ones `pulumi package gen-sdk`
// runs through each language host).
//
//	go run . -schema ../../schema.json -out ../../sdk [-lang nodejs,python,go]
//
// Each language's folder is replaced (but for the Go module's go.mod and go.sum, which are ours), so a
// file the generator no longer writes disappears.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

const tool = "pulumi-tailer sdk-gen"

// noReferences is the loader of a schema that references no other package.
type noReferences struct{}

var errNoReferences = errors.New("the tailer schema references no other package")

func (noReferences) LoadPackage(string, *semver.Version) (*schema.Package, error) {
	return nil, errNoReferences
}

func (noReferences) LoadPackageV2(context.Context, *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, errNoReferences
}

func (noReferences) LoadPackageReference(string, *semver.Version) (schema.PackageReference, error) {
	return nil, errNoReferences
}

func (noReferences) LoadPackageReferenceV2(context.Context, *schema.PackageDescriptor) (schema.PackageReference, error) {
	return nil, errNoReferences
}

// load binds and validates the schema (against Pulumi's metaschema), with each language's options.
func load(path string) (*schema.Package, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(text, &spec); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	pkg, diags, err := schema.BindSpec(spec, noReferences{}, schema.ValidationOptions{})
	if err != nil {
		return nil, err
	}
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s is not a valid package schema: %s", path, diags.Error())
	}
	return pkg, pkg.ImportLanguages(map[string]schema.Language{
		"nodejs": nodejs.Importer, "python": python.Importer, "go": gogen.Importer,
	})
}

func generate(lang string, pkg *schema.Package) (map[string][]byte, error) {
	switch lang {
	case "nodejs":
		return nodejs.GeneratePackage(tool, pkg, nil, nil, false, noReferences{})
	case "python":
		files, err := python.GeneratePackage(tool, pkg, nil, noReferences{})
		// pyproject.toml names a README at the root, which the Python host's build step copies there.
		if readme, ok := files["pulumi_tailer/README.md"]; ok && err == nil {
			files["README.md"] = readme
		}
		return files, err
	case "go":
		return gogen.GeneratePackage(tool, pkg, nil)
	}
	return nil, fmt.Errorf("unknown language %q (nodejs, python, go)", lang)
}

// kept are the files of a language folder that the generator does not write.
var kept = map[string]bool{"go.mod": true, "go.sum": true}

func write(dir string, files map[string][]byte) error {
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	for _, entry := range entries {
		if !kept[entry.Name()] {
			if err := os.RemoveAll(filepath.Join(dir, entry.Name())); err != nil {
				return err
			}
		}
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

func main() {
	schemaPath := flag.String("schema", "schema.json", "the package schema")
	out := flag.String("out", "sdk", "where to write <out>/<language>/")
	langs := flag.String("lang", "nodejs,python,go", "languages, comma-separated")
	flag.Parse()
	pkg, err := load(*schemaPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sdk-gen:", err)
		os.Exit(1)
	}
	for _, lang := range strings.Split(*langs, ",") {
		files, err := generate(lang, pkg)
		if err == nil {
			err = write(filepath.Join(*out, lang), files)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "sdk-gen: %s: %v\n", lang, err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "sdk-gen: %s: %d files in %s\n", lang, len(files), filepath.Join(*out, lang))
	}
}

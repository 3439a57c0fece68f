package programgen

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// repositorySchema loads schema.json, the provider's schema this repository builds, as the engine's loader would.
type repositorySchema struct{ pkg *schema.Package }

// noOtherPackages is the loader schema.json binds with: it references no other package.
type noOtherPackages struct{ schema.Loader }

func (noOtherPackages) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("schema.json references package %s", name)
}

func (l repositorySchema) LoadPackage(string, *semver.Version) (*schema.Package, error) {
	return l.pkg, nil
}
func (l repositorySchema) LoadPackageV2(context.Context, *schema.PackageDescriptor) (*schema.Package, error) {
	return l.pkg, nil
}
func (l repositorySchema) LoadPackageReference(string, *semver.Version) (schema.PackageReference, error) {
	return l.pkg.Reference(), nil
}
func (l repositorySchema) LoadPackageReferenceV2(context.Context, *schema.PackageDescriptor) (schema.PackageReference, error) {
	return l.pkg.Reference(), nil
}

func loadRepositorySchema(t *testing.T) repositorySchema {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	languages := map[string]schema.Language{"nodejs": nodejs.Importer, "python": python.Importer}
	pkg, err := schema.ImportSpec(spec, languages, noOtherPackages{}, schema.ValidationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return repositorySchema{pkg: pkg}
}

// What `pulumi import tailer:index:ConfigurationStatus sales-load …` hands the language host.
const importedStatus = `resource salesLoad "tailer:index:ConfigurationStatus" {
    __logicalName = "sales-load"
    account = "000099"
    environment = "DEV"
    configurationType = "table-to-table"
    configurationId = "000099_sales_load_DEV"
    activated = true
}
`

func generate(t *testing.T, source string, generator Generator) *pulumirpc.GenerateProgramResponse {
	t.Helper()
	req := &pulumirpc.GenerateProgramRequest{Source: map[string]string{"main.pp": source}}
	res, err := generateWith(req, loadRepositorySchema(t), generator)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestAnImportedStatusIsWrittenAsTypeScript(t *testing.T) {
	res := generate(t, importedStatus, nodejs.GenerateProgram)
	code := string(res.Source["index.ts"])
	for _, want := range []string{`new tailer.ConfigurationStatus("sales-load", {`, `configurationId: "000099_sales_load_DEV"`, `activated: true`} {
		if !strings.Contains(code, want) {
			t.Errorf("index.ts lacks %q:\n%s", want, code)
		}
	}
}

func TestAnImportedStatusIsWrittenAsPython(t *testing.T) {
	res := generate(t, importedStatus, python.GenerateProgram)
	code := string(res.Source["__main__.py"])
	for _, want := range []string{`tailer.ConfigurationStatus("sales-load"`, `configuration_id="000099_sales_load_DEV"`, `activated=True`} {
		if !strings.Contains(code, want) {
			t.Errorf("__main__.py lacks %q:\n%s", want, code)
		}
	}
}

func TestAPropertyTheSchemaLacksFailsStrictGenerationNamingIt(t *testing.T) {
	source := strings.Replace(importedStatus, `activated = true`, `activatd = true`, 1)
	req := &pulumirpc.GenerateProgramRequest{Source: map[string]string{"main.pp": source}, Strict: true}
	res, err := generateWith(req, loadRepositorySchema(t), nodejs.GenerateProgram)
	if err == nil || !strings.Contains(err.Error(), "unsupported attribute 'activatd'") {
		t.Fatalf("want an error naming activatd, got %v and %v", err, res)
	}
}

func TestUnparsablePCLComesBackAsADiagnosticNotAFailedCall(t *testing.T) {
	res := generate(t, `resource x "tailer:index:ConfigurationStatus" {`, nodejs.GenerateProgram)
	if len(res.Diagnostics) == 0 || len(res.Source) != 0 {
		t.Fatalf("want diagnostics and no source, got %v and %d files", res.Diagnostics, len(res.Source))
	}
}

// Package programgen answers a language host's GenerateProgram: the PCL that `pulumi import` (and
// `pulumi convert`) hands the host, bound against the engine's schema loader and written in the host's
// language by the pinned SDK's code generator. Without it `pulumi import` fails in a Node.js or Python
// project unless the user passes --generate-code=false.
package programgen

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/pulumi/pulumi/pkg/v3/codegen/hcl2/syntax"
	"github.com/pulumi/pulumi/pkg/v3/codegen/pcl"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/contract"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Generator writes a bound program in one language: codegen/nodejs.GenerateProgram or codegen/python's.
type Generator func(*pcl.Program) (map[string][]byte, hcl.Diagnostics, error)

// Generate binds the request's PCL files against the schema loader at req.LoaderTarget and writes them
// with generate. Unparsable PCL comes back as diagnostics, as the engine expects; a strict binding's
// error (a property the schema lacks) as a failed call that names it.
func Generate(req *pulumirpc.GenerateProgramRequest, generate Generator) (*pulumirpc.GenerateProgramResponse, error) {
	loader, err := schema.NewLoaderClient(req.LoaderTarget)
	if err != nil {
		return nil, fmt.Errorf("connect to the engine's schema loader: %w", err)
	}
	defer contract.IgnoreClose(loader)
	return generateWith(req, schema.NewCachedLoader(loader), generate)
}

// generateWith is Generate with the loader given: the unit tests pass a loader of this repository's schema.
func generateWith(
	req *pulumirpc.GenerateProgramRequest, loader schema.ReferenceLoader, generate Generator,
) (*pulumirpc.GenerateProgramResponse, error) {
	parser := syntax.NewParser()
	names := make([]string, 0, len(req.Source))
	for name := range req.Source {
		names = append(names, name)
	}
	sort.Strings(names) // the same diagnostics, in the same order, on every run
	for _, name := range names {
		if err := parser.ParseFile(strings.NewReader(req.Source[name]), name); err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
	}
	if parser.Diagnostics.HasErrors() {
		return &pulumirpc.GenerateProgramResponse{Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(parser.Diagnostics)}, nil
	}
	options := []pcl.BindOption{pcl.PreferOutputVersionedInvokes} // as upstream's hosts: invokes that take outputs
	if !req.Strict {
		options = append(options, pcl.NonStrictBindOptions()...)
	}
	program, diags, err := pcl.BindProgram(parser.Files, loader, options...)
	if err != nil {
		return nil, fmt.Errorf("bind the program: %w", err)
	}
	if diags.HasErrors() || program == nil {
		return &pulumirpc.GenerateProgramResponse{Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags)}, nil
	}
	files, generated, err := generate(program)
	if err != nil {
		return nil, fmt.Errorf("generate the program: %w", err)
	}
	diags = append(diags, generated...)
	return &pulumirpc.GenerateProgramResponse{Source: files, Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags)}, nil
}

// Package pulumiyaml pins pulumi-yaml's language host (the `tool` in go.mod) for
// scripts/ensure-pulumi.sh, which builds it into the CLI's bin folder. This test builds the
// pinned host and talks to it over gRPC as the engine does.
package pulumiyaml

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
)

// startHost builds the pinned pulumi-language-yaml, starts it as the engine does (without an
// engine address), and returns a client of the port it prints.
func startHost(t *testing.T) pulumirpc.LanguageRuntimeClient {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "pulumi-language-yaml")
	build := exec.Command("go", "build", "-o", bin, "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml")
	build.Env = append(os.Environ(), "GOWORK=off", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	host := exec.CommandContext(ctx, bin)
	stdout, err := host.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := host.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = host.Wait()
	})
	port, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the host printed no port: %v", err)
	}
	conn, err := grpc.NewClient("127.0.0.1:"+strings.TrimSpace(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return pulumirpc.NewLanguageRuntimeClient(conn)
}

func TestThePinnedYAMLHostFindsTheProvidersAProgramUses(t *testing.T) {
	client := startHost(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	if _, err := client.GetPluginInfo(ctx, &emptypb.Empty{}); err != nil {
		t.Fatalf("GetPluginInfo: %v", err)
	}
	dir := t.TempDir()
	program := `name: yaml-smoke
runtime: yaml
resources:
  status:
    type: tailer:index:ConfigurationStatus
    properties:
      configurationId: "000099_sales_load_DEV"
  stamp:
    type: random:RandomId
    options:
      version: 4.16.0
outputs:
  joined:
    fn::join: ["-", ["a", "b"]]
`
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), []byte(program), 0o644); err != nil {
		t.Fatal(err)
	}
	resp, err := client.GetRequiredPackages(ctx, &pulumirpc.GetRequiredPackagesRequest{
		Info: &pulumirpc.ProgramInfo{RootDirectory: dir, ProgramDirectory: dir, EntryPoint: "."},
	})
	if err != nil {
		t.Fatalf("GetRequiredPackages: %v", err)
	}
	var got []string
	for _, p := range resp.GetPackages() {
		got = append(got, p.GetKind()+":"+p.GetName()+"@"+p.GetVersion())
	}
	slices.Sort(got)
	if want := []string{"resource:random@4.16.0", "resource:tailer@"}; !slices.Equal(got, want) {
		t.Errorf("packages = %q, want %q", got, want)
	}
}

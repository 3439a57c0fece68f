// Package langhost holds what this module's language hosts (pulumi-language-nodejs,
// pulumi-language-python) share: serving the LanguageRuntime service while watching
// the engine, running a program as a child process that stops with the engine, and
// the protocol details both SDKs agree on (config environment, exit code 32).
package langhost

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// ExitCodeAlreadyReported is the exit code with which a program says it already
// showed its error to the user; the engine then prints nothing more ("bail").
const ExitCodeAlreadyReported = 32

// How often a host checks that the engine is alive, how long a stopped program gets
// between SIGINT and SIGKILL, and how long the host waits for that before exiting.
const (
	EngineHealthInterval = 10 * time.Second
	ProgramWaitDelay     = 10 * time.Second
	ProgramStopDelay     = ProgramWaitDelay + 2*time.Second
)

// Programs ties the child processes of a host to two events: the engine going away
// (pulumi killed: the host must not leave orphans) and the engine's Cancel RPC.
type Programs struct {
	stop   context.Context
	cancel context.CancelFunc
}

// NewPrograms returns Programs that stop when parent ends or Cancel is called.
func NewPrograms(parent context.Context) *Programs {
	stop, cancel := context.WithCancel(parent)
	return &Programs{stop: stop, cancel: cancel}
}

// Cancel stops every program started through p (SIGINT, then SIGKILL after ProgramWaitDelay).
func (p *Programs) Cancel() {
	if p != nil {
		p.cancel()
	}
}

// Bind derives from ctx a context that also ends when p stops.
func (p *Programs) Bind(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	if p == nil {
		return ctx, cancel
	}
	unregister := context.AfterFunc(p.stop, cancel)
	return ctx, func() {
		unregister()
		cancel()
	}
}

// Command prepares a program that gets SIGINT when ctx or p ends, and SIGKILL
// ProgramWaitDelay later. Call release once the command has finished.
func (p *Programs) Command(ctx context.Context, name string, args ...string) (*exec.Cmd, context.CancelFunc) {
	ctx, release := p.Bind(ctx)
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = ProgramWaitDelay
	return cmd, release
}

// Base is what each host of this module is built on: the engine's address (from the
// command line or Handshake), the programs it runs, the answers every host gives
// alike (Handshake, GetPluginInfo), and codes.Unimplemented for what it does not provide.
type Base struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	// Programs stop when the engine is gone (set by Serve; nil in tests, which stop nothing).
	Programs *Programs

	mu            sync.Mutex
	engineAddress string
}

// EngineAddress is the engine's gRPC address, "" until known.
func (b *Base) EngineAddress() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.engineAddress
}

// SetEngineAddress records the engine's gRPC address.
func (b *Base) SetEngineAddress(addr string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.engineAddress = addr
}

// Handshake records the engine's address, when the engine gives one.
func (b *Base) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if addr := req.GetEngineAddress(); addr != "" {
		b.SetEngineAddress(addr)
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GetPluginInfo reports the version the host was built with: the CLI's (ldflags).
func (b *Base) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// Serve runs a language host's gRPC server until the engine stops it. It watches
// the engine at base's address (when known): once the engine is gone, base's
// programs get stopped and the host exits rather than live on as an orphan. It
// prints the port on stdout, as the engine expects of every plugin, and never returns.
func Serve(name, tracing string, base *Base, host pulumirpc.LanguageRuntimeServer) {
	logging.InitLogging(false, 0, false)
	cmdutil.InitTracing(name, name, tracing)

	lifetime, engineGone := context.WithCancel(context.Background())
	if addr := base.EngineAddress(); addr != "" {
		if err := rpcutil.Healthcheck(lifetime, addr, EngineHealthInterval, engineGone); err != nil {
			logging.V(3).Infof("cannot watch the engine at %s: %v", addr, err)
		}
	}
	base.Programs = NewPrograms(lifetime)
	go func() {
		<-lifetime.Done()
		time.Sleep(ProgramStopDelay) // the programs got SIGINT, and are killed after ProgramWaitDelay
		os.Exit(0)
	}()

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
		Options: rpcutil.TracingServerInterceptorOptions(nil),
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
	os.Exit(0)
}

// ConfigEnv returns the PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS variables (JSON)
// through which both the Node.js and the Python SDK receive the stack's configuration.
func ConfigEnv(req *pulumirpc.RunRequest) ([]string, error) {
	config := req.GetConfig()
	if config == nil {
		config = map[string]string{}
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return nil, fmt.Errorf("failed to serialize configuration: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("failed to serialize secret configuration keys: %w", err)
	}
	return []string{"PULUMI_CONFIG=" + string(configJSON), "PULUMI_CONFIG_SECRET_KEYS=" + string(secretKeysJSON)}, nil
}

// RunResult maps how a program process ended (the error of cmd.Run) to the answer of
// the Run RPC: exit code 32 means the program already reported its error.
func RunResult(err error) *pulumirpc.RunResponse {
	resp := &pulumirpc.RunResponse{}
	if err == nil {
		return resp
	}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		code := exitErr.ExitCode()
		if code == ExitCodeAlreadyReported {
			resp.Bail = true
		} else if code >= 0 {
			resp.Error = fmt.Sprintf("Program exited with non-zero exit code: %d", code)
		} else {
			resp.Error = fmt.Sprintf("Program exited unexpectedly: %v", exitErr)
		}
	default:
		resp.Error = fmt.Sprintf("Problem executing program (could not run language executor): %v", err)
	}
	return resp
}

// ProgramDir is the program's directory: the one the engine names, else pwd, else the working directory.
func ProgramDir(info *pulumirpc.ProgramInfo, pwd string) string {
	if d := info.GetProgramDirectory(); d != "" {
		return d
	}
	if pwd != "" {
		return pwd
	}
	wd, _ := os.Getwd()
	return wd
}

// PluginVersion writes a plugin version the way the engine reads it ("v" prefix).
func PluginVersion(v string) string {
	if v != "" && v[0] != 'v' {
		return "v" + v
	}
	return v
}

// Plugins answers the deprecated GetRequiredPlugins from GetRequiredPackages' answer:
// parameterized packages have no plugin of their own to report.
func Plugins(packages []*pulumirpc.PackageDependency) []*pulumirpc.PluginDependency {
	var plugins []*pulumirpc.PluginDependency
	for _, p := range packages {
		if p.Parameterization != nil {
			continue
		}
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server,
		})
	}
	return plugins
}

// StreamWriter is an io.Writer that hands each write (a copy of it) to a function, such
// as the Send of a gRPC stream.
type StreamWriter func([]byte) error

// Write implements io.Writer.
func (w StreamWriter) Write(p []byte) (int, error) {
	if err := w(append([]byte(nil), p...)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Serialized makes the writes to a and b mutually exclusive: exec.Cmd copies a program's
// stdout and stderr from two goroutines, and a gRPC stream takes one Send at a time.
func Serialized(a, b io.Writer) (io.Writer, io.Writer) {
	var mu sync.Mutex
	guard := func(w io.Writer) io.Writer {
		return StreamWriter(func(p []byte) error {
			mu.Lock()
			defer mu.Unlock()
			_, err := w.Write(p)
			return err
		})
	}
	return guard(a), guard(b)
}

// RunPlugin runs a plugin's prepared command for the RunPlugin RPC: its stdout and stderr
// stream to the engine, then its exit code, the stream's last message.
func RunPlugin(cmd *exec.Cmd, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	cmd.Stdout, cmd.Stderr = Serialized(
		StreamWriter(func(b []byte) error {
			return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
		}),
		StreamWriter(func(b []byte) error {
			return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
		}))
	code := 0
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return err
		}
		code = exitErr.ExitCode()
	}
	return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
}

// CommandStderr is what a failed exec.Cmd.Output printed on stderr, as ": <text>" ("" if nothing).
func CommandStderr(err error) string {
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && len(bytes.TrimSpace(exitErr.Stderr)) > 0 {
		return ": " + string(bytes.TrimSpace(exitErr.Stderr))
	}
	return ""
}

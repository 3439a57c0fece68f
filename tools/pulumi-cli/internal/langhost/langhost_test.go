package langhost

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"slices"
	"sync"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func TestRunResultMapsHowTheProgramEnded(t *testing.T) {
	exit := func(code string) error { return exec.Command("sh", "-c", "exit "+code).Run() }
	killed := exec.Command("sh", "-c", "kill -9 $$").Run()

	for _, c := range []struct {
		name string
		err  error
		want string // bail, or the error text ("" for success)
	}{
		{"success", nil, ""},
		{"already reported", exit("32"), "bail"},
		{"failure", exit("3"), "Program exited with non-zero exit code: 3"},
		{"killed", killed, "Program exited unexpectedly: signal: killed"},
		{"not started", errors.New("exec: no such file"), "Problem executing program (could not run language executor): exec: no such file"},
	} {
		resp := RunResult(c.err)
		got := resp.GetError()
		if resp.GetBail() {
			got = "bail"
		}
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestConfigEnvIsJSONAndNeverMissing(t *testing.T) {
	env, err := ConfigEnv(&pulumirpc.RunRequest{
		Config: map[string]string{"p:a": "1", "p:s": "x"}, ConfigSecretKeys: []string{"p:s"},
	})
	if err != nil || !slices.Equal(env, []string{`PULUMI_CONFIG={"p:a":"1","p:s":"x"}`, `PULUMI_CONFIG_SECRET_KEYS=["p:s"]`}) {
		t.Errorf("env = %q, err = %v", env, err)
	}
	env, _ = ConfigEnv(&pulumirpc.RunRequest{})
	if !slices.Equal(env, []string{"PULUMI_CONFIG={}", "PULUMI_CONFIG_SECRET_KEYS=[]"}) {
		t.Errorf("empty request: env = %q", env)
	}
}

func TestProgramsInterruptTheirCommandsWhenCancelled(t *testing.T) {
	programs := NewPrograms(context.Background())
	// The shell reports SIGINT by its exit code, so the test sees which signal arrived.
	cmd, release := programs.Command(context.Background(), "sh", "-c", "trap 'kill $!; exit 42' INT; sleep 30 & wait")
	defer release()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	programs.Cancel()
	err := cmd.Wait()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 42 {
		t.Errorf("err = %v, want exit 42 (SIGINT)", err)
	}
}

func TestProgramsOfAnEndedParentStopNewCommandsAtOnce(t *testing.T) {
	parent, engineGone := context.WithCancel(context.Background())
	programs := NewPrograms(parent)
	engineGone()
	cmd, release := programs.Command(context.Background(), "sleep", "30")
	defer release()
	if err := cmd.Run(); err == nil {
		t.Error("a command started after the engine went away ran to completion")
	}
}

func TestNilProgramsStillRunCommands(t *testing.T) {
	var programs *Programs // hosts built by tests have none
	cmd, release := programs.Command(context.Background(), "true")
	defer release()
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	programs.Cancel()
}

func TestSerializedWritersNeverInterleaveWrites(t *testing.T) {
	var log bytes.Buffer
	var inside int
	var mu sync.Mutex
	sink := StreamWriter(func(p []byte) error {
		mu.Lock()
		inside++
		busy := inside
		mu.Unlock()
		if busy != 1 {
			t.Error("two writes at once")
		}
		time.Sleep(time.Millisecond)
		log.Write(p)
		mu.Lock()
		inside--
		mu.Unlock()
		return nil
	})
	a, b := Serialized(sink, sink)
	var wg sync.WaitGroup
	for _, w := range []interface{ Write([]byte) (int, error) }{a, b} {
		wg.Go(func() {
			for range 20 {
				_, _ = w.Write([]byte("x"))
			}
		})
	}
	wg.Wait()
	if log.Len() != 40 {
		t.Errorf("wrote %d bytes, want 40", log.Len())
	}
}

func TestPluginVersionsCarryAV(t *testing.T) {
	for in, want := range map[string]string{"1.2.3": "v1.2.3", "v1.2.3": "v1.2.3", "": ""} {
		if got := PluginVersion(in); got != want {
			t.Errorf("PluginVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPluginsLeaveOutParameterizedPackages(t *testing.T) {
	plugins := Plugins([]*pulumirpc.PackageDependency{
		{Name: "tailer", Kind: "resource", Version: "v0.1.0"},
		{Name: "terraform-provider", Kind: "resource", Version: "v1.0.0",
			Parameterization: &pulumirpc.PackageParameterization{Name: "aws", Version: "5.0.0"}},
	})
	if len(plugins) != 1 || plugins[0].GetName() != "tailer" || plugins[0].GetVersion() != "v0.1.0" {
		t.Errorf("plugins = %v", plugins)
	}
}

func TestCommandStderrQuotesWhatTheCommandSaid(t *testing.T) {
	_, err := exec.Command("sh", "-c", "echo 'no module named pip' >&2; exit 1").Output()
	if got := CommandStderr(err); got != ": no module named pip" {
		t.Errorf("CommandStderr = %q", got)
	}
	if got := CommandStderr(errors.New("other")); got != "" {
		t.Errorf("CommandStderr(other) = %q", got)
	}
}

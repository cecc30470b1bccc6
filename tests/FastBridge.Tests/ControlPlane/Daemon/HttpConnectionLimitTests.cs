using System.Diagnostics;
using System.Text.Json;
using FastBridge.ControlPlane.Api;
using FastBridge.ControlPlane.Cli;
using FastBridge.ControlPlane.Switch;
using FastBridge.Tests.ControlPlane.Metrics;

namespace FastBridge.Tests.ControlPlane.Daemon;

/// <summary>
/// Idle connections to --http, held by an unprivileged user, once took the daemon's descriptors
/// (issue 10): now they cost at most the listener's cap, frames keep flowing, the Unix socket keeps
/// answering, and the server closes every one of them within the keep-alive timeout.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class HttpConnectionLimitTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string MacA = "02:00:00:00:de:0a";
    private const string MacB = "02:00:00:00:de:0b";
    private const int Idle = 200;

    private static readonly TimeSpan s_commandTimeout = TimeSpan.FromSeconds(30);

    // As nobody: opens $2 connections to 127.0.0.1:$1 and sends nothing, says so, then waits (at most
    // $3 s in all) for the server to close each one: a read that ends (status <= 128) rather than times out.
    private const string IdleClients = """
        fds=()
        for ((i = 0; i < $2; i++)); do exec {fd}<>"/dev/tcp/127.0.0.1/$1" || exit 1; fds+=("$fd"); done
        echo "opened $2"
        start=$SECONDS; closed=0
        for fd in "${fds[@]}"; do
          left=$(( $3 - (SECONDS - start) )); (( left < 1 )) && left=1
          if read -r -t "$left" -u "$fd" _; then :; elif (( $? <= 128 )); then closed=$((closed + 1)); fi
        done
        echo "closed $closed"
        """;

    [Fact]
    public void IdleConnections_MoreThanTheCap_ForwardingAndUnixSocketUnharmedAllClosedWithinKeepAlive()
    {
        using DaemonLab lab = DaemonLab.Create(2);
        int port = PrometheusTests.FreePort();
        // Fast path off: its once-a-second re-check of each port's peer runs `ip` and holds the pipes for a moment,
        // and this test counts the descriptors the API's connections hold.
        using FastBridgeDaemon daemon = FastBridgeDaemon.Start(lab.Socket, "--port", lab.Port(0), "--port", lab.Port(1), "--http", $"127.0.0.1:{port}",
            "--fast-path", "off");
        using RawSocket hostA = lab.OpenHost(0);
        using RawSocket hostB = lab.OpenHost(1);
        // Warmed up first: the first requests on each listener open descriptors of their own (epoll, timers).
        Assert.Equal(0, daemon.Cli("port", "show").ExitCode);
        Assert.Contains("fastbridge_port_up", ChildProcess.Run("curl", ["-s", $"http://127.0.0.1:{port}/metrics"], s_commandTimeout, ChildProcess.Nobody).Trimmed().Stdout);
        long rssBefore = RssBytes(daemon.Pid);
        int descriptorsBefore = Directory.GetFiles($"/proc/{daemon.Pid}/fd").Length;
        int atB = 0;
        using var receiving = new CancellationTokenSource();
        Thread receiver = LivePortTests.Receiver(hostB, MacA, () => Interlocked.Increment(ref atB), receiving.Token);

        int limitSeconds = (int)ApiLimits.KeepAliveTimeout.TotalSeconds + 5;
        using var clients = new ChildProcess("bash",
            ["-c", IdleClients, "idle", port.ToString(System.Globalization.CultureInfo.InvariantCulture), Idle.ToString(System.Globalization.CultureInfo.InvariantCulture),
             limitSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)], ChildProcess.Nobody);
        TimeSpan limit = TimeSpan.FromSeconds(limitSeconds);
        try
        {
            Assert.Equal($"opened {Idle}", Line(clients, 0, limit));
            var since = Stopwatch.StartNew();

            // While they sit there: 2000 frames A -> B, paced, all delivered.
            byte[] aToB = TestFrames.Sized(TestFrames.Mac(MacB), TestFrames.Mac(MacA), TestFrames.MinFrame);
            const int Frames = 2000;
            for (int i = 0; i < Frames; i++)
            {
                hostA.Send(aToB);
                if (i % 5 == 4)
                {
                    Thread.Sleep(1);
                }
            }
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref atB) >= Frames, 5000), $"sent {Frames}, B got {atB}\n{daemon.Output}");
            BridgeLink[] ports = JsonSerializer.Deserialize(daemon.Cli("port", "show", "--json").Stdout, BridgeJson.Default.BridgeLinkArray)!;
            Assert.All(ports, p => Assert.Equal("forwarding", p.State));
            Assert.Equal(2, ports.Length);
            int descriptorsHeld = Directory.GetFiles($"/proc/{daemon.Pid}/fd").Length;
            string established = ChildProcess.Run("ss", ["-Htn", "state", "established", "sport", "=", $":{port}"], s_commandTimeout).Trimmed().Stdout;
            int held = established.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            Assert.True(held == ApiLimits.ConnectionsPerListener, $"the server holds {held} connections of {Idle}:\n{established}");
            Assert.True(descriptorsHeld <= descriptorsBefore + ApiLimits.ConnectionsPerListener + 4,
                $"{descriptorsHeld} descriptors with {Idle} idle clients, {descriptorsBefore} before");
            Assert.True(since.Elapsed < ApiLimits.KeepAliveTimeout, $"the checks took {since.Elapsed}, longer than the keep-alive timeout they ran within");

            Assert.Equal($"closed {Idle}", Line(clients, 1, limit));
            output.WriteLine($"{Idle} idle clients: {held} held, descriptors {descriptorsBefore} -> {descriptorsHeld}, all closed after {since.Elapsed.TotalSeconds:F1} s");
            Assert.True(since.Elapsed < ApiLimits.KeepAliveTimeout + TimeSpan.FromSeconds(3), $"the server closed them after {since.Elapsed}");
        }
        finally
        {
            if (!clients.WaitForExit(limit))
            {
                clients.Kill();
            }
            receiving.Cancel();
            receiver.Join();
        }

        Assert.False(daemon.HasExited, daemon.Output);
        long grown = RssBytes(daemon.Pid) - rssBefore;
        output.WriteLine($"RSS {rssBefore >> 20} MB before, grew {grown >> 10} KB");
        Assert.True(grown < 100 << 20, $"RSS grew {grown >> 20} MB");
        Assert.Contains("fastbridge_port_up", ChildProcess.Run("curl", ["-s", $"http://127.0.0.1:{port}/metrics"], s_commandTimeout, ChildProcess.Nobody).Trimmed().Stdout);
    }

    /// <summary>Stdout line <paramref name="index"/> once it has come (null if it never does), as a blocking read of it would return it.</summary>
    private static string? Line(ChildProcess process, int index, TimeSpan timeout) =>
        process.WaitForLines(lines => lines.Count > index, timeout) ? process.Lines()[index] : null;

    private static long RssBytes(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
}

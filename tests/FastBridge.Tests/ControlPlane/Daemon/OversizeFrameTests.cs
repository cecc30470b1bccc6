// Frames from a 9000-MTU port toward a 1500-MTU port, every size from 1500 to 1530 bytes, untagged,
// 802.1Q- and 802.1ad-tagged, each followed by a normal frame: no oversize frame may stall the
// egress port (every normal frame arrives), and each oversize frame either arrives or is counted
// too_big on the egress port, never counted as sent while lost.
using System.Buffers.Binary;
using System.Text.Json;
using FastBridge.ControlPlane.Api;
using FastBridge.ControlPlane.Switch;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Interop;

namespace FastBridge.Tests.ControlPlane.Daemon;

[Collection(DaemonCollection.Name)]
public sealed class OversizeFrameTests
{
    private const ulong MacA = 0x02FB_0B16_000AUL;
    private const ulong MacB = 0x02FB_0B16_000BUL;

    /// <summary>
    /// afpacket: both ports AF_PACKET. auto: both AF_XDP (the 9000-MTU ingress port multi-buffer). The expected drops follow each backend's kernel rule: AF_PACKET sends
    /// 802.1Q frames up to MTU + 18 and every other frame up to MTU + 14; AF_XDP, like the Linux bridge, MTU + 18.
    /// </summary>
    [Theory]
    [InlineData("afpacket", "afpacket", 44)]
    [InlineData("auto", "afxdp", 36)]
    public void Forward_OversizeFramesInterleavedWithNormalOnes_NormalAllArriveOversizeAccounted(string backend, string egressBackend, int expectedTooBig)
    {
        using DaemonLab lab = DaemonLab.Create(2, [9000, 1500]);
        for (int i = 0; i < 2; i++)
        {
            // No IPv6 chatter from the hosts: the egress port's tx count must be the test's frames alone.
            VethLab.Ip("netns", "exec", lab.Netns(i), "sysctl", "-qw", $"net.ipv6.conf.{lab.Host(i)}.disable_ipv6=1");
        }
        using FastBridgeDaemon daemon = FastBridgeDaemon.Start(lab.Socket, "--port", lab.Port(0), "--port", lab.Port(1), "--backend", backend);
        Assert.Contains($"port {lab.Port(1)}: {egressBackend}", daemon.Output);
        using RawSocket hostA = lab.OpenHost(0);
        using RawSocket hostB = RawSocket.OpenIn(lab.Netns(1), lab.Host(1), IfPacket.EthPAll);

        byte[] normal = TestFrames.Sized(MacB, MacA, TestFrames.MinFrame, fill: 0x11);
        int oversize = 0;
        foreach (ushort outer in (ushort[])[TestFrames.ExperimentalEtherType, TestFrames.CustomerTpid, TestFrames.ServiceTpid])
        {
            for (int length = 1500; length <= 1530; length++)
            {
                byte[] big = TestFrames.Sized(MacB, MacA, length, outer, fill: 0x22);
                if (outer != TestFrames.ExperimentalEtherType)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(big.AsSpan(14), 10); // VID 10
                    BinaryPrimitives.WriteUInt16BigEndian(big.AsSpan(16), TestFrames.ExperimentalEtherType);
                }
                hostA.Send(big);
                hostA.Send(normal);
                oversize++;
                Thread.Sleep(1);
            }
        }

        (int normalArrived, int oversizeArrived) = Arrivals(hostB, oversize);
        StatsInfo stats = JsonSerializer.Deserialize(daemon.Cli("stats", "--json").Stdout, ApiJson.Default.StatsInfo)!;
        PortStatsInfo egress = stats.Ports.Single(p => p.Name == lab.Port(1));
        string context = $"normal {normalArrived}/{oversize}, oversize arrived {oversizeArrived}, egress tx {egress.TxPackets}, drops {string.Join(", ", egress.Drops)}\n{daemon.Output}";
        Assert.True(normalArrived == oversize, $"a normal frame after an oversize one was lost: {context}");
        Assert.True(egress.Drops["too_big"] == (ulong)expectedTooBig, $"too_big: {context}");
        Assert.True(oversizeArrived + expectedTooBig == oversize, $"oversize frames neither arrived nor counted: {context}");
        Assert.True(egress.TxPackets == (ulong)(normalArrived + oversizeArrived), $"tx counts frames that never arrived: {context}");
    }

    /// <summary>Counts what reaches host B from A (by fill byte) until every normal frame is in, or 5 s pass.</summary>
    private static (int Normal, int Oversize) Arrivals(RawSocket host, int expectedNormal)
    {
        int normal = 0;
        int oversize = 0;
        DateTime deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            byte[]? frame = host.Receive(normal == expectedNormal ? 300 : 1000);
            if (frame is null)
            {
                if (normal == expectedNormal)
                {
                    break;
                }
                continue;
            }
            if (frame.Length < 60 || MacAddress.Read(frame.AsSpan(6, 6)) != MacA)
            {
                continue;
            }
            if (frame[^1] == 0x11)
            {
                normal++;
            }
            else if (frame[^1] == 0x22)
            {
                oversize++;
            }
        }
        return (normal, oversize);
    }
}

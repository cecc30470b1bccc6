// RFC 2889 address caching capacity and address learning rate, with three hosts: the generator
// (learning port), the sink (test port) and mon (monitor port, which receives only floods).
// One trial for N addresses at learning rate R: flush the FDB; the sink says hello so its MAC is
// known; the generator sends N frames from N new source MACs to the sink at R fps; then the sink
// sends one frame to each of the N addresses. The switch learned all N if every one of those reached
// the generator and none was flooded to mon.
using FastBridge.Testing.Frames;
using FastBridge.Testing.Switches;
using FastBridge.Testing.Traffic;

namespace FastBridge.E2e;

/// <param name="throughput">The switch's RFC 2544 throughput at 64 bytes: frames that must all arrive go at half of it at most, so no loss is mistaken for forgetting.</param>
internal sealed class Rfc2889(BenchLab lab, SwitchUnderTest sut, BenchOptions options, double throughput)
{
    private readonly double _gentleRate = Math.Clamp(throughput / 2, 1_000, GentleRateCap);

    /// <summary>The fastest rate frames that must all arrive are sent at.</summary>
    private const double GentleRateCap = 100_000;

    private static readonly TimeSpan s_settle = TimeSpan.FromMilliseconds(150);

    /// <summary>Largest N (doubling from 1024, then bisecting) that passes at a gentle learning rate; the cap if all pass.</summary>
    public (int Capacity, bool Capped) CachingCapacity()
    {
        int pass = 0, fail = 0;
        for (int n = 1024; n <= options.CachingCap; n *= 2)
        {
            if (!LearnsAll(n, _gentleRate))
            {
                fail = n;
                break;
            }
            pass = n;
        }
        if (fail == 0)
        {
            return (pass, true);
        }
        for (int step = 0; step < options.CachingBisectSteps && fail - pass > 1; step++)
        {
            int n = (pass + fail) / 2;
            if (LearnsAll(n, _gentleRate))
            {
                pass = n;
            }
            else
            {
                fail = n;
            }
        }
        return (pass, false);
    }

    /// <summary>Highest learning rate (binary search up to <paramref name="maxRate"/>) at which all N addresses are learned.</summary>
    public double LearningRate(int addresses, double maxRate)
    {
        double pass = 0, fail = maxRate * 1.01;
        double rate = maxRate;
        for (int step = 0; step < options.SearchSteps; step++)
        {
            if (LearnsAll(addresses, rate))
            {
                pass = rate;
            }
            else
            {
                fail = rate;
            }
            rate = (pass + fail) / 2;
        }
        return pass;
    }

    private bool LearnsAll(int n, double learningRate)
    {
        sut.FlushFdb();
        lab.SinkHello(options.GenCpu);
        using FramePlan learn = FramePlan.Create(64, n, Address, _ => BenchLab.SinkMac);
        using FramePlan test = FramePlan.Create(64, n, _ => BenchLab.SinkMac, Address);
        double seconds = n / Math.Min(learningRate, _gentleRate) + 1;
        Generator.Send(lab.GenNs, lab.GenIf, options.GenCpu, learn, learningRate, seconds, count: n);
        Thread.Sleep(s_settle);
        ulong monBefore = BenchLab.RxPackets(lab.MonNs, lab.MonIf);
        ulong genBefore = BenchLab.RxPackets(lab.GenNs, lab.GenIf);
        Generator.Send(lab.SinkNs, lab.SinkIf, options.GenCpu, test, _gentleRate, seconds, count: n);
        Thread.Sleep(s_settle);
        ulong flooded = BenchLab.RxPackets(lab.MonNs, lab.MonIf) - monBefore;
        ulong delivered = BenchLab.RxPackets(lab.GenNs, lab.GenIf) - genBefore;
        return flooded == 0 && delivered >= (ulong)n;
    }

    /// <summary>Locally administered unicast MACs 02:10:xx:xx:xx:xx, distinct from the hosts'.</summary>
    private static ulong Address(int i) => 0x02_10_00_00_00_00UL | (uint)i;
}

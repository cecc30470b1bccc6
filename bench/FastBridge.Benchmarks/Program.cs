// Entry point: `dotnet run -c Release --project bench/FastBridge.Benchmarks -- --filter '*'` (BenchmarkDotNet), or
// `-- vlan-cost [processes]` for the VLAN-aware cost comparison (VlanCostComparison.cs), which runs this program again
// per case as `vlan-cost-case MIX VLAN`.
using BenchmarkDotNet.Running;
using FastBridge.Benchmarks;

switch (args)
{
    case ["vlan-cost"]:
        VlanCostComparison.Run();
        break;
    case ["vlan-cost", string processes]:
        VlanCostComparison.Run(int.Parse(processes, System.Globalization.CultureInfo.InvariantCulture));
        break;
    case ["vlan-cost-case", string mix, string vlan]:
        VlanCostComparison.RunCase(mix, vlan);
        break;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(ForwardingBenchmarks).Assembly).Run(args);
        break;
}

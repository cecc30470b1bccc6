// Entry point: `dotnet run -c Release --project bench/FastBridge.Benchmarks -- --filter '*'`.
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(FastBridge.Benchmarks.ForwardingBenchmarks).Assembly).Run(args);

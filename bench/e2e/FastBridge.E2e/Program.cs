// The end-to-end forwarding benchmark (bench/README.md): every switch under test on a fresh
// topology, in interleaved rounds (A B C, B C A, C A B) so machine drift shows up as round-to-round
// differences instead of as a difference between switches, and no switch always runs first or after
// the same one; results as Markdown, CSV and a plot.
// `soak` as the first argument runs the soak instead (Soak.cs, bench/soak/run.sh); `storm` the
// storm-control bench (StormControl.cs); `paired` two switches' maximum-load trials in alternation (Paired.cs).
using System.Globalization;
using FastBridge.E2e;

if (Environment.UserName != "root")
{
    Console.Error.WriteLine("e2e: run as root (it creates namespaces, veth pairs and raw sockets)");
    return 1;
}
if (CpuTime.Read().Busy.Length < 2) // not ProcessorCount: run.sh confines the bench itself to the generator CPU
{
    Console.Error.WriteLine("e2e: needs 2 CPUs, one for the generator and one for the switch");
    return 1;
}
string prefix = "fbe" + (Environment.ProcessId % 10000).ToString(CultureInfo.InvariantCulture);
if (args.Length > 0 && args[0] == "soak")
{
    if (Parsed("soak", () => SoakOptions.Parse(args[1..])) is not SoakOptions soak)
    {
        return 2;
    }
    if (soak.OutputDirectory.Length == 0)
    {
        soak = soak with { OutputDirectory = Path.Combine("bench/soak/results", DateTime.UtcNow.ToString("yyyy-MM-dd'T'HHmm", CultureInfo.InvariantCulture)) };
    }
    return Soak.Run(soak, new BenchOptions(), prefix);
}
if (args.Length > 0 && args[0] == "storm")
{
    return Parsed("storm", () => StormOptions.Parse(args[1..])) is StormOptions storm ? StormControl.Run(storm, new BenchOptions(), prefix) : 2;
}
bool paired = args.Length > 0 && args[0] == "paired";
if (Parsed(paired ? "paired" : "e2e", () => BenchOptions.Parse(paired ? args[1..] : args)) is not BenchOptions options)
{
    return 2;
}
if (options.OutputDirectory.Length == 0)
{
    string stamp = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HHmm", CultureInfo.InvariantCulture);
    options = options with { OutputDirectory = Path.Combine("bench/e2e/results", stamp + (paired ? "-paired" : options.Quick ? "-quick" : "")) };
}
if (paired)
{
    return Paired.Run(args.Contains("--rounds") ? options : options with { Rounds = 16 }, prefix, args);
}

var results = new Results();
var runner = new SwitchRound(options, prefix, results);
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    runner.Cancel();
};
DateTime started = DateTime.UtcNow;
for (int round = 1; round <= options.Rounds && !runner.Cancelled; round++)
{
    int turn = (round - 1) % options.Switches.Length;
    foreach (string name in options.Switches[turn..].Concat(options.Switches[..turn]))
    {
        if (runner.Cancelled)
        {
            break;
        }
        runner.Measure(round, name);
    }
}
if (runner.Cancelled)
{
    Console.Error.WriteLine("e2e: interrupted; nothing written");
    return 130;
}
Report.Write(options, results, started, args);
Console.Error.WriteLine($"e2e: results in {options.OutputDirectory} ({(DateTime.UtcNow - started).TotalMinutes:F1} min)");
return 0;

/// <summary>The options <paramref name="parse"/> reads, or null once it has said what is wrong with them.</summary>
static T? Parsed<T>(string mode, Func<T> parse) where T : class
{
    try
    {
        return parse();
    }
    catch (ArgumentException ex)
    {
        Console.Error.WriteLine($"{mode}: {ex.Message}");
        return null;
    }
}

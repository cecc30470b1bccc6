using System.CommandLine;
using FastBridge.ControlPlane;
using FastBridge.ControlPlane.Cli;

namespace FastBridge.Tests.ControlPlane.Cli;

/// <summary>
/// Every malformed command line is refused by the parser (Main then exits 2) with one line naming
/// the wrong word in words: a table of the lines issue 15 found, then a walk over every command and
/// option of the tree, so a command added later is held to the same.
/// </summary>
public sealed class UsageErrorsTests
{
    [Theory]
    [InlineData("--bogus", "unrecognized option '--bogus' (see fastbridge --help)")]
    [InlineData("", "no command given (one of run, lab, port, fdb")]
    [InlineData("fdb show --bogus", "unrecognized option '--bogus' (see fastbridge fdb show --help)")]
    [InlineData("status --bogus", "unrecognized option '--bogus' (see fastbridge status --help)")]
    [InlineData("fdb shwo", "unknown command 'shwo' (one of show, add, del, flush) (see fastbridge fdb --help)")]
    [InlineData("fdb", "no command given (one of show, add, del, flush)")]
    [InlineData("set ageing-time abc", "ageing-time: 'abc' is not a whole number of seconds")]
    [InlineData("set ageing-time soon", "ageing-time: 'soon' is not a whole number of seconds")]
    [InlineData("run --workers abc --port x", "--workers: 'abc' is not a whole number")]
    [InlineData("run --fdb-max 1e6 --port x", "--fdb-max: '1e6' is not a whole number")]
    [InlineData("stats --interval soon", "--interval: 'soon' is not a number of seconds")]
    [InlineData("stats --count many", "--count: 'many' is not a whole number")]
    [InlineData("fdb add", "fdb add: MAC is missing")]
    [InlineData("fdb add 02:00:00:00:aa:03", "fdb add: dev IF is missing")]
    [InlineData("fdb add 02:00:00:00:aa:03 on veth1", "fdb add: unexpected word 'on' (takes MAC dev IF")]
    [InlineData("fdb add 02:00:00:00:aa:03 dev", "fdb add: dev needs IF after it")]
    [InlineData("fdb add 02:00:00:00:aa:03 dev a dev b", "fdb add: dev is given twice")]
    [InlineData("fdb add 02:00:00:00:aa:03 dev a static dynamic", "fdb add: static and dynamic cannot both be given")]
    [InlineData("fdb add 02:00:00:00:aa:03 dev a self", "fdb add: unexpected word 'self'")]
    [InlineData("fdb show vlan 4095", "fdb show: vlan: '4095' is not a VLAN id (1-4094)")]
    [InlineData("fdb show vlan x", "fdb show: vlan: 'x' is not a VLAN id")]
    [InlineData("fdb show veth1", "fdb show: unexpected word 'veth1' (takes [dev IF] [vlan N] [br BRIDGE])")]
    [InlineData("fdb show dev a --port b", "fdb show: give dev IF or --port IF, not both")]
    [InlineData("fdb show --json maybe", "fdb show: unexpected word 'maybe'")]
    [InlineData("fdb del", "fdb del: MAC is missing")]
    [InlineData("fdb flush now", "fdb flush: unexpected word 'now'")]
    [InlineData("fdb flush --vlan 4095", "fdb flush: --vlan: '4095' is not a VLAN id (1-4094)")]
    [InlineData("fdb flush --port veth1 --vlan 0", "fdb flush: --vlan: '0' is not a VLAN id (1-4094)")]
    [InlineData("vlan add dev veth1 vid 0", "vlan add: vid: invalid VLAN id 0: must be 1-4094")]
    [InlineData("vlan add dev veth1 vid 4095 pvid", "vlan add: vid: invalid VLAN id 4095: must be 1-4094")]
    [InlineData("vlan add dev veth1 vid 0-10", "vlan add: vid: invalid VLAN id 0: must be 1-4094")]
    [InlineData("vlan del dev veth1 vid 4090-4095", "vlan del: vid: invalid VLAN id 4095: must be 1-4094")]
    [InlineData("vlan add dev veth1 vid 20-10", "vlan add: vid: invalid VLAN range 20-10: the end is below the start")]
    [InlineData("vlan add dev veth1 vid ten", "vlan add: vid: malformed VLAN id 'ten' (want N or N-M, 1-4094)")]
    [InlineData("vlan add dev veth1", "vlan add: vid N[-M] is missing")]
    [InlineData("port add", "Required argument 'IF' missing")]
    [InlineData("port add --bogus", "unrecognized option '--bogus' (see fastbridge port add --help)")]
    [InlineData("help --bogus", "help: unrecognized option '--bogus'")]
    [InlineData("help nope", "help: no command 'nope'")]
    [InlineData("-j run --port x", "unrecognized option '-j' (see fastbridge run --help)")]
    [InlineData("lab bogus", "unknown command 'bogus' (one of up, down)")]
    public void Line_MalformedCommandLine_NamesTheWrongWord(string line, string expected)
    {
        string error = Refused(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("fdb show")]
    [InlineData("fdb show -j")]
    [InlineData("-j fdb show")]
    [InlineData("fdb -j show")]
    [InlineData("-j -p --socket /tmp/fb.sock fdb show dev veth1")]
    [InlineData("fdb show dev veth1 -j --socket=/tmp/fb.sock")]
    [InlineData("fdb show --port veth1 br br0 vlan 10")]
    [InlineData("fdb add 02:00:00:00:aa:03 dev veth1 master static")]
    [InlineData("fdb add 02:00:00:00:aa:03 dev veth1 permanent vlan 1")]
    [InlineData("fdb add dev veth1 02:00:00:00:aa:03")]
    [InlineData("fdb del 02:00:00:00:aa:03 dev veth1 master")]
    [InlineData("fdb flush dev veth1")]
    [InlineData("fdb flush --port veth1 --vlan 4094")]
    [InlineData("vlan add dev veth1 vid 1-4094 untagged")]
    [InlineData("vlan del dev veth1 vid 10")]
    [InlineData("port show -j")]
    [InlineData("-jp port show")]
    [InlineData("stats -j --watch --count 2 --interval 0.5")]
    [InlineData("set ageing-time 120")]
    [InlineData("help")]
    [InlineData("help fdb add")]
    [InlineData("version")]
    [InlineData("--version")]
    public void Line_BridgeForms_Parse(string line)
    {
        ParseResult parse = Program.Parse(line.Split(' '));

        Assert.Null(UsageErrors.Line(parse));
    }

    [Fact]
    public void Line_EveryCommandGivenAnUnknownOption_NamesIt()
    {
        foreach ((string[] path, Command command) in Commands())
        {
            string error = Refused([.. path, "--bogus"]);

            Assert.Contains("unrecognized option '--bogus'", error);
            Assert.Contains($"(see {string.Join(' ', ["fastbridge", .. path])} --help)", error);
        }
    }

    [Fact]
    public void Line_EveryTypedOptionGivenAWord_SaysInWordsWhatIsWrong()
    {
        int typed = 0;
        foreach ((string[] path, Command command) in Commands())
        {
            // run asks for its ports before it reads the values of its other options.
            string[] required = command.Name == "run" ? ["--port", "x"] : [];
            foreach (Option option in command.Options.Where(o => o.ValueType != typeof(bool) && o.ValueType != typeof(string) && o.ValueType != typeof(string[])))
            {
                string error = Refused([.. path, .. required, option.Name, "x1"]);

                Assert.Contains($"{option.Name}: 'x1' is not a", error);
                typed++;
            }
            foreach (Argument argument in command.Arguments.Where(a => a.ValueType != typeof(string) && a.ValueType != typeof(string[]) && a.ValueType != typeof(BridgeWords)))
            {
                Assert.Contains("'x1' is not a", Refused([.. path, "x1"]));
                typed++;
            }
        }
        Assert.True(typed >= 7, $"only {typed} typed options and arguments found");
    }

    [Fact]
    public void Help_EveryCommand_ListsItsOptionsWithoutTypeNames()
    {
        foreach ((string[] path, Command command) in Commands())
        {
            var output = new StringWriter();
            int exit = Program.Parse([.. path, "--help"]).Invoke(new InvocationConfiguration { Output = output });
            string help = output.ToString();

            Assert.Equal(0, exit);
            // The usage line; the root's name is the executable's, "testhost" here.
            Assert.Contains($" {string.Join(' ', path)} ", help);
            Assert.All(command.Options, o => Assert.Contains(o.Name, help));
            Assert.DoesNotContain("System.", help);
            Assert.DoesNotContain("FastBridge.", help);
        }
    }

    /// <summary>The line the parser's refusal of <paramref name="args"/> prints: one line, "fastbridge: ", no .NET type name.</summary>
    private static string Refused(string[] args)
    {
        string? line = UsageErrors.Line(Program.Parse(args));

        Assert.True(line is not null, $"fastbridge {string.Join(' ', args)} parsed without error");
        Assert.StartsWith("fastbridge: ", line);
        Assert.DoesNotContain("\n", line);
        Assert.DoesNotContain("System.", line);
        return line;
    }

    /// <summary>Every command of the tree below the root, with the words that reach it.</summary>
    private static IEnumerable<(string[] Path, Command Command)> Commands()
    {
        var pending = new Queue<(string[], Command)>(Program.CreateRoot().Subcommands.Select(c => (new[] { c.Name }, c)));
        while (pending.TryDequeue(out (string[] Path, Command Command) next))
        {
            yield return next;
            foreach (Command child in next.Command.Subcommands)
            {
                pending.Enqueue(([.. next.Path, child.Name], child));
            }
        }
    }
}

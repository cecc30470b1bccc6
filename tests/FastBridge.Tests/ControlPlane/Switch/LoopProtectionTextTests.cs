// Loop protection's settings as `port set` words, the API's change and `port show`: applied whole or
// refused naming the value, printed only where they differ from the defaults.
using FastBridge.ControlPlane.Cli;
using FastBridge.ControlPlane.Switch;
using FastBridge.Datapath.Forwarding;

namespace FastBridge.Tests.ControlPlane.Switch;

public sealed class LoopProtectionTextTests
{
    [Fact]
    public void Apply_WordsFromPortSet_SetEachAndFormatShowsThem()
    {
        PortPolicyChange change = PortPolicyCommands.Request(["loop_action", "block", "mac_flap_limit", "10", "loop_hold", "5"]);
        PortPolicy policy = LoopProtectionText.Apply(PortPolicy.Default, change);

        Assert.Equal((LoopAction.Block, 10, 5), (policy.LoopAction, policy.MacFlapLimit, policy.LoopHoldSeconds));
        Assert.Equal(" loop_action block mac_flap_limit 10 loop_hold 5", LoopProtectionText.Format(policy));
        Assert.Equal("", LoopProtectionText.Format(PortPolicy.Default));
    }

    [Theory]
    [InlineData("loop_action", "shut", "loop_action must be block or none, not 'shut'")]
    [InlineData("mac_flap_limit", "0", "mac_flap_limit must be at least 1, not 0")]
    [InlineData("loop_hold", "-3", "loop_hold must be at least 1, not -3")]
    public void Apply_BadValue_RefusedNamingIt(string key, string value, string message)
    {
        var change = key switch
        {
            "loop_action" => new PortPolicyChange(null, LoopAction: value),
            "mac_flap_limit" => new PortPolicyChange(null, MacFlapLimit: int.Parse(value, System.Globalization.CultureInfo.InvariantCulture)),
            _ => new PortPolicyChange(null, LoopHold: int.Parse(value, System.Globalization.CultureInfo.InvariantCulture)),
        };
        CommandRefusedException refused = Assert.Throws<CommandRefusedException>(() => LoopProtectionText.Apply(PortPolicy.Default, change));
        Assert.Equal(message, refused.Message);
    }

    [Fact]
    public void Request_LimitZero_RefusedByTheCliNamingIt()
    {
        CliException refused = Assert.Throws<CliException>(() => PortPolicyCommands.Request(["mac_flap_limit", "0"]));
        Assert.Contains("'0'", refused.Message, StringComparison.Ordinal);
    }
}

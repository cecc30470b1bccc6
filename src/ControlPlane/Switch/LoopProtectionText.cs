// Loop protection's settings (issue 14) as `port set`, the API, the config and `port show` name them:
// loop_action block|none, mac_flap_limit N (moves a second), loop_hold SECONDS. The checks on each
// value live here once, so every way in refuses the same values with the same words.
using System.Globalization;
using FastBridge.Datapath.Forwarding;

namespace FastBridge.ControlPlane.Switch;

internal static class LoopProtectionText
{
    public const string Keys = "loop_action, mac_flap_limit, loop_hold";

    /// <summary>Whether the change sets any loop protection setting.</summary>
    public static bool Changes(PortPolicyChange change) => change.LoopAction is not null || change.MacFlapLimit is not null || change.LoopHold is not null;

    /// <summary><paramref name="policy"/> with the change's loop protection settings; throws CommandRefusedException, naming the value, for a bad one.</summary>
    public static PortPolicy Apply(PortPolicy policy, PortPolicyChange change) => policy with
    {
        LoopAction = change.LoopAction is null ? policy.LoopAction : ParseAction(change.LoopAction),
        MacFlapLimit = change.MacFlapLimit is int limit ? AtLeastOne("mac_flap_limit", limit) : policy.MacFlapLimit,
        LoopHoldSeconds = change.LoopHold is int hold ? AtLeastOne("loop_hold", hold) : policy.LoopHoldSeconds,
    };

    public static LoopAction ParseAction(string text) => text switch
    {
        "block" => LoopAction.Block,
        "none" => LoopAction.None,
        _ => throw new CommandRefusedException(400, $"loop_action must be block or none, not '{EchoedText.Cut(text)}'"),
    };

    public static int AtLeastOne(string key, int value) => value >= 1
        ? value
        : throw new CommandRefusedException(400, string.Create(CultureInfo.InvariantCulture, $"{key} must be at least 1, not {value}"));

    /// <summary>The settings that differ from the defaults, as `port show` prints them (" loop_action block loop_hold 10").</summary>
    public static string Format(PortPolicy policy) => string.Create(CultureInfo.InvariantCulture,
        $"{(policy.LoopAction == LoopAction.Block ? " loop_action block" : "")}" +
        $"{(policy.MacFlapLimit == PortPolicy.DefaultMacFlapLimit ? "" : $" mac_flap_limit {policy.MacFlapLimit}")}" +
        $"{(policy.LoopHoldSeconds == PortPolicy.DefaultLoopHoldSeconds ? "" : $" loop_hold {policy.LoopHoldSeconds}")}");
}

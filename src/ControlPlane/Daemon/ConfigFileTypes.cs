// The JSON kind each key of the config file must have. Microsoft.Extensions.Configuration turns
// every value into a string, so "ageingTime": "300" passed for a number (issue 10); environment
// variables and flags are strings by nature and are parsed as such, but a file says what it means.
// Unknown keys are DaemonConfig's to refuse (they may come from any source). Main thread, at load.
using System.Text.Json;

namespace FastBridge.ControlPlane.Daemon;

internal static class ConfigFileTypes
{
    private static readonly JsonValueKind[] s_string = [JsonValueKind.String];
    private static readonly JsonValueKind[] s_number = [JsonValueKind.Number];
    private static readonly JsonValueKind[] s_stringOrNumber = [JsonValueKind.String, JsonValueKind.Number];
    private static readonly JsonValueKind[] s_array = [JsonValueKind.Array];
    private static readonly JsonValueKind[] s_bool = [JsonValueKind.True, JsonValueKind.False];

    private static readonly Dictionary<string, JsonValueKind[]> s_top = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ports"] = s_array,
        ["backend"] = s_string,
        ["xdpMode"] = s_string,
        ["fastPath"] = s_string,
        ["workers"] = s_number,
        // "0-3" and "0x4000" need a string; a lone CPU or a decimal mask reads naturally as a number.
        ["cpus"] = s_stringOrNumber,
        ["groupFwdMask"] = s_stringOrNumber,
        ["ageingTime"] = s_number,
        ["fdbMax"] = s_number,
        ["idle"] = s_string,
        ["statsInterval"] = s_number,
        ["fdb"] = s_array,
        ["socket"] = s_string,
        ["http"] = s_string,
        ["httpTokenFile"] = s_string,
        ["ringSize"] = s_number,
        ["umemFrames"] = s_number,
        ["vlanFiltering"] = s_bool,
        ["vlanProtocol"] = s_string,
        ["defaultPvid"] = s_number,
        ["vlans"] = s_array,
        [PortPolicyConfig.Key] = [JsonValueKind.Object],
        [DaemonConfig.MirrorsKey] = s_array,
    };

    private static readonly Dictionary<string, JsonValueKind[]> s_fdbEntry = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mac"] = s_string,
        ["port"] = s_string,
        ["static"] = s_bool,
    };

    private static readonly Dictionary<string, JsonValueKind[]> s_vlanEntry = new(StringComparer.OrdinalIgnoreCase)
    {
        ["port"] = s_string,
        ["vid"] = s_stringOrNumber,
        ["pvid"] = s_bool,
        ["untagged"] = s_bool,
    };

    /// <summary>The first key (a config path such as fdb:0:static) whose value is of the wrong kind, and what it should be; null when every one fits.</summary>
    public static (string Key, string Problem)? FirstMismatch(string file)
    {
        // The options Microsoft.Extensions.Configuration's JSON provider parses with, so both read the same file.
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(file),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        foreach (JsonProperty top in document.RootElement.EnumerateObject())
        {
            if (!s_top.TryGetValue(top.Name, out JsonValueKind[]? kinds))
            {
                continue;
            }
            if (Mismatch(top.Value, kinds) is { } problem)
            {
                return (top.Name, problem);
            }
            if (top.Value.ValueKind != JsonValueKind.Array)
            {
                continue;
            }
            Dictionary<string, JsonValueKind[]>? fields = top.Name.Equals("fdb", StringComparison.OrdinalIgnoreCase) ? s_fdbEntry
                : top.Name.Equals("vlans", StringComparison.OrdinalIgnoreCase) ? s_vlanEntry : null;
            int index = 0;
            foreach (JsonElement item in top.Value.EnumerateArray())
            {
                string path = $"{top.Name}:{index++}";
                if (Mismatch(item, fields is not null ? [JsonValueKind.Object] : s_string) is { } itemProblem)
                {
                    return (path, itemProblem);
                }
                if (fields is null)
                {
                    continue;
                }
                foreach (JsonProperty field in item.EnumerateObject())
                {
                    if (fields.TryGetValue(field.Name, out JsonValueKind[]? fieldKinds) && Mismatch(field.Value, fieldKinds) is { } fieldProblem)
                    {
                        return ($"{path}:{field.Name}", fieldProblem);
                    }
                }
            }
        }
        return null;
    }

    private static string? Mismatch(JsonElement value, JsonValueKind[] kinds) => kinds.Contains(value.ValueKind)
        ? null
        : $"must be {string.Join(" or ", kinds.Select(Name).Distinct())}, not {Name(value.ValueKind)}" +
            (value.ValueKind is JsonValueKind.String or JsonValueKind.Number ? $" ({EchoedText.Cut(value.GetRawText())})" : "");

    private static string Name(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => "true or false",
        _ => "null",
    };
}

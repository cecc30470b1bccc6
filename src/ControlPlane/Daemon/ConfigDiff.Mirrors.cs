// The port mirror part of the config diff (issue 14): a mirror the new config drops or changes is removed,
// and one it adds or changes is added, after the port changes (a removed port took its mirrors with it).
using FastBridge.ControlPlane.Switch;

namespace FastBridge.ControlPlane.Daemon;

internal abstract partial record ConfigCommand
{
    public sealed record AddMirror(MirrorRequest Mirror) : ConfigCommand;

    public sealed record RemoveMirror(string Name) : ConfigCommand;
}

internal static partial class ConfigDiff
{
    private static void MirrorChanges(List<ConfigCommand> commands, DaemonConfig running, DaemonConfig wanted)
    {
        foreach (MirrorRequest old in running.Mirrors.Where(m => !wanted.Mirrors.Any(w => Same(m, w))))
        {
            commands.Add(new ConfigCommand.RemoveMirror(old.Name));
        }
        foreach (MirrorRequest mirror in wanted.Mirrors)
        {
            // Added again where a port it names was re-added: removing a port removes its mirrors.
            bool portReAdded = mirror.Src.Append(mirror.Dst).Any(p => commands.Contains(new ConfigCommand.AddPort(p)));
            if (!running.Mirrors.Any(r => Same(r, mirror)) || portReAdded)
            {
                commands.Add(new ConfigCommand.AddMirror(mirror));
            }
        }
    }

    private static void RunMirror(ConfigCommand command, SwitchCommands control)
    {
        switch (command)
        {
            case ConfigCommand.AddMirror add:
                control.AddMirror(add.Mirror);
                break;
            case ConfigCommand.RemoveMirror remove:
                control.TryRemoveMirror(remove.Name); // false: already gone (a port it named was removed, or by hand), the goal is met
                break;
        }
    }

    private static string DescribeMirror(ConfigCommand command) => command switch
    {
        ConfigCommand.AddMirror add => $"mirror {add.Mirror.Name} added: src {string.Join(',', add.Mirror.Src)} direction {add.Mirror.Direction} dst {add.Mirror.Dst}",
        ConfigCommand.RemoveMirror remove => $"mirror {remove.Name} removed",
        _ => command.ToString(),
    };

    private static bool Same(MirrorRequest a, MirrorRequest b) =>
        a.Name == b.Name && a.Dst == b.Dst && a.Src.SequenceEqual(b.Src) && (a.Direction ?? "both") == (b.Direction ?? "both");
}

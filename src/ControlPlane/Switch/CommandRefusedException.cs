// How a command on the live switch is refused, whoever asked (the API, a reloaded config, the lab).
namespace FastBridge.ControlPlane.Switch;

/// <summary>A refused command: the HTTP status and the one line the CLI prints.</summary>
internal sealed class CommandRefusedException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

// The two ways setting up a port is refused before anything changes: the interface may not be a
// port, or the process lacks a capability. Thrown by Ports and Xdp, caught by the control plane,
// which prints the message as its one line.
namespace FastBridge.Datapath.Common;

/// <summary>The switch will not take this interface; the message is one line naming it and why.</summary>
public sealed class PortRefusedException : Exception
{
    public PortRefusedException(string message) : base(message) { }
}

/// <summary>The process lacks a capability the datapath needs; the message is one line.</summary>
public sealed class PrivilegeException : Exception
{
    public PrivilegeException(string message) : base(message) { }
}

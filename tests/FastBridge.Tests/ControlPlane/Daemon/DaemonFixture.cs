// A daemon on a lab of veth pairs, shared by the tests of one class (xunit's IClassFixture): started
// once with the arguments the class asks for, stopped and its lab removed when the class is done.
namespace FastBridge.Tests.ControlPlane.Daemon;

public abstract class DaemonFixture : IDisposable
{
    private protected DaemonFixture(int ports, Func<DaemonLab, string[]> arguments)
    {
        Lab = DaemonLab.Create(ports);
        try
        {
            Daemon = FastBridgeDaemon.Start(Lab.Socket, arguments(Lab));
        }
        catch
        {
            Lab.Dispose();
            throw;
        }
    }

    internal DaemonLab Lab { get; }

    internal FastBridgeDaemon Daemon { get; }

    public void Dispose()
    {
        Daemon.Dispose();
        Lab.Dispose();
        GC.SuppressFinalize(this);
    }
}

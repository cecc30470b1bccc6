// The daemon's log, through Microsoft.Extensions.Logging: every message is one line,
// "<category>: <message>", the text the daemon has always printed, so a terminal, journald and the
// tests read the same words. The category is the line's prefix ("fastbridge", or "stats" for the
// periodic stats line). Information goes to stdout; warnings and errors to stderr, where a shell user
// looks for trouble. Any thread: Console's writers are synchronised, so a line is never torn.
using Microsoft.Extensions.Logging;

namespace FastBridge.ControlPlane.Logging;

internal sealed class OneLineLoggerProvider : ILoggerProvider
{
    /// <summary>The only way the program makes loggers: one provider, Information and up.</summary>
    public static ILoggerFactory CreateFactory() =>
        LoggerFactory.Create(builder => builder.ClearProviders().AddProvider(new OneLineLoggerProvider()).SetMinimumLevel(LogLevel.Information));

    public ILogger CreateLogger(string categoryName) => new OneLineLogger(categoryName);

    public void Dispose()
    {
    }

    private sealed class OneLineLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                (logLevel >= LogLevel.Warning ? Console.Error : Console.Out).WriteLine($"{category}: {formatter(state, exception)}");
            }
        }
    }
}

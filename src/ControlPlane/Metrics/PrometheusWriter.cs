// The Prometheus text exposition format 0.0.4, written by hand (prometheus-net is not available
// here): one HELP and one TYPE line per family, then its samples, label values escaped as the
// format requires (backslash, double quote, line feed). Written as UTF-8 straight into one buffer
// that the next scrape reuses (Clear), numbers formatted in place: a scrape builds no strings, so
// scraping every few seconds does not feed the garbage collector (whose pauses stop the poll loops
// too). One scrape at a time: MetricsCollector serialises them.
using System.Buffers;
using System.Globalization;
using System.Text;

namespace FastBridge.ControlPlane.Metrics;

internal enum MetricType
{
    Counter,
    Gauge,
    Histogram,
}

internal sealed class PrometheusWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>A scrape of a few ports is 10-20 KB; the buffer doubles (once) if a bigger bridge needs more.</summary>
    private const int InitialCapacity = 32 * 1024;

    private static readonly SearchValues<char> s_labelEscapes = SearchValues.Create("\\\"\n");
    private static readonly SearchValues<char> s_helpEscapes = SearchValues.Create("\\\n");

    private byte[] _buffer = new byte[InitialCapacity];
    private int _length;

    /// <summary>The text written since the last Clear, as UTF-8.</summary>
    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    public void Clear() => _length = 0;

    public void Family(string name, MetricType type, string help)
    {
        Text("# HELP ");
        Text(name);
        Text(" ");
        Escaped(help, s_helpEscapes);
        Text("\n# TYPE ");
        Text(name);
        Text(type switch
        {
            MetricType.Counter => " counter\n",
            MetricType.Gauge => " gauge\n",
            _ => " histogram\n",
        });
    }

    /// <summary>One sample; <paramref name="labels"/> alternate name, value (a span: no array per call).</summary>
    public void Sample(string name, double value, params ReadOnlySpan<string> labels)
    {
        Text(name);
        if (labels.Length > 0)
        {
            Text("{");
            for (int i = 0; i + 1 < labels.Length; i += 2)
            {
                if (i > 0)
                {
                    Text(",");
                }
                Text(labels[i]);
                Text("=\"");
                Escaped(labels[i + 1], s_labelEscapes);
                Text("\"");
            }
            Text("}");
        }
        Text(" ");
        Value(value);
        Text("\n");
    }

    public override string ToString() => Encoding.UTF8.GetString(_buffer, 0, _length);

    internal static string EscapeLabelValue(string value)
    {
        var writer = new PrometheusWriter();
        writer.Escaped(value, s_labelEscapes);
        return writer.ToString();
    }

    internal static string FormatValue(double value)
    {
        var writer = new PrometheusWriter();
        writer.Value(value);
        return writer.ToString();
    }

    private void Value(double value)
    {
        switch (value)
        {
            case double.PositiveInfinity:
                Text("+Inf");
                return;
            case double.NegativeInfinity:
                Text("-Inf");
                return;
            case double.NaN:
                Text("NaN");
                return;
        }
        int written;
        while (!value.TryFormat(_buffer.AsSpan(_length), out written, "R", CultureInfo.InvariantCulture))
        {
            Grow(32);
        }
        _length += written;
    }

    /// <summary>Text as UTF-8, each character of <paramref name="escapes"/> written as the format spells it.</summary>
    private void Escaped(string text, SearchValues<char> escapes)
    {
        ReadOnlySpan<char> rest = text;
        while (true)
        {
            int special = rest.IndexOfAny(escapes);
            Text(special < 0 ? rest : rest.Slice(0, special));
            if (special < 0)
            {
                return;
            }
            Text(rest[special] switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                _ => "\\n",
            });
            rest = rest.Slice(special + 1);
        }
    }

    private void Text(ReadOnlySpan<char> text)
    {
        int most = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_buffer.Length - _length < most)
        {
            Grow(most);
        }
        _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
    }

    private void Grow(int atLeast) => Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + atLeast));
}

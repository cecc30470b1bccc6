using FastBridge.ControlPlane.Metrics;

namespace FastBridge.Tests.ControlPlane.Metrics;

public sealed class PrometheusWriterTests
{
    [Fact]
    public void Family_WithSamples_WritesHelpTypeAndLabelledSamples()
    {
        var writer = new PrometheusWriter();
        writer.Family("fastbridge_port_rx_packets_total", MetricType.Counter, "Frames received.");
        writer.Sample("fastbridge_port_rx_packets_total", 42, "port", "veth1_p");
        writer.Sample("fastbridge_port_rx_packets_total", 7, "port", "veth2_p");
        Assert.Equal(
            "# HELP fastbridge_port_rx_packets_total Frames received.\n" +
            "# TYPE fastbridge_port_rx_packets_total counter\n" +
            "fastbridge_port_rx_packets_total{port=\"veth1_p\"} 42\n" +
            "fastbridge_port_rx_packets_total{port=\"veth2_p\"} 7\n",
            writer.ToString());
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\"b", "a\\\"b")]
    [InlineData("a\\b", "a\\\\b")]
    [InlineData("a\nb", "a\\nb")]
    public void EscapeLabelValue_SpecialCharacters_AreEscaped(string value, string expected) =>
        Assert.Equal(expected, PrometheusWriter.EscapeLabelValue(value));

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0.25, "0.25")]
    [InlineData(18446744073709551615.0, "1.8446744073709552E+19")]
    public void FormatValue_SpecialAndLargeValues_UseTheFormatSpelling(double value, string expected) =>
        Assert.Equal(expected, PrometheusWriter.FormatValue(value));

    [Fact]
    public void Sample_SeveralLabels_AreCommaSeparated()
    {
        var writer = new PrometheusWriter();
        writer.Sample("fastbridge_port_drops_total", 3, "port", "p1", "reason", "too_big");
        Assert.Equal("fastbridge_port_drops_total{port=\"p1\",reason=\"too_big\"} 3\n", writer.ToString());
    }

    [Fact]
    public void Sample_ASecondScrapeIntoTheClearedWriter_AllocatesNothing()
    {
        var writer = new PrometheusWriter();
        string[] ports = ["veth1_p", "veth2_p", "veth3_p"];
        void Scrape()
        {
            writer.Clear();
            writer.Family("fastbridge_port_drops_total", MetricType.Counter, "Frames dropped, by port and reason.");
            for (int i = 0; i < 100; i++)
            {
                writer.Sample("fastbridge_port_drops_total", i * 1.5e9, "port", ports[i % ports.Length], "reason", "no_tx_room");
            }
            writer.Sample("dotnet_gc_pause_seconds_total", double.NaN);
        }

        Scrape();
        int length = writer.Written.Length;
        long before = GC.GetAllocatedBytesForCurrentThread();
        Scrape();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(length, writer.Written.Length);
        Assert.EndsWith("fastbridge_port_drops_total{port=\"veth1_p\",reason=\"no_tx_room\"} 148500000000\ndotnet_gc_pause_seconds_total NaN\n", writer.ToString());
    }
}

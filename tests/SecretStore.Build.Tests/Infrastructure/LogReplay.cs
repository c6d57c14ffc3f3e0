using System.IO.Compression;

namespace SecretStore.Build.Tests.Infrastructure;

/// <summary>Makes a binary log scannable: replayed to a diagnostic text log, and its raw event stream unzipped.</summary>
public static class LogReplay
{
    /// <summary>Replays <paramref name="binlog"/> with <c>dotnet msbuild</c> at diagnostic verbosity; returns the text log path.</summary>
    public static async Task<string> ToDiagnosticTextAsync(string binlog)
    {
        var text = Path.ChangeExtension(binlog, ".diag.log");
        var replay = await DotNet.RunAsync(Path.GetDirectoryName(binlog)!,
            ["msbuild", binlog, "-noconlog", $"-flp:logfile={text};verbosity=diagnostic", "-nodeReuse:false"]);
        if (!replay.Succeeded || !File.Exists(text) || new FileInfo(text).Length == 0)
        {
            throw new InvalidOperationException($"Replaying {binlog} failed.{Environment.NewLine}{replay}");
        }

        return text;
    }

    /// <summary>The binary log's event stream, decompressed (a .binlog is a gzip stream of records).</summary>
    public static byte[] Decompress(string binlog)
    {
        using var input = File.OpenRead(binlog);
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }
}

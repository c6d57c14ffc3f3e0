using System.Security.Cryptography;
using System.Text;
using SecretStore.Fuzz.Targets;

namespace SecretStore.Fuzz.Mutation;

/// <summary>
/// A mutation fuzzer that needs no AFL: each round takes a corpus input, applies one to four random edits (delete a
/// byte, set a byte, insert a token of the file formats' syntax, copy a run of the input elsewhere) and runs the
/// target in process. An input that ends in anything but a coded error or success is written to the corpus folder as
/// <c>crash-&lt;sha256&gt;</c>, where the xunit replay keeps it. Deterministic for a given seed and corpus. AFL's
/// coverage guidance finds deeper paths; this finds the shallow ones on any machine (the yaml target's first bugs).
/// </summary>
internal static class MutationFuzzer
{
    private static readonly byte[][] Tokens = [.. new[]
    {
        "\"", "'", ":", " ", "\n", "\r\n", "\t", "#", "{", "}", "[", "]", "|", ">", "-", "=", ";", "\\", "?", ",", "&a", "*a", "!",
        "---", "...", "<", "/>", "]]>", "&amp;", "export ", "\\u00e9", "#{secret:Db}", "#{secret:Plain}", "##{secret:Db}", "|json}", "|raw}", "|base64}",
    }.Select(Encoding.UTF8.GetBytes)];

    /// <summary>Runs <paramref name="rounds"/> mutated inputs through <paramref name="target"/>; returns how many crashed.</summary>
    public static int Run(FuzzTargets targets, string target, string corpus, int rounds, int seed, TextWriter log)
    {
        var inputs = Directory.GetFiles(corpus).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        var random = new Random(seed);
        var crashes = 0;
        for (var round = 0; round < rounds; round++)
        {
            var input = Mutate(inputs[random.Next(inputs.Count)], random);
            try
            {
                targets.RunAsync(target, input).GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                crashes++;
                var name = "crash-" + Convert.ToHexStringLower(SHA256.HashData(input))[..16];
                File.WriteAllBytes(Path.Combine(corpus, name), input);
                log.WriteLine($"{name}: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
            }
        }

        log.WriteLine($"{target}: {rounds} mutated inputs from {inputs.Count} in the corpus (seed {seed}), {crashes} crashed.");
        return crashes;
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        for (var edits = random.Next(1, 5); edits > 0; edits--)
        {
            var at = random.Next(bytes.Count + 1);
            switch (random.Next(4))
            {
                case 0 when at < bytes.Count:
                    bytes.RemoveAt(at);
                    break;
                case 1 when at < bytes.Count:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.InsertRange(at, Tokens[random.Next(Tokens.Length)]);
                    break;
                case 3 when bytes.Count > 1:
                    var from = random.Next(bytes.Count);
                    var length = Math.Min(random.Next(1, 16), bytes.Count - from);
                    bytes.InsertRange(at, bytes.GetRange(from, length).ToArray());
                    break;
                default:
                    break;
            }
        }

        return [.. bytes];
    }
}

using System.Text;
using System.Xml;

namespace SecretStore.Resolution.Formats;

/// <summary>
/// Reads XML with <see cref="XmlReader"/> (DTD prohibited, no resolver) into its shape: elements with their
/// attribute names, comments, CDATA sections and processing instructions. Text content is not part of the shape,
/// so a value changes text but never adds an element or an attribute.
/// </summary>
internal static class XmlShape
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreWhitespace = true,
        CheckCharacters = true,
        CloseInput = true,
    };

    /// <summary>Reads the shape; on failure returns null with the parser's 1-based line and column and whether a DTD caused it.</summary>
    public static List<string>? TryRead(string text, out int line, out int column, out bool dtd)
    {
        line = 0;
        column = 0;
        dtd = false;
        var shape = new List<string>();
        using var reader = XmlReader.Create(new StringReader(text), Settings);
        try
        {
            while (reader.Read())
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                        var sb = new StringBuilder("<").Append(reader.NamespaceURI).Append('|').Append(reader.LocalName);
                        if (reader.IsEmptyElement)
                        {
                            sb.Append('/');
                        }

                        for (var more = reader.MoveToFirstAttribute(); more; more = reader.MoveToNextAttribute())
                        {
                            sb.Append(' ').Append(reader.NamespaceURI).Append('|').Append(reader.LocalName);
                        }

                        shape.Add(sb.ToString());
                        break;
                    case XmlNodeType.EndElement:
                        shape.Add("</");
                        break;
                    case XmlNodeType.Comment or XmlNodeType.CDATA or XmlNodeType.ProcessingInstruction or XmlNodeType.DocumentType:
                        shape.Add(reader.NodeType.ToString());
                        break;
                    default:
                        break;
                }
            }

            return shape;
        }
        catch (XmlException ex)
        {
            line = ex.LineNumber;
            column = ex.LinePosition;
            dtd = ex.Message.Contains("DTD", StringComparison.Ordinal);
            return null;
        }
    }
}

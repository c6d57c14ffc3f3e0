using SecretStore.Diagnostics;
using SecretStore.Resolution;
using SecretStore.Resolution.Formats;
using SecretStore.Resolution.Reporting;
using SecretStore.Resolution.Syntax;
using SecretStore.Resolution.Text;

namespace SecretStore.Tests.Resolution;

/// <summary>Pins the exact text of the redacted report: names, order, indentation, escaping, every branch.</summary>
public sealed class ReportWriterTests
{
    private static ResolutionReport FailedVerifyReport() => new()
    {
        Mode = ResolveMode.Verify,
        Succeeded = false,
        Files =
        [
            new FileReport
            {
                Path = "conf/a|b\nc\rd.json",
                Format = FileFormat.Json,
                Encoding = TextEncodingKind.Utf8Bom,
                Changed = true,
                Written = false,
                Placeholders =
                [
                    new PlaceholderReport
                    {
                        Line = 2,
                        Column = 15,
                        Placeholder = "#{secret:Sh|op/Db'é|json|base64|raw|optional|literal}",
                        Source = PlaceholderSource.Placeholder,
                        Application = "Sh|op",
                        Name = "Db'é<x>",
                        Context = EscapeContext.JsonString,
                        Modifiers = PlaceholderModifiers.Json | PlaceholderModifiers.Base64 | PlaceholderModifiers.Raw | PlaceholderModifiers.Optional | PlaceholderModifiers.Literal,
                        Outcome = PlaceholderOutcome.Resolved,
                        Revision = 7,
                        KeyId = "key|1",
                    },
                    new PlaceholderReport
                    {
                        Line = 1,
                        Column = 1,
                        Placeholder = "mapping:ConnectionStrings:Db",
                        Source = PlaceholderSource.Mapping,
                        Application = "App",
                        Name = "Db",
                        Context = EscapeContext.JsonValue,
                        Modifiers = PlaceholderModifiers.None,
                        Outcome = PlaceholderOutcome.Failed,
                    },
                    new PlaceholderReport
                    {
                        Line = 3,
                        Column = 9,
                        Placeholder = "#{secret:Api|base64|optional}",
                        Source = PlaceholderSource.Placeholder,
                        Application = "App",
                        Name = "Api",
                        Context = EscapeContext.JsonString,
                        Modifiers = PlaceholderModifiers.Base64 | PlaceholderModifiers.Optional,
                        Outcome = PlaceholderOutcome.OptionalMissing,
                    },
                ],
            },
            new FileReport { Path = "b.txt", Changed = false, Written = true },
        ],
        RequiredSecrets = [new RequiredSecret("App", "Api", true, 1), new RequiredSecret("Sh|op", "Db\n'é", false, 2)],
        Diagnostics =
        [
            new Diagnostic(DiagnosticCodes.InvalidArgument, DiagnosticSeverity.Error, "bad `x` \"q\" <é>. Fix: none.", "conf/a.json", 2, 15),
            new Diagnostic(DiagnosticCodes.Summary, DiagnosticSeverity.Warning, "summary"),
        ],
    };

    private static ResolutionReport EmptySucceededReport() => new()
    {
        Mode = ResolveMode.Resolve,
        Succeeded = true,
        Files = [],
        RequiredSecrets = [],
        Diagnostics = [],
    };

    [Fact]
    public void Json_report_is_indented_relaxed_escaped_and_names_every_field_in_order()
    {
        const string expected = """
            {
              "mode": "verify",
              "succeeded": false,
              "files": [
                {
                  "path": "conf/a|b\nc\rd.json",
                  "format": "Json",
                  "encoding": "Utf8Bom",
                  "changed": true,
                  "written": false,
                  "placeholders": [
                    {
                      "line": 2,
                      "column": 15,
                      "placeholder": "#{secret:Sh|op/Db'é|json|base64|raw|optional|literal}",
                      "source": "placeholder",
                      "application": "Sh|op",
                      "name": "Db'é<x>",
                      "context": "JsonString",
                      "modifiers": [
                        "json",
                        "base64",
                        "raw",
                        "optional",
                        "literal"
                      ],
                      "outcome": "Resolved",
                      "revision": 7,
                      "keyId": "key|1"
                    },
                    {
                      "line": 1,
                      "column": 1,
                      "placeholder": "mapping:ConnectionStrings:Db",
                      "source": "mapping",
                      "application": "App",
                      "name": "Db",
                      "context": "JsonValue",
                      "modifiers": [],
                      "outcome": "Failed",
                      "revision": null,
                      "keyId": null
                    },
                    {
                      "line": 3,
                      "column": 9,
                      "placeholder": "#{secret:Api|base64|optional}",
                      "source": "placeholder",
                      "application": "App",
                      "name": "Api",
                      "context": "JsonString",
                      "modifiers": [
                        "base64",
                        "optional"
                      ],
                      "outcome": "OptionalMissing",
                      "revision": null,
                      "keyId": null
                    }
                  ]
                },
                {
                  "path": "b.txt",
                  "format": null,
                  "encoding": null,
                  "changed": false,
                  "written": true,
                  "placeholders": []
                }
              ],
              "requiredSecrets": [
                {
                  "application": "App",
                  "name": "Api",
                  "optional": true,
                  "references": 1
                },
                {
                  "application": "Sh|op",
                  "name": "Db\n'é",
                  "optional": false,
                  "references": 2
                }
              ],
              "diagnostics": [
                {
                  "code": "SSB0001",
                  "severity": "error",
                  "message": "bad `x` \"q\" <é>. Fix: none.",
                  "file": "conf/a.json",
                  "line": 2,
                  "column": 15
                },
                {
                  "code": "SSB0004",
                  "severity": "warning",
                  "message": "summary",
                  "file": null,
                  "line": 0,
                  "column": 0
                }
              ]
            }

            """;

        Assert.Equal(expected.ReplaceLineEndings("\n"), FailedVerifyReport().ToJson().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Json_report_of_an_empty_successful_run_has_empty_arrays_and_ends_with_a_newline()
    {
        const string expected = """
            {
              "mode": "resolve",
              "succeeded": true,
              "files": [],
              "requiredSecrets": [],
              "diagnostics": []
            }

            """;

        Assert.Equal(expected.ReplaceLineEndings("\n"), EmptySucceededReport().ToJson().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Markdown_report_has_a_table_per_file_required_secrets_and_diagnostics_with_cells_escaped()
    {
        const string expected = """
            # Secret resolution report

            Mode: **verify** — failed

            ## conf/a\|b c d.json

            Format: Json, encoding: Utf8Bom, changed: yes, written: no

            | Line | Column | Application | Name | Context | Modifiers | Outcome | Revision | Key id |
            |---:|---:|---|---|---|---|---|---:|---|
            | 2 | 15 | Sh\|op | Db'é<x> | JsonString | json, base64, raw, optional, literal | Resolved | 7 | key\|1 |
            | 1 | 1 | App | Db | JsonValue |  | Failed |  |  |
            | 3 | 9 | App | Api | JsonString | base64, optional | OptionalMissing |  |  |

            ## b.txt

            Format: -, encoding: -, changed: no, written: yes

            No placeholders.

            ## Required secrets

            | Application | Name | Optional | References |
            |---|---|---|---:|
            | App | Api | yes | 1 |
            | Sh\|op | Db 'é | no | 2 |

            ## Diagnostics

            - `conf/a.json(2,15): error SSB0001: bad 'x' "q" <é>. Fix: none.`
            - `secretstore: warning SSB0004: summary`

            """;

        Assert.Equal(expected.ReplaceLineEndings("\n"), FailedVerifyReport().ToMarkdown());
    }

    [Fact]
    public void Markdown_report_of_an_empty_successful_run_has_no_sections()
    {
        Assert.Equal("# Secret resolution report\n\nMode: **resolve** — succeeded\n\n", EmptySucceededReport().ToMarkdown());
    }
}

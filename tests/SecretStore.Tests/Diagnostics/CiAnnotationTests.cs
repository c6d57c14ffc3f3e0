using SecretStore.Diagnostics;
using SecretStore.Diagnostics.Ci;
using SecretStore.Testing.Logs;

namespace SecretStore.Tests.Diagnostics;

/// <summary>
/// Issue 14 item 3: errors and warnings as the CI system's annotations, checked against the runners' own parsers
/// (<see cref="CiCommandParser"/>, ported from actions/runner and azure-pipelines-agent), not only as strings.
/// </summary>
public sealed class CiAnnotationTests
{
    private static readonly Diagnostic Missing = new(
        DiagnosticCodes.SecretNotFound, DiagnosticSeverity.Error, "Secret 'shop/Db' was not found. Fix: secretstore set shop/Db.", "/src/app/appsettings.json", 4, 17);

    [Fact]
    public void GitHub_error_line_has_file_line_col_and_the_code_as_title() =>
        Assert.Equal(
            "::error file=/src/app/appsettings.json,line=4,col=17,title=SSB2001::Secret 'shop/Db' was not found. Fix: secretstore set shop/Db.",
            CiAnnotation.Format(CiSystem.GitHubActions, Missing));

    [Fact]
    public void Azure_error_line_has_sourcepath_linenumber_columnnumber_and_code() =>
        Assert.Equal(
            "##vso[task.logissue type=error;sourcepath=/src/app/appsettings.json;linenumber=4;columnnumber=17;code=SSB2001]Secret 'shop/Db' was not found. Fix: secretstore set shop/Db.",
            CiAnnotation.Format(CiSystem.AzurePipelines, Missing));

    [Fact]
    public void A_warning_is_a_warning_annotation_and_without_a_line_there_is_no_line_or_column()
    {
        var warning = new Diagnostic(DiagnosticCodes.CiMaskingSkipped, DiagnosticSeverity.Warning, "Short.", "/src/a.json");
        // A message without a fix of its own ends with its code's (Diagnostic.Text).
        Assert.Equal($"::warning file=/src/a.json,title=SSB0005::Short. Fix: {DiagnosticCodes.CiMaskingSkipped.Fix}", CiAnnotation.Format(CiSystem.GitHubActions, warning));
        Assert.Equal($"##vso[task.logissue type=warning;sourcepath=/src/a.json;code=SSB0005]Short. Fix: {DiagnosticCodes.CiMaskingSkipped.Fix}", CiAnnotation.Format(CiSystem.AzurePipelines, warning));
    }

    [Fact]
    public void Without_a_file_only_the_code_is_given()
    {
        var error = new Diagnostic(DiagnosticCodes.InvalidStoreConfiguration, DiagnosticSeverity.Error, "No store.");
        Assert.Equal($"::error title=SSB0003::No store. Fix: {DiagnosticCodes.InvalidStoreConfiguration.Fix}", CiAnnotation.Format(CiSystem.GitHubActions, error));
        Assert.Equal($"##vso[task.logissue type=error;code=SSB0003]No store. Fix: {DiagnosticCodes.InvalidStoreConfiguration.Fix}", CiAnnotation.Format(CiSystem.AzurePipelines, error));
    }

    [Fact]
    public void A_line_without_a_column_gets_column_1()
    {
        var error = Missing with { Column = 0 };
        Assert.Contains(",line=4,col=1,", CiAnnotation.Format(CiSystem.GitHubActions, error), StringComparison.Ordinal);
        Assert.Contains(";linenumber=4;columnnumber=1;", CiAnnotation.Format(CiSystem.AzurePipelines, error), StringComparison.Ordinal);
    }

    [Fact]
    public void Information_and_runs_outside_CI_get_no_annotation()
    {
        Assert.Null(CiAnnotation.Format(CiSystem.GitHubActions, Missing with { Severity = DiagnosticSeverity.Info }));
        Assert.Null(CiAnnotation.Format(CiSystem.AzurePipelines, Missing with { Severity = DiagnosticSeverity.Info }));
        Assert.Null(CiAnnotation.Format(CiSystem.None, Missing));
    }

    // Paths and messages with every character the grammars reserve, and ones that look like escapes already.
    public static TheoryData<string, string> Awkward => new()
    {
        { "/w/a,b:c;d]e%f/app settings.json", "Secret 'a,b:c;d]e' at 100% ::x ##vso[task.complete]" },
        { "/w/%25%3A%2C%3B%5D%0A%AZP25.json", "literal %25 %3A %2C %3B %5D %0D %0A %AZP25" },
        { "C:\\work\\app\\web.config", "line\nbreak and \r return" },
    };

    [Theory]
    [MemberData(nameof(Awkward))]
    public void GitHubs_parser_reads_back_the_file_line_column_code_and_message(string file, string message)
    {
        var line = CiAnnotation.Format(CiSystem.GitHubActions, new Diagnostic(DiagnosticCodes.SecretNotFound, DiagnosticSeverity.Error, message + " Fix: secretstore set a/b.", file, 12, 3))!;

        var command = CiCommandParser.ParseGitHub(line);

        Assert.NotNull(command);
        Assert.Equal("error", command.Name);
        Assert.Equal(LogText.Escape(file), command.Properties["file"]);
        Assert.Equal("12", command.Properties["line"]);
        Assert.Equal("3", command.Properties["col"]);
        Assert.Equal("SSB2001", command.Properties["title"]);
        Assert.Equal(4, command.Properties.Count);
        Assert.Equal(LogText.Escape(message + " Fix: secretstore set a/b."), command.Data);
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\r', line);
    }

    [Theory]
    [MemberData(nameof(Awkward))]
    public void The_Azure_agents_parser_reads_back_the_file_line_column_code_and_message(string file, string message)
    {
        var line = CiAnnotation.Format(CiSystem.AzurePipelines, new Diagnostic(DiagnosticCodes.SecretNotFound, DiagnosticSeverity.Error, message + " Fix: secretstore set a/b.", file, 12, 3))!;

        var command = CiCommandParser.ParseAzure(line);

        Assert.NotNull(command);
        Assert.Equal("task.logissue", command.Name);
        Assert.Equal("error", command.Properties["type"]);
        Assert.Equal(LogText.Escape(file), command.Properties["sourcepath"]);
        Assert.Equal("12", command.Properties["linenumber"]);
        Assert.Equal("3", command.Properties["columnnumber"]);
        Assert.Equal("SSB2001", command.Properties["code"]);
        Assert.Equal(5, command.Properties.Count);
        Assert.Equal(LogText.Escape(message + " Fix: secretstore set a/b."), command.Data);
    }

    [Fact]
    public void Text_from_outside_cannot_add_a_command_or_a_line()
    {
        // A secret name chosen by a store writer, as it reaches a message.
        var hostile = new Diagnostic(DiagnosticCodes.SecretNotFound, DiagnosticSeverity.Error, "Secret 'x\n::add-mask::y' ##vso[task.setvariable variable=a]b", "/w/x\n::stop-commands::t");

        foreach (var system in new[] { CiSystem.GitHubActions, CiSystem.AzurePipelines })
        {
            var line = CiAnnotation.Format(system, hostile)!;
            Assert.Single(WorkflowCommandScanner.Lines(line));
            Assert.DoesNotContain("##vso[task.setvariable", line, StringComparison.OrdinalIgnoreCase);
            Assert.Empty(WorkflowCommandScanner.FindControls(line));
        }
    }
}

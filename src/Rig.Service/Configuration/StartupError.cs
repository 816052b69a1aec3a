using Microsoft.Extensions.Options;

namespace Rig.Service.Configuration;

/// <summary>
/// Turns a start-up failure caused by configuration into the lines an operator needs: every key and reason.
/// The binder wraps the useful message ("Failed to convert configuration value at 'Rig:...'") in a generic one,
/// so the whole chain is walked.
/// </summary>
public static class StartupError
{
    /// <summary>The problems, one per line, or null when <paramref name="error"/> is not about configuration.</summary>
    public static IReadOnlyList<string>? DescribeConfigurationError(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error is OptionsValidationException validation)
        {
            return [.. validation.Failures];
        }
        if (error is not InvalidOperationException || !error.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var lines = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e.InnerException is null || e.Message.Contains("Rig:", StringComparison.Ordinal) || e.Message.Contains('\''))
            {
                lines.Add(e.Message);
            }
        }
        return lines;
    }
}

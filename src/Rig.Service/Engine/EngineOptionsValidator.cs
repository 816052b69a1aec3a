using Microsoft.Extensions.Options;

namespace Rig.Service.Engine;

/// <summary>Checks the Engine section at start-up; each failure names its key.</summary>
public sealed class EngineOptionsValidator : IValidateOptions<EngineOptions>
{
    public ValidateOptionsResult Validate(string? name, EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.CheckpointPeriod < TimeSpan.Zero)
        {
            failures.Add($"{EngineOptions.SectionName}:CheckpointPeriod: {options.CheckpointPeriod} is negative (0 = checkpoint every sample)");
        }
        if (!string.IsNullOrWhiteSpace(options.PresetDirectory) && !Directory.Exists(options.PresetDirectory))
        {
            failures.Add($"{EngineOptions.SectionName}:PresetDirectory: '{options.PresetDirectory}' does not exist");
        }
        var dry = options.DryRun;
        if (dry.SamplePeriod <= TimeSpan.Zero || dry.SamplePeriod > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{EngineOptions.SectionName}:DryRun:SamplePeriod: {dry.SamplePeriod} is outside (0, 10 min]");
        }
        if (dry.WallTimeLimit <= TimeSpan.Zero || dry.WallTimeLimit > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{EngineOptions.SectionName}:DryRun:WallTimeLimit: {dry.WallTimeLimit} is outside (0, 10 min]");
        }
        if (dry.EndSamplePeriod is { } end && (end < TimeSpan.Zero || end > dry.SamplePeriod))
        {
            failures.Add($"{EngineOptions.SectionName}:DryRun:EndSamplePeriod: {end} is outside [0, SamplePeriod {dry.SamplePeriod}]");
        }
        if (dry.SimulatedTimeLimit <= TimeSpan.Zero)
        {
            failures.Add($"{EngineOptions.SectionName}:DryRun:SimulatedTimeLimit: {dry.SimulatedTimeLimit} must be positive");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

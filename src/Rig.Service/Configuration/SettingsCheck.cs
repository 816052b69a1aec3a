using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Rig.Service.Configuration;

/// <summary>
/// Reads the settings against the options classes before the binder does, so a person sees what they typed, where,
/// and what was meant: "Rig:Channels:ch1:Clamp:Knd is not a setting (did you mean 'Kind'?)", "Rig:…:Kind: 'Nau7803'
/// is not one of Simulated, Nau7802, Hx711, Ads1115 (did you mean 'Nau7802'?)", a misspelt top-level section in a
/// settings file. The binder's own messages name a .NET type and lose the path of a nested key.
/// </summary>
public static class SettingsCheck
{
    /// <summary>
    /// Every problem found, one line each (empty when the settings bind), and the top-level sections of settings files
    /// that nothing reads and that are not near a known name (<paramref name="ignored"/>: worth a warning, not a refusal).
    /// </summary>
    public static IReadOnlyList<string> Problems(IConfiguration configuration, out IReadOnlyList<string> ignored)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        var unread = new List<string>();
        // Top level: only keys from settings files (environment variables hold PATH, HOME and the like).
        if (configuration is IConfigurationRoot root)
        {
            foreach (var provider in root.Providers.OfType<FileConfigurationProvider>())
            {
                foreach (var key in provider.GetChildKeys([], null).Distinct(StringComparer.OrdinalIgnoreCase))
                {
                    if (ConfigurationSections.Find(key) is not null)
                    {
                        continue;
                    }
                    if (Spelling.Closest(key, ConfigurationSections.Known) is { } near)
                    {
                        problems.Add($"{key} (in {provider.Source.Path}) is not a settings section (did you mean '{near}'?); sections: {string.Join(", ", ConfigurationSections.Known)}");
                    }
                    else
                    {
                        unread.Add($"{key} (in {provider.Source.Path})");
                    }
                }
            }
        }
        foreach (var (name, options) in ConfigurationSections.All)
        {
            if (options is not null)
            {
                CheckObject(configuration.GetSection(name), options, problems);
            }
        }
        ignored = unread;
        return problems;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2070:RequiresUnreferencedCode",
        Justification = "Every options type, the sections' and the nested ones, is rooted with its public properties (ConfigurationSections.All and .Nested; ConfigurationSectionsTests fails on a nested type missing there), so a trimmed or Native AOT build keeps what this reflects over.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072:RequiresUnreferencedCode", Justification = "As above.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075:RequiresUnreferencedCode", Justification = "As above.")]
    private static void CheckObject(IConfigurationSection section, Type type, List<string> problems)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToList();
        foreach (var child in section.GetChildren())
        {
            var property = properties.FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                var names = properties.Select(p => p.Name).ToList();
                problems.Add($"{child.Path} is not a setting{Suggestion(child.Key, names)}; settings in {section.Path}: {string.Join(", ", names)}");
                continue;
            }
            CheckValue(child, property.PropertyType, problems);
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2072:RequiresUnreferencedCode", Justification = "See CheckObject.")]
    [UnconditionalSuppressMessage("Trimming", "IL2062:RequiresUnreferencedCode", Justification = "See CheckObject.")]
    private static void CheckValue(IConfigurationSection section, Type type, List<string> problems)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            if (section.Value is { Length: > 0 } value && !Enum.TryParse(type, value, ignoreCase: true, out _))
            {
                var names = Enum.GetNames(type);
                problems.Add($"{section.Path}: '{value}' is not one of {string.Join(", ", names)}{Suggestion(value, names)}");
            }
            return;
        }
        if (type == typeof(string) || type.IsPrimitive || type.IsValueType)
        {
            return; // numbers, times, booleans: the binder's and the validators' messages name the key and value
        }
        if (ElementType(type) is { } element)
        {
            foreach (var item in section.GetChildren())
            {
                CheckValue(item, element, problems);
            }
            return;
        }
        if (type.IsClass && type != typeof(object))
        {
            CheckObject(section, type, problems);
        }
    }

    /// <summary>The value type of a dictionary, or the element type of an array or list; null for other types.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2070:RequiresUnreferencedCode", Justification = "See CheckObject.")]
    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }
        if (!typeof(IEnumerable).IsAssignableFrom(type) || !type.IsGenericType)
        {
            return null;
        }
        var arguments = type.GetGenericArguments();
        return arguments.Length == 2 ? arguments[1] : arguments.Length == 1 ? arguments[0] : null;
    }

    private static string Suggestion(string given, IEnumerable<string> candidates) =>
        Spelling.Closest(given, candidates) is { } near ? $" (did you mean '{near}'?)" : "";
}

using System.Collections;
using System.Reflection;
using Rig.Service.Configuration;

namespace Rig.Service.Tests.Configuration;

/// <summary>
/// A trimmed or Native AOT build keeps an options class's properties for SettingsCheck only if the class is listed
/// (ConfigurationSections.All or .Nested): an unlisted nested class would make every key under it "not a setting".
/// </summary>
public sealed class ConfigurationSectionsTests
{
    [Fact]
    public void Every_options_class_below_a_section_is_listed_for_the_settings_check()
    {
        var listed = ConfigurationSections.All.Where(s => s.Options is not null).Select(s => s.Options!).Concat(ConfigurationSections.Nested).ToHashSet();
        var reached = new HashSet<Type>();
        foreach (var (_, options) in ConfigurationSections.All)
        {
            if (options is not null)
            {
                Walk(options, reached);
            }
        }
        var missing = reached.Except(listed).Select(t => t.FullName).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"add to ConfigurationSections.Nested: {string.Join(", ", missing)}");
    }

    // The same walk as SettingsCheck.CheckValue: classes, and the element or value types of collections.
    private static void Walk(Type type, HashSet<Type> reached)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum || type == typeof(string) || type.IsValueType || type == typeof(object))
        {
            return;
        }
        if (type.IsArray)
        {
            Walk(type.GetElementType()!, reached);
            return;
        }
        if (typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType)
        {
            Walk(type.GetGenericArguments()[^1], reached);
            return;
        }
        if (!type.IsClass || !reached.Add(type))
        {
            return;
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            Walk(property.PropertyType, reached);
        }
    }
}

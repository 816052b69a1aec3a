using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Rig.Drivers.Quantities;
using Rig.Service.Configuration;
using UnitsNet;

namespace Rig.Service.Engine.Protocols;

/// <summary>
/// Compiles a protocol document (JSON; format in docs/protocols.md) into a <see cref="ProtocolPlan"/>. Every
/// problem found is collected and thrown together as a <see cref="ProtocolException"/> naming the location, the
/// text and what is wrong, so nothing half-valid ever reaches a cell.
/// </summary>
public static partial class ProtocolCompiler
{
    private static readonly string[] KnownKeys = ["name", "description", "cell", "conditions", "parameters", "safety", "stepTimeout", "formationCycles", "steps"];
    private static readonly TimeSpan DefaultStepTimeout = TimeSpan.FromHours(48);
    private static readonly JsonDocumentOptions JsonOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    public static ProtocolPlan Compile(string protocolText, IReadOnlyDictionary<string, string>? overrides = null, bool rejectUnusedOverrides = true)
    {
        var errors = new List<ProtocolError>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(protocolText, JsonOptions);
        }
        catch (JsonException ex)
        {
            // The reader's own text names its internals (LineNumber, BytePositionInLine): say it in the user's words.
            var problem = JsonSyntaxError.Describe(protocolText, ex, JsonOptions);
            throw new ProtocolException([new ProtocolError(problem.Location, "", $"not valid JSON: {problem.Message}")]);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ProtocolException([new ProtocolError("protocol", "", "the document must be a JSON object")]);
            }
            foreach (var property in root.EnumerateObject().Where(p => !KnownKeys.Contains(p.Name)))
            {
                errors.Add(new(property.Name, "", $"unknown key (known: {string.Join(", ", KnownKeys)})"));
            }
            var parameters = ReadParameters(root, overrides, errors);
            var context = new Context(parameters, errors);
            var name = context.String(root, "name", "protocol") ?? "unnamed";
            var timeoutText = context.String(root, "stepTimeout", "stepTimeout");
            var defaultTimeout = DefaultStepTimeout;
            if (timeoutText is not null)
            {
                defaultTimeout = context.Duration(timeoutText, "stepTimeout") ?? DefaultStepTimeout;
            }
            var formation = root.TryGetProperty("formationCycles", out var f) ? context.Integer(f, "formationCycles") : 0;
            CellChemistry? chemistry = null;
            if (context.String(root, "cell", "cell") is { } cellText)
            {
                if (Enum.TryParse<CellChemistry>(cellText, ignoreCase: true, out var parsed))
                {
                    chemistry = parsed;
                }
                else
                {
                    errors.Add(new("cell", cellText, $"unknown cell (known: {string.Join(", ", Enum.GetNames<CellChemistry>())})"));
                }
            }
            var safety = ReadSafety(root, context);
            var instructions = new List<PlanInstruction>();
            if (!root.TryGetProperty("steps", out var steps) || steps.ValueKind != JsonValueKind.Array || steps.GetArrayLength() == 0)
            {
                errors.Add(new("steps", "", "a protocol needs a non-empty 'steps' array"));
            }
            else
            {
                ReadItems(steps, "steps", 0, defaultTimeout, context, instructions);
            }
            foreach (var unused in parameters.Keys.Where(k => rejectUnusedOverrides && !context.Used.Contains(k) && overrides?.ContainsKey(k) == true))
            {
                errors.Add(new($"parameters.{unused}", overrides![unused], "overridden, but no step uses it"));
            }
            if (errors.Count > 0 || safety is null)
            {
                throw new ProtocolException(errors);
            }
            return new ProtocolPlan(name, protocolText, parameters, safety, formation, chemistry, instructions);
        }
    }

    private static Dictionary<string, string> ReadParameters(JsonElement root, IReadOnlyDictionary<string, string>? overrides, List<ProtocolError> errors)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("parameters", out var declared))
        {
            if (declared.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new("parameters", "", "must be an object of name: value"));
            }
            else
            {
                foreach (var property in declared.EnumerateObject())
                {
                    parameters[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                }
            }
        }
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            if (!parameters.TryGetValue(key, out var defaultValue))
            {
                errors.Add(new($"parameters.{key}", value, $"the protocol has no parameter '{key}' (it has: {string.Join(", ", parameters.Keys)})"));
                continue;
            }
            if (ParameterTypes.OverrideProblem(defaultValue, value) is { } mistyped)
            {
                errors.Add(new($"parameters.{key}", value, mistyped));
                continue;
            }
            parameters[key] = value;
        }
        return parameters;
    }

    private static SafetyLimits? ReadSafety(JsonElement root, Context context)
    {
        if (!root.TryGetProperty("safety", out var safety) || safety.ValueKind != JsonValueKind.Object)
        {
            context.Errors.Add(new("safety", "", "a protocol needs a 'safety' block with at least 'voltage' and 'maxCurrent'"));
            return null;
        }
        var window = context.String(safety, "voltage", "safety.voltage") is { } v ? context.Range(v, QuantityKind.Voltage, "safety.voltage") : null;
        if (window is null)
        {
            context.Errors.Add(new("safety.voltage", "", "needs a voltage window such as \"-1 V to 2.5 V\""));
        }
        CurrentAmount? maxCurrent = null;
        if (context.String(safety, "maxCurrent", "safety.maxCurrent") is { } c)
        {
            maxCurrent = context.Current(c, "safety.maxCurrent");
        }
        else
        {
            context.Errors.Add(new("safety.maxCurrent", "", "needs a maximum current such as \"10 mA/cm2\""));
        }
        Temperature? maxTemperature = null;
        if (context.String(safety, "maxTemperature", "safety.maxTemperature") is { } t
            && context.Single(t, QuantityKind.Temperature, "safety.maxTemperature") is { } celsius)
        {
            maxTemperature = Temperature.FromDegreesCelsius(celsius);
        }
        (double Low, double High)? pressure = null;
        if (context.String(safety, "stackPressure", "safety.stackPressure") is { } p)
        {
            pressure = context.Range(p, QuantityKind.Pressure, "safety.stackPressure");
        }
        if (window is null || maxCurrent is null)
        {
            return null;
        }
        return new SafetyLimits(
            ElectricPotential.FromVolts(window.Value.Low), ElectricPotential.FromVolts(window.Value.High), maxCurrent.Value, maxTemperature,
            pressure is { } low ? Pressure.FromMegapascals(low.Low) : null,
            pressure is { } high ? Pressure.FromMegapascals(high.High) : null);
    }

    private static void ReadItems(JsonElement items, string location, int depth, TimeSpan defaultTimeout, Context context, List<PlanInstruction> instructions)
    {
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            var here = $"{location}[{index++}]";
            if (item.ValueKind == JsonValueKind.String)
            {
                var text = context.Substitute(item.GetString()!, here);
                if (text is null)
                {
                    continue;
                }
                var step = StepParser.TryParse(text, out var problem);
                if (step is null)
                {
                    context.Errors.Add(new(here, text, problem));
                    continue;
                }
                step = step with { Timeout = step.Timeout ?? Max(defaultTimeout, step.Duration) };
                instructions.Add(new PlanInstruction(InstructionKind.Step, here, depth, step));
            }
            else if (item.ValueKind == JsonValueKind.Object)
            {
                ReadLoop(item, here, depth, defaultTimeout, context, instructions);
            }
            else
            {
                context.Errors.Add(new(here, item.GetRawText(), "an item is a step string or a loop object {\"repeat\": n, \"steps\": [...]}"));
            }
        }
    }

    private static void ReadLoop(JsonElement loop, string here, int depth, TimeSpan defaultTimeout, Context context, List<PlanInstruction> instructions)
    {
        var repeat = loop.TryGetProperty("repeat", out var r) ? context.Integer(r, $"{here}.repeat") : 0;
        if (repeat <= 0)
        {
            context.Errors.Add(new($"{here}.repeat", loop.TryGetProperty("repeat", out var shown) ? shown.GetRawText() : "", "a loop needs 'repeat' of at least 1"));
        }
        var until = new List<LoopEndCondition>();
        if (loop.TryGetProperty("until", out var conditions))
        {
            var i = 0;
            foreach (var condition in conditions.ValueKind == JsonValueKind.Array ? conditions.EnumerateArray() : Enumerable.Empty<JsonElement>())
            {
                var where = $"{here}.until[{i++}]";
                var text = context.Substitute(condition.GetString() ?? "", where);
                if (text is not null && ReadCondition(text, where, context) is { } parsed)
                {
                    until.Add(parsed);
                }
            }
        }
        if (!loop.TryGetProperty("steps", out var body) || body.ValueKind != JsonValueKind.Array || body.GetArrayLength() == 0)
        {
            context.Errors.Add(new($"{here}.steps", "", "a loop needs a non-empty 'steps' array"));
            return;
        }
        var start = instructions.Count;
        instructions.Add(new PlanInstruction(InstructionKind.LoopStart, here, depth, Repeat: repeat, Until: until));
        ReadItems(body, $"{here}.steps", depth + 1, defaultTimeout, context, instructions);
        var end = instructions.Count;
        instructions.Add(new PlanInstruction(InstructionKind.LoopEnd, here, depth, Repeat: repeat, Until: until, Partner: start));
        instructions[start] = instructions[start] with { Partner = end };
    }

    private static LoopEndCondition? ReadCondition(string text, string where, Context context)
    {
        var words = Quantity.Tokenize(text);
        if (words is ["short"] or ["short", "detected"])
        {
            return new LoopEndCondition(LoopEndKind.Short, 0, text);
        }
        if (words.Count >= 3 && words[0] == "retention" && words[1] == "<")
        {
            var position = 2;
            if (Quantity.TryRead(words, ref position, out var fraction, out _) && fraction.Kind == QuantityKind.Percent && position == words.Count)
            {
                return new LoopEndCondition(LoopEndKind.RetentionBelow, fraction.Magnitude, text);
            }
        }
        if (words.Count == 3 && words[0] is "cycles" or "cycle" && words[1] == ">="
            && int.TryParse(words[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var cycles) && cycles > 0)
        {
            return new LoopEndCondition(LoopEndKind.CyclesAtLeast, cycles, text);
        }
        context.Errors.Add(new(where, text, "unknown end condition (known: \"retention < 80 %\", \"cycles >= 100\", \"short\")"));
        return null;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan? b) => b is { } other && other > a ? other : a;

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex ParameterReference();
}

using Microsoft.Extensions.Options;
using Rig.Service.Configuration;
using Rig.Service.Store;

namespace Rig.Service.Telemetry;

/// <summary>Validates "Mqtt" and "Store" at start-up, naming the key of every problem.</summary>
public sealed class TelemetryOptionsValidator : IValidateOptions<MqttOptions>, IValidateOptions<StoreOptions>
{
    public ValidateOptionsResult Validate(string? name, MqttOptions options) => Check(options.Validate);

    public ValidateOptionsResult Validate(string? name, StoreOptions options) => Check(options.Validate);

    private static ValidateOptionsResult Check(Action<ValidationErrors> validate)
    {
        var errors = new ValidationErrors();
        validate(errors);
        return errors.Any ? ValidateOptionsResult.Fail(errors.Errors) : ValidateOptionsResult.Success;
    }
}

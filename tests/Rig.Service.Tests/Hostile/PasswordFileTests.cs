using Microsoft.Extensions.Configuration;
using Rig.Service.CommandLine;
using Rig.Service.Configuration;
using Rig.Service.Telemetry;
using Rig.Service.Tests.Support;
using Rig.Service.Thermal.Cli;

namespace Rig.Service.Tests.Hostile;

/// <summary>
/// Issue 22: a password file that is a FIFO (no writer: an ordinary open waits for ever) or /dev/zero (an endless
/// read eats memory) is refused at once as a configuration error naming the key, on the service (Mqtt:PasswordFile)
/// and on the heater command line (--password-file). Every wait is a hang guard, not a timing.
/// </summary>
[Collection(nameof(ConsoleCapture))]
public sealed class PasswordFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rig-password-file-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string> Hostile => HostileFiles.Kinds;

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Mqtt_options_refuse_a_fifo_or_a_device_as_password_file_naming_the_key(string kind)
    {
        var path = PathFor(kind);
        var options = new MqttOptions { Username = "rig", PasswordFile = path };
        var errors = new ValidationErrors();

        await HostileFiles.WithinHangGuardAsync(() => options.Validate(errors));

        var error = Assert.Single(errors.Errors, e => e.StartsWith("Mqtt:PasswordFile", StringComparison.Ordinal));
        Assert.Contains(path, error, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => options.ResolvePassword());
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Mqtt_options_refuse_a_fifo_or_a_device_as_ca_file_naming_the_key(string kind)
    {
        var path = PathFor(kind);
        var options = new MqttOptions { UseTls = true, Broker = "broker.lab", CaFile = path };
        var errors = new ValidationErrors();

        await HostileFiles.WithinHangGuardAsync(() => options.Validate(errors));

        var error = Assert.Single(errors.Errors, e => e.StartsWith("Mqtt:CaFile", StringComparison.Ordinal));
        Assert.Contains(path, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ca_file_without_a_certificate_is_refused_and_a_pem_certificate_is_loaded()
    {
        var garbage = Path.Combine(_directory, "garbage.pem");
        File.WriteAllText(garbage, "not a certificate\n");
        var errors = new ValidationErrors();
        new MqttOptions { UseTls = true, Broker = "broker.lab", CaFile = garbage }.Validate(errors);
        Assert.Single(errors.Errors, e => e.StartsWith("Mqtt:CaFile", StringComparison.Ordinal) && e.Contains("no PEM certificate", StringComparison.Ordinal));

        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=lab-ca", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(100));
        var pem = Path.Combine(_directory, "ca.pem");
        File.WriteAllText(pem, certificate.ExportCertificatePem());
        var options = new MqttOptions { UseTls = true, Broker = "broker.lab", CaFile = pem };
        var none = new ValidationErrors();
        options.Validate(none);
        Assert.DoesNotContain(none.Errors, e => e.StartsWith("Mqtt:CaFile", StringComparison.Ordinal));
        var chain = options.LoadCaCertificates()!;
        Assert.Equal("CN=lab-ca", Assert.Single(chain).Subject);
    }

    [Fact]
    public void An_ordinary_password_file_is_read_without_its_line_end()
    {
        var path = Path.Combine(_directory, "password");
        File.WriteAllText(path, "s3cret\n");
        var options = new MqttOptions { Username = "rig", PasswordFile = path };
        var errors = new ValidationErrors();

        options.Validate(errors);

        Assert.DoesNotContain(errors.Errors, e => e.StartsWith("Mqtt:PasswordFile", StringComparison.Ordinal));
        Assert.Equal("s3cret", options.ResolvePassword());
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task The_heater_command_line_refuses_a_fifo_or_a_device_as_password_file_naming_the_option(string kind)
    {
        var path = PathFor(kind);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Nothing must be reached: the refusal comes before any connection.
            ["Mqtt:Broker"] = "127.0.0.1",
            ["Mqtt:Port"] = "1",
        }).Build();

        var (exit, error) = await ConsoleCapture.StandardErrorOfAsync(
            () => HeaterCli.RunAsync(["heater", "set-gains", "cell", "1", "0.1", "0", "--user", "lab", "--password-file", path], configuration));

        Assert.Equal(ExitCodes.ConfigurationError, exit);
        Assert.Contains("--password-file", error, StringComparison.Ordinal);
        Assert.Contains(path, error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    [Trait("Category", TestCategories.OutOfProcess)]
    public async Task The_service_does_not_start_with_a_fifo_or_a_device_as_password_file_and_names_the_key(string kind)
    {
        var path = PathFor(kind);
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Rig__StateDirectory"] = Path.Combine(_directory, "state"),
            ["Mqtt__Broker"] = "127.0.0.1",
            ["Mqtt__Port"] = "1",
            ["Mqtt__Username"] = "rig",
            ["Mqtt__PasswordFile"] = path,
        });
        await service.WaitForExitAsync(HostileFiles.HangGuard);

        Assert.True(service.ExitCode == ExitCodes.ConfigurationError, $"exit code {service.ExitCode}:\n{service.Output}");
        Assert.Contains("Mqtt:PasswordFile", service.Output, StringComparison.Ordinal);
        Assert.Contains(path, service.Output, StringComparison.Ordinal);
    }

    private string PathFor(string kind) => HostileFiles.PathFor(kind, _directory, "password");
}

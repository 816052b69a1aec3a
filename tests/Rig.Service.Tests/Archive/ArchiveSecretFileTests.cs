using Microsoft.Extensions.Options;
using Rig.Archive;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Archive;

/// <summary>
/// The archive's Archive:PasswordFile and Archive:CaFile are read bounded, like the rig's (RegularFile/BoundedFile):
/// a FIFO without a writer (the old File.ReadAllText waited for ever) or /dev/zero (read until memory ran out) is
/// refused at start naming the key. Every wait is a hang guard on its own token, not a timing.
/// </summary>
public sealed class ArchiveSecretFileTests : IDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("rig-archive-secret-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string> Hostile => HostileFiles.Kinds;

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_fifo_or_a_device_as_password_file_is_refused_at_start_naming_the_key(string kind)
    {
        var path = HostileFiles.PathFor(kind, _directory);
        var options = new ArchiveOptions { PasswordFile = path };

        var error = await ValidateAsync(options, "Archive:PasswordFile");

        Assert.Contains(path, error, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => options.ResolvePassword());
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_fifo_or_a_device_as_ca_file_is_refused_at_start_naming_the_key(string kind)
    {
        var path = HostileFiles.PathFor(kind, _directory, "ca.pem");
        var options = new ArchiveOptions { UseTls = true, CaFile = path };

        var error = await ValidateAsync(options, "Archive:CaFile");

        Assert.Contains(path, error, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => options.LoadCaCertificates());
    }

    [Fact]
    public void An_ordinary_password_file_and_a_pem_ca_are_read_and_a_ca_without_a_certificate_is_refused()
    {
        var password = Path.Combine(_directory, "password");
        File.WriteAllText(password, "s3cret\n");
        var garbage = Path.Combine(_directory, "garbage.pem");
        File.WriteAllText(garbage, "not a certificate\n");
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=lab-ca", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(100));
        var pem = Path.Combine(_directory, "ca.pem");
        File.WriteAllText(pem, certificate.ExportCertificatePem());
        var validator = new ArchiveOptionsValidator();

        var good = new ArchiveOptions { PasswordFile = password, UseTls = true, CaFile = pem };
        var bad = new ArchiveOptions { UseTls = true, CaFile = garbage };

        Assert.True(validator.Validate(null, good).Succeeded);
        Assert.Equal("s3cret", good.ResolvePassword());
        Assert.Equal("CN=lab-ca", Assert.Single(good.LoadCaCertificates()!).Subject);
        var failure = validator.Validate(null, bad);
        Assert.Single(failure.Failures!, f => f.StartsWith("Archive:CaFile", StringComparison.Ordinal) && f.Contains("no PEM certificate", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    [Trait("Category", TestCategories.OutOfProcess)]
    public async Task The_archive_process_exits_with_a_configuration_error_naming_the_key(string kind)
    {
        var path = HostileFiles.PathFor(kind, _directory);
        // Nothing must be reached: the refusal comes before the database and the broker.
        await using var archive = ServiceProcess.StartProgram("Rig.Archive.dll", new Dictionary<string, string>
        {
            ["Archive__Broker"] = "127.0.0.1",
            ["Archive__Port"] = "1",
            ["Archive__ConnectionString"] = "Host=127.0.0.1;Port=1;Database=none;Username=none",
            ["Archive__PasswordFile"] = path,
        });
        await archive.WaitForExitAsync(HangGuard);

        Assert.True(archive.ExitCode == 78, $"exit code {archive.ExitCode}:\n{archive.Output}");
        Assert.Contains("Archive:PasswordFile", archive.Output, StringComparison.Ordinal);
        Assert.Contains(path, archive.Output, StringComparison.Ordinal);
    }

    private static async Task<string> ValidateAsync(ArchiveOptions options, string key)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        var result = await Task.Run(() => new ArchiveOptionsValidator().Validate(null, options), guard.Token).WaitAsync(guard.Token);
        Assert.True(result.Failed, "validated");
        return Assert.Single(result.Failures!, f => f.StartsWith(key, StringComparison.Ordinal));
    }
}

using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Rig.Service.Tests.Telemetry;

/// <summary>
/// A throw-away PKI made in process, as a lab would with openssl: a self-signed CA and a broker certificate it
/// signed for 127.0.0.1 / localhost (server-auth EKU), written as PEM files mosquitto (OpenSSL) reads.
/// </summary>
public static class TestCertificates
{
    /// <summary>Writes <c>&lt;name&gt;-ca.pem</c>, <c>&lt;name&gt;-server.pem</c>, <c>&lt;name&gt;-server.key</c> (PKCS#8) into <paramref name="directory"/>.</summary>
    public static BrokerTlsFiles WriteBrokerPki(string directory, string name)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN={name} test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var server = serverRequest.Create(ca, now.AddDays(-1), now.AddDays(30), RandomNumberGenerator.GetBytes(16));

        var files = new BrokerTlsFiles(Path.Combine(directory, $"{name}-ca.pem"), Path.Combine(directory, $"{name}-server.pem"),
            Path.Combine(directory, $"{name}-server.key"));
        File.WriteAllText(files.CaFile, ca.ExportCertificatePem());
        File.WriteAllText(files.CertFile, server.ExportCertificatePem());
        File.WriteAllText(files.KeyFile, serverKey.ExportPkcs8PrivateKeyPem());
        return files;
    }
}

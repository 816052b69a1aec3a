namespace Rig.Service.Store;

/// <summary>
/// Impedance spectra: stored with their test, and every one published retained on "&lt;channel&gt;/spectrum" (the broker
/// keeps the latest for dashboards; the lab archive keeps them all, so the stream's seq has no gaps and can be replayed).
/// </summary>
public sealed partial class RigStore
{
    public static string SpectrumStream(string channelId) => $"{channelId}/spectrum";

    /// <summary>
    /// Stores one spectrum document and queues it, in the same transaction, as the channel's retained spectrum. An
    /// earlier one not yet published is not superseded (unlike state): each spectrum is a record the lab archive keeps,
    /// sweeps are minutes apart, and the last one queued is the last one retained.
    /// </summary>
    public void SaveSpectrum(string testId, string channelId, DateTimeOffset at, int cycle, int stepIndex, Func<long, byte[]> document)
    {
        ArgumentNullException.ThrowIfNull(document);
        Write(tx =>
        {
            Run(tx, """
                INSERT INTO spectra(test_id, channel_id, unix_ms, cycle, step_index, spectrum_json)
                VALUES ($t, $c, $u, $cy, $s, $j)
                """,
                ("$t", testId), ("$c", channelId), ("$u", at.ToUnixTimeMilliseconds()), ("$cy", cycle), ("$s", stepIndex),
                ("$j", System.Text.Encoding.UTF8.GetString(document(0))));
            Enqueue(tx, SpectrumStream(channelId), SpectrumStream(channelId), document, true, at);
            return 0;
        });
    }

    /// <summary>A test's spectrum documents in the order measured.</summary>
    public IReadOnlyList<string> ReadSpectra(string testId) =>
        Query("SELECT spectrum_json FROM spectra WHERE test_id = $t ORDER BY id", r => r.GetString(0), ("$t", testId));
}

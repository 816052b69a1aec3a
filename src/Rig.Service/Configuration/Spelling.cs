namespace Rig.Service.Configuration;

/// <summary>Finds the name a person probably meant (a misspelt setting, verb or enum value).</summary>
public static class Spelling
{
    /// <summary>The candidate within a small edit distance of <paramref name="given"/> (case-insensitive), or null.</summary>
    public static string? Closest(string given, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(given);
        ArgumentNullException.ThrowIfNull(candidates);
        var allowed = Math.Max(1, given.Length / 3);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(given.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance <= allowed && distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }
        return best;
    }

    /// <summary>Optimal-string-alignment distance: a swapped pair of letters counts as one typo.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}

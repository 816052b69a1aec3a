namespace Rig.Service.Store;

public sealed partial class RigStore
{
    /// <summary>
    /// One small durable write (a row in its own table, replaced each time): after the disk was full or read-only,
    /// proof that the store takes writes again. Throws as any write would when it still cannot.
    /// </summary>
    public void ProbeWrite(DateTimeOffset at) =>
        Write(tx => Run(tx, """
            CREATE TABLE IF NOT EXISTS store_probe(id INTEGER PRIMARY KEY CHECK (id = 1), at_unix_ms INTEGER NOT NULL);
            INSERT OR REPLACE INTO store_probe(id, at_unix_ms) VALUES(1, $t);
            """, ("$t", at.ToUnixTimeMilliseconds())));
}

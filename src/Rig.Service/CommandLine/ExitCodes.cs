namespace Rig.Service.CommandLine;

/// <summary>
/// Every exit code the program uses, in one place (values from sysexits.h where one fits). systemd and scripts tell
/// them apart: the unit does not restart on <see cref="ConfigurationError"/>, <see cref="AlreadyRunning"/>,
/// <see cref="DataError"/> or <see cref="Usage"/>. README.md, "Command line", lists them for people.
/// </summary>
public static class ExitCodes
{
    /// <summary>Done, or stopped cleanly by SIGTERM / Ctrl+C.</summary>
    public const int Ok = 0;

    /// <summary>The rig could not start for a reason that is not configuration (logged with the cause).</summary>
    public const int Failure = 1;

    /// <summary>A bench verb refused its arguments (unknown channel, unreadable load).</summary>
    public const int VerbRefused = 2;

    /// <summary>EX_USAGE: unknown verb, option or argument; nothing was started.</summary>
    public const int Usage = 64;

    /// <summary>EX_DATAERR: the store file is damaged (not a database, or its integrity check failed); it was not modified.</summary>
    public const int DataError = 65;

    /// <summary>EX_NOINPUT: the store or test a verb needs does not exist.</summary>
    public const int NoInput = 66;

    /// <summary>EX_CANTCREAT: the state directory cannot be created or its lock file cannot be opened.</summary>
    public const int CannotCreate = 73;

    /// <summary>EX_SOFTWARE: a hosted service failed while running (an exception escaped it); the rig was made safe first.</summary>
    public const int Software = 70;

    /// <summary>EX_TEMPFAIL: another instance holds the state directory's lock; try again once it has stopped.</summary>
    public const int AlreadyRunning = 75;

    /// <summary>EX_CONFIG: the settings are malformed; the message names the key and the files read.</summary>
    public const int ConfigurationError = 78;
}

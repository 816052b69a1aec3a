namespace Rig.Drivers.LoadCells.Nau7802;

/// <summary>Conversion rate, CTRL2 CRS b6:4 (datasheet: 010 = 40, 011 = 80, 111 = 320 samples per second).</summary>
public enum Nau7802SampleRate : byte
{
    Sps10 = 0b000,
    Sps20 = 0b001,
    Sps40 = 0b010,
    Sps80 = 0b011,
    Sps320 = 0b111,
}

public static class Nau7802SampleRateExtensions
{
    public static int SamplesPerSecond(this Nau7802SampleRate rate) => rate switch
    {
        Nau7802SampleRate.Sps10 => 10,
        Nau7802SampleRate.Sps20 => 20,
        Nau7802SampleRate.Sps40 => 40,
        Nau7802SampleRate.Sps80 => 80,
        Nau7802SampleRate.Sps320 => 320,
        _ => throw new ArgumentOutOfRangeException(nameof(rate), rate, "not a NAU7802 rate"),
    };

    public static Nau7802SampleRate FromSamplesPerSecond(int samplesPerSecond) => samplesPerSecond switch
    {
        10 => Nau7802SampleRate.Sps10,
        20 => Nau7802SampleRate.Sps20,
        40 => Nau7802SampleRate.Sps40,
        80 => Nau7802SampleRate.Sps80,
        320 => Nau7802SampleRate.Sps320,
        _ => throw new ArgumentOutOfRangeException(nameof(samplesPerSecond), samplesPerSecond, "the NAU7802 converts at 10, 20, 40, 80 or 320 SPS"),
    };
}

using UnitsNet;

namespace Rig.Drivers.LoadCells;

/// <summary>
/// A moving window over the last N forces: the mean the supervisor acts on (one noisy sample must not pause a
/// test) and a stability flag (spread within a limit), as weighing indicators report "stable".
/// </summary>
public sealed class ForceWindow
{
    private readonly Queue<double> _newtons = new();
    private readonly int _length;
    private readonly Force _stabilityLimit;

    public ForceWindow(int length, Force stabilityLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        _length = length;
        _stabilityLimit = stabilityLimit;
    }

    public bool Full => _newtons.Count == _length;

    public void Add(Force force)
    {
        _newtons.Enqueue(force.Newtons);
        while (_newtons.Count > _length)
        {
            _newtons.Dequeue();
        }
    }

    public void Clear() => _newtons.Clear();

    public Force Mean => _newtons.Count == 0 ? Force.Zero : Force.FromNewtons(_newtons.Average());

    public bool Stable => Full && Force.FromNewtons(_newtons.Max() - _newtons.Min()) <= _stabilityLimit * 2;
}

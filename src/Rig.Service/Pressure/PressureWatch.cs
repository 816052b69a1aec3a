using Rig.Drivers.LoadCells;
using Rig.Drivers.Quantities;
using Rig.Service.Configuration;
using UnitsNet;

namespace Rig.Service.PressureSupervision;

/// <summary>
/// The rules for one channel, as pure state: over-force on each raw sample (no averaging: a crushed die does not
/// wait for a mean), the bands on the window mean, drift on the mean's slope over the drift window. Each rule is
/// latched, so it reports once per excursion. Touched only by its channel loop.
/// </summary>
public sealed class PressureWatch
{
    private readonly PressureWindowOptions _window;
    private readonly Force _overForceLimit;
    private readonly Area _cellArea;
    private readonly ForceWindow _forces;
    private readonly Queue<(DateTimeOffset At, double Megapascals)> _history = new();
    private bool _overForce;
    private bool _warning;
    private bool _outOfWindow;
    private bool _faultBand;
    private bool _drifting;

    /// <param name="window">The channel's bands.</param>
    /// <param name="overForceLimit">The lower of the load cell's and the frame's ratings.</param>
    /// <param name="cellArea">The cell's electrode area: pressure = force / area.</param>
    /// <param name="stabilityLimit">Spread of the window below which the mean counts as stable (the calibration's limit).</param>
    public PressureWatch(PressureWindowOptions window, Force overForceLimit, Area cellArea, Force stabilityLimit)
    {
        _window = window ?? throw new ArgumentNullException(nameof(window));
        _overForceLimit = overForceLimit;
        _cellArea = cellArea;
        _forces = new ForceWindow(window.AveragingSamples, stabilityLimit);
    }

    public PressureVerdict Observe(DateTimeOffset at, Force force)
    {
        var events = PressureEvents.None;
        var over = force.Abs() > _overForceLimit;
        events |= Edge(ref _overForce, over, PressureEvents.OverForce, PressureEvents.OverForceCleared);

        _forces.Add(force);
        if (!_forces.Full)
        {
            return new PressureVerdict(events, force, null, null, false);
        }
        var mean = StackPressure.FromForce(_forces.Mean, _cellArea);
        var drift = Drift(at, mean.Megapascals);
        if (_window.TargetMegapascals is { } target)
        {
            var off = Math.Abs(mean.Megapascals - target);
            events |= Edge(ref _warning, off > _window.WarningMegapascals, PressureEvents.Warning, PressureEvents.None);
            var wasOut = _outOfWindow;
            events |= Edge(ref _outOfWindow, off > _window.WindowMegapascals, PressureEvents.OutOfWindow, PressureEvents.None);
            if (wasOut && !_outOfWindow)
            {
                events |= PressureEvents.BackInWindow;
            }
            events |= Edge(ref _faultBand, off > _window.FaultMegapascals, PressureEvents.FaultBand, PressureEvents.None);
            if (drift is { } rate)
            {
                events |= Edge(ref _drifting, Math.Abs(rate) > _window.MaxDriftMegapascalsPerHour, PressureEvents.Drift, PressureEvents.None);
            }
        }
        return new PressureVerdict(events, force, mean, drift, _forces.Stable);
    }

    private double? Drift(DateTimeOffset at, double megapascals)
    {
        _history.Enqueue((at, megapascals));
        while (_history.Count > 1 && at - _history.Peek().At > _window.DriftWindow)
        {
            _history.Dequeue();
        }
        var (firstAt, first) = _history.Peek();
        var span = at - firstAt;
        // Too short a span makes noise look like drift: wait for half the window.
        return span >= _window.DriftWindow / 2 ? (megapascals - first) / span.TotalHours : null;
    }

    private static PressureEvents Edge(ref bool latched, bool now, PressureEvents started, PressureEvents ended)
    {
        var events = now && !latched ? started : !now && latched ? ended : PressureEvents.None;
        latched = now;
        return events;
    }
}

namespace FinTech.Portal.Platform;

/// <summary>CloudWatch alarm state values.</summary>
public enum AlarmState { Ok, Alarm, InsufficientData }

public enum AlarmSeverity { Critical, Warning }

/// <summary>A CloudWatch metric alarm as <c>DescribeAlarms</c> returns it.</summary>
public sealed record Alarm(
    string Name,
    string Description,
    AlarmState State,
    string StateReason,
    DateTimeOffset StateUpdated,
    string Namespace,
    string MetricName,
    Statistic Statistic,
    string ComparisonOperator,
    double Threshold,
    AlarmSeverity Severity);

using System.Reflection;
using System.Text.Json;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Tests.Platform;

/// <summary>
/// Every AWS operation a port offers is an action the portal's roles may call: the IAM list in
/// infra/portal-aws-actions.json grows with the ports, or an Aws adapter would be denied in production.
/// </summary>
public class PortAwsActionsTests
{
    /// <summary>The IAM service prefix of each port, by interface.</summary>
    private static readonly Dictionary<string, string> ServicePrefixes = new(StringComparer.Ordinal)
    {
        ["ICloudWatch"] = "cloudwatch",
        ["ICloudWatchLogs"] = "logs",
        ["IEcs"] = "ecs",
        ["IDynamoDb"] = "dynamodb",
        ["IRds"] = "rds",
        ["IElastiCache"] = "elasticache",
    };

    /// <summary>Ports that call no AWS API of their own.</summary>
    private static readonly HashSet<string> NotAws = ["IWriteProbe"];

    public static TheoryData<string> PortOperations()
    {
        var data = new TheoryData<string>();
        foreach (var operation in Ports().SelectMany(p => p.GetMethods().Select(m => $"{p.Name}.{m.Name}")))
        {
            data.Add(operation);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(PortOperations))]
    public void Every_port_operation_is_an_action_in_the_IAM_list(string operation)
    {
        var (port, method) = (operation.Split('.')[0], operation.Split('.')[1]);
        Assert.True(ServicePrefixes.TryGetValue(port, out var prefix), $"{port} is a port of the platform: add its IAM service prefix here.");
        Assert.EndsWith("Async", method, StringComparison.Ordinal);

        var action = $"{prefix}:{method[..^"Async".Length]}";

        Assert.Contains(action, Actions());
    }

    [Fact]
    public void The_ports_are_the_SDK_shaped_interfaces_of_the_platform()
    {
        var names = Ports().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(ServicePrefixes.Keys.Order(StringComparer.Ordinal), names);
    }

    /// <summary>Interfaces whose operations take an SDK-shaped request: <c>XxxAsync(XxxRequest, CancellationToken)</c>.</summary>
    private static IEnumerable<Type> Ports() =>
        typeof(PlatformConnection).Assembly.GetTypes()
            .Where(t => t.IsInterface && t.IsPublic && !NotAws.Contains(t.Name))
            .Where(t => t.GetMethods().Length > 0 && t.GetMethods().All(m =>
                m.GetParameters() is [var request, var token]
                && request.ParameterType.Name == m.Name[..^"Async".Length] + "Request"
                && token.ParameterType == typeof(CancellationToken)));

    private static HashSet<string> Actions()
    {
        var file = RepositoryFile("infra", "portal-aws-actions.json");
        using var json = JsonDocument.Parse(File.ReadAllText(file));
        return json.RootElement.GetProperty("portalActions").EnumerateArray()
            .Select(a => a.GetProperty("action").GetString()!)
            .ToHashSet(StringComparer.Ordinal);
    }

    private static string RepositoryFile(params string[] path)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine([directory.FullName, .. path]);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException($"{Path.Combine(path)} was not found above {AppContext.BaseDirectory}.");
    }
}

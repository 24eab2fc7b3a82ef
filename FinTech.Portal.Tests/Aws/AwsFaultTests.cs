using FinTech.Portal.Aws;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;

namespace FinTech.Portal.Tests.Aws;

/// <summary>Throttling, 5xx, slow and malformed replies: retried within the budget, then a message for people.</summary>
public sealed class AwsFaultTests : IAsyncLifetime
{
    private readonly List<AwsTestHarness> _slowHarnesses = [];
    private AwsTestHarness _aws = null!;

    public async Task InitializeAsync() => _aws = await AwsTestHarness.StartAsync(roleArn: null);

    /// <summary>Slow replies are tested with a 1 s attempt limit against 3 s replies, to keep the waiting short.</summary>
    private async Task<AwsTestHarness> HarnessFor(AwsFault fault)
    {
        if (fault != AwsFault.Slow)
        {
            return _aws;
        }
        var options = AwsTestHarness.FastOptions();
        options.AttemptTimeout = TimeSpan.FromSeconds(1);
        var slow = await AwsTestHarness.StartAsync(options, roleArn: null);
        slow.Endpoint.SlowDelay = TimeSpan.FromSeconds(3);
        _slowHarnesses.Add(slow);
        return slow;
    }

    public async Task DisposeAsync()
    {
        Assert.True(_aws.Endpoint.Rejections.IsEmpty, string.Join("\n", _aws.Endpoint.Rejections));
        await _aws.DisposeAsync();
        foreach (var harness in _slowHarnesses)
        {
            Assert.True(harness.Endpoint.Rejections.IsEmpty, string.Join("\n", harness.Endpoint.Rejections));
            await harness.DisposeAsync();
        }
    }


    [Theory]
    [InlineData(AwsFault.Throttle)]
    [InlineData(AwsFault.ServerError)]
    [InlineData(AwsFault.Slow)]
    [InlineData(AwsFault.Malformed)]
    public async Task A_transient_fault_is_retried_and_the_call_succeeds(AwsFault fault)
    {
        var aws = await HarnessFor(fault);
        aws.Endpoint.Inject(fault, fault);

        var response = await new AwsCloudWatch(aws.Client(AwsClients.CloudWatch)).DescribeAlarmsAsync(new DescribeAlarmsRequest());

        Assert.Empty(response.MetricAlarms);
        Assert.Equal(3, aws.Endpoint.CallsOf("DescribeAlarms").Count);
    }

    [Theory]
    [InlineData(AwsFault.Throttle, "CloudWatch throttled DescribeAlarms for 'prod' (Throttling) after 3 attempts")]
    [InlineData(AwsFault.ServerError, "CloudWatch failed DescribeAlarms for 'prod' (InternalFailure, HTTP 500) after 3 attempts")]
    [InlineData(AwsFault.Slow, "CloudWatch did not answer DescribeAlarms for 'prod' within 1 s (3 attempts)")]
    [InlineData(AwsFault.Malformed, "CloudWatch DescribeAlarms answered with a malformed reply")]
    public async Task A_fault_that_outlasts_the_attempts_ends_in_a_message_that_says_what_happened(AwsFault fault, string message)
    {
        var aws = await HarnessFor(fault);
        aws.Endpoint.Inject(fault, fault, fault);

        var error = await Assert.ThrowsAsync<PlatformUnavailableException>(() =>
            new AwsCloudWatch(aws.Client(AwsClients.CloudWatch)).DescribeAlarmsAsync(new DescribeAlarmsRequest()));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(3, aws.Endpoint.CallsOf("DescribeAlarms").Count);
    }

    [Fact]
    public async Task An_empty_retry_budget_stops_retrying_so_an_outage_is_not_multiplied()
    {
        var options = AwsTestHarness.FastOptions();
        options.RetryBudget = 10;
        options.BreakerMinimumThroughput = 1000;
        await using var aws = await AwsTestHarness.StartAsync(options, roleArn: null);
        aws.Endpoint.FaultSource = () => AwsFault.ServerError;
        var cloudWatch = new AwsCloudWatch(aws.Client(AwsClients.CloudWatch));

        for (var i = 0; i < 4; i++)
        {
            await Assert.ThrowsAsync<PlatformUnavailableException>(() => cloudWatch.DescribeAlarmsAsync(new DescribeAlarmsRequest()));
        }

        // 10 tokens pay for two retries of 5: the first call retries twice, the others not at all.
        Assert.Equal(3 + 1 + 1 + 1, aws.Endpoint.CallsOf("DescribeAlarms").Count);
        Assert.Equal(0, aws.Client(AwsClients.CloudWatch).RetryBudgetAvailable);
    }

    [Fact]
    public async Task A_service_that_keeps_failing_opens_the_circuit_of_that_environment_and_service_only()
    {
        var options = AwsTestHarness.FastOptions();
        options.MaxAttempts = 1;
        options.BreakerMinimumThroughput = 4;
        await using var aws = await AwsTestHarness.StartAsync(options, roleArn: null);
        aws.Endpoint.Inject(AwsFault.ServerError, AwsFault.ServerError, AwsFault.ServerError, AwsFault.ServerError);
        var cloudWatch = new AwsCloudWatch(aws.Client(AwsClients.CloudWatch));
        for (var i = 0; i < 4; i++)
        {
            await Assert.ThrowsAsync<PlatformUnavailableException>(() => cloudWatch.DescribeAlarmsAsync(new DescribeAlarmsRequest()));
        }

        var paused = await Assert.ThrowsAsync<PlatformUnavailableException>(() => cloudWatch.DescribeAlarmsAsync(new DescribeAlarmsRequest()));
        var ecs = await new AwsEcs(aws.Client(AwsClients.Ecs)).DescribeServicesAsync(
            new FinTech.Portal.Platform.Ecs.DescribeServicesRequest { Cluster = "fintech-prod", Services = ["fintech-prod-api"] });

        Assert.StartsWith("Calls to CloudWatch for 'prod' are paused for up to 30 s after repeated failures", paused.Message, StringComparison.Ordinal);
        Assert.Equal(4, aws.Endpoint.CallsOf("DescribeAlarms").Count);
        Assert.Single(ecs.Services);
    }

    [Fact]
    public async Task A_slow_first_AssumeRole_counts_against_neither_the_attempt_timeout_nor_the_circuit_of_the_calls_waiting_for_it()
    {
        var options = AwsTestHarness.FastOptions();
        options.AttemptTimeout = TimeSpan.FromSeconds(0.5);
        await using var aws = await AwsTestHarness.StartAsync(options);
        // STS answers the first AssumeRole after a second, longer than an attempt may last, with a 503
        // that the SDK retries: a cold start, when every dashboard waits for the same role.
        aws.Endpoint.SlowDelay = TimeSpan.FromSeconds(1);
        aws.Endpoint.FaultFor = call => call.Operation == "AssumeRole" && aws.Endpoint.CallsOf("AssumeRole").Count == 1 ? AwsFault.Slow : null;
        var cloudWatch = new AwsCloudWatch(aws.Client(AwsClients.CloudWatch));
        var callers = options.BreakerMinimumThroughput + 2;

        var answers = await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => cloudWatch.DescribeAlarmsAsync(new DescribeAlarmsRequest())));

        Assert.Equal(callers, answers.Length);
        Assert.Equal(1, aws.Endpoint.FaultCount);
        // One attempt each: none timed out while the role was being assumed, none was refused by an open circuit.
        Assert.Equal(callers, aws.Endpoint.CallsOf("DescribeAlarms").Count);
        Assert.Equal(options.RetryBudget, aws.Client(AwsClients.CloudWatch).RetryBudgetAvailable);
        Assert.Empty(aws.Endpoint.Rejections);
    }
}

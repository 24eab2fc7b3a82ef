using System.Text.Json;
using FinTech.Portal.Platform.SecretsManager;
using FinTech.Portal.Sandbox;

namespace FinTech.Portal.Tests.Sandbox;

public class SandboxSecretsManagerTests
{
    private const string RedisToken = "fintech/sandbox/redis/auth-token";
    private const string ExternalKeys = "fintech/sandbox/api/external-api-keys";
    private const string PortalConnection = "fintech/sandbox/portal/database-connection-string";

    private readonly SandboxTestPlatform _sandbox = new();

    private SandboxSecretsManager Secrets => _sandbox.Platform.SecretsManager;

    private DescribeSecretResponse Describe(string name) =>
        Secrets.DescribeSecretAsync(new DescribeSecretRequest { SecretId = name }).GetAwaiter().GetResult();

    private string DatabaseSecret => Secrets.SecretNames.Single(n => n.StartsWith("rds!cluster-", StringComparison.Ordinal));

    [Fact]
    public async Task The_platform_has_the_secrets_infra_creates_with_their_rotation_settings()
    {
        var list = await Secrets.ListSecretsAsync(new ListSecretsRequest());

        Assert.Equal(
            [DatabaseSecret, RedisToken, ExternalKeys, "fintech/sandbox/edge/origin-verify", PortalConnection, "fintech/sandbox/portal/entra-client-secret"],
            list.SecretList.Select(s => s.Name));
        Assert.Null(list.NextToken);
        var redis = list.SecretList[1];
        Assert.True(redis.RotationEnabled);
        Assert.Equal(30, redis.RotationRules!.AutomaticallyAfterDays);
        Assert.Equal("arn:aws:lambda:eu-west-1:111122223333:function:fintech-sandbox-redis-auth-rotation", redis.RotationLambdaARN);
        Assert.Equal(SandboxTestPlatform.TuesdayMorning.Date.AddDays(-12).AddHours(3), redis.LastRotatedDate);
        Assert.Equal(redis.LastRotatedDate!.Value.Date.AddDays(31), redis.NextRotationDate);
        Assert.Equal("rds", list.SecretList[0].OwningService);
        Assert.False(list.SecretList[4].RotationEnabled);
        Assert.StartsWith("arn:aws:secretsmanager:eu-west-1:111122223333:secret:fintech/sandbox/redis/auth-token-", redis.ARN);
    }

    [Fact]
    public async Task Listing_pages_by_NextToken_and_filters_by_name_prefix()
    {
        var first = await Secrets.ListSecretsAsync(new ListSecretsRequest { MaxResults = 4 });
        var second = await Secrets.ListSecretsAsync(new ListSecretsRequest { MaxResults = 4, NextToken = first.NextToken });
        var portal = await Secrets.ListSecretsAsync(new ListSecretsRequest { Filters = [new SecretsFilter("name", ["fintech/sandbox/portal/"])] });

        Assert.Equal(4, first.SecretList.Count);
        Assert.Equal(2, second.SecretList.Count);
        Assert.Null(second.NextToken);
        Assert.Equal(Secrets.SecretNames, first.SecretList.Concat(second.SecretList).Select(s => s.Name));
        Assert.Equal([PortalConnection, "fintech/sandbox/portal/entra-client-secret"], portal.SecretList.Select(s => s.Name));
        var error = await Assert.ThrowsAsync<SecretsManagerInvalidNextTokenException>(
            () => Secrets.ListSecretsAsync(new ListSecretsRequest { NextToken = "forged" }));
        Assert.Equal("InvalidNextTokenException", error.ErrorCode);
    }

    [Fact]
    public async Task A_rotation_moves_AWSCURRENT_to_the_new_version_after_its_four_steps()
    {
        var before = Describe(RedisToken);
        var oldCurrent = before.VersionWith(VersionStages.Current)!;
        var oldPrevious = before.VersionWith(VersionStages.Previous)!;
        var requestedAt = _sandbox.Now;

        var rotation = await Secrets.RotateSecretAsync(new RotateSecretRequest { SecretId = RedisToken });
        var newVersion = rotation.VersionId!;
        var steps = Secrets.RotationSteps(requestedAt, requestedAt.AddHours(1));
        Assert.Empty(steps);

        _sandbox.Advance(TimeSpan.FromSeconds(4));
        var during = Describe(RedisToken);
        Assert.Equal(newVersion, during.VersionWith(VersionStages.Pending));
        Assert.Equal(oldCurrent, during.VersionWith(VersionStages.Current));

        _sandbox.Advance(TimeSpan.FromMinutes(1));
        steps = Secrets.RotationSteps(requestedAt, requestedAt.AddHours(1));
        var after = Describe(RedisToken);

        Assert.Equal(["createSecret", "setSecret", "testSecret", "finishSecret"], steps.Select(s => s.Step));
        Assert.All(steps, s => Assert.True(s.Succeeded));
        Assert.True(steps.Zip(steps.Skip(1)).All(p => p.First.At < p.Second.At));
        // Redis AUTH token changes go through ModifyReplicationGroup: setSecret takes 20-26 s.
        Assert.InRange((steps[1].At - steps[0].At).TotalSeconds, 20, 26);
        Assert.Equal(newVersion, after.VersionWith(VersionStages.Current));
        Assert.Equal(oldCurrent, after.VersionWith(VersionStages.Previous));
        Assert.Null(after.VersionWith(VersionStages.Pending));
        Assert.False(after.VersionIdsToStages.ContainsKey(oldPrevious));
        Assert.Equal(steps[^1].At, after.LastRotatedDate);
    }

    [Fact]
    public async Task A_second_rotation_while_one_runs_is_refused_as_Secrets_Manager_refuses_it()
    {
        await Secrets.RotateSecretAsync(new RotateSecretRequest { SecretId = RedisToken });
        _sandbox.Advance(TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<SecretsManagerInvalidRequestException>(
            () => Secrets.RotateSecretAsync(new RotateSecretRequest { SecretId = RedisToken }));

        Assert.Equal("A previous rotation isn't complete. That rotation will be reattempted.", error.Message);
        Assert.Equal("InvalidRequestException", error.ErrorCode);
    }

    [Fact]
    public async Task The_same_client_request_token_starts_one_rotation_however_often_it_is_sent()
    {
        var token = new string('a', 8) + "-1111-4222-8333-" + new string('b', 12);

        var first = await Secrets.RotateSecretAsync(new RotateSecretRequest { SecretId = RedisToken, ClientRequestToken = token });
        _sandbox.Advance(TimeSpan.FromSeconds(10));
        var retry = await Secrets.RotateSecretAsync(new RotateSecretRequest { SecretId = RedisToken, ClientRequestToken = token });
        _sandbox.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(token, first.VersionId);
        Assert.Equal(token, retry.VersionId);
        Assert.Equal(4, Secrets.RotationSteps(_sandbox.Now.AddHours(-1), _sandbox.Now).Count);
        Assert.Equal(token, Describe(RedisToken).VersionWith(VersionStages.Current));
    }

    [Fact]
    public async Task A_stray_AWSPENDING_refuses_the_rotation_and_the_unfinished_one_is_run_again()
    {
        var before = Describe(ExternalKeys);
        var stray = before.VersionWith(VersionStages.Pending)!;
        Assert.NotEqual(before.VersionWith(VersionStages.Current), stray);

        var error = await Assert.ThrowsAsync<SecretsManagerInvalidRequestException>(
            () => Secrets.RotateSecretAsync(new RotateSecretRequest { SecretId = ExternalKeys }));
        _sandbox.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal("A previous rotation isn't complete. That rotation will be reattempted.", error.Message);
        var after = Describe(ExternalKeys);
        Assert.Equal(stray, after.VersionWith(VersionStages.Current));
        Assert.Null(after.VersionWith(VersionStages.Pending));
    }

    [Fact]
    public async Task SetSecret_fails_while_the_database_fails_over_and_leaves_a_stray_AWSPENDING()
    {
        var current = Describe(DatabaseSecret).VersionWith(VersionStages.Current);
        _sandbox.Platform.FailoverAuroraCluster();

        var rotation = await Secrets.RotateSecretAsync(new RotateSecretRequest { SecretId = DatabaseSecret });
        _sandbox.Advance(TimeSpan.FromMinutes(2));

        var steps = Secrets.RotationSteps(_sandbox.Now.AddHours(-1), _sandbox.Now);
        Assert.Equal(["createSecret", "setSecret"], steps.Select(s => s.Step));
        Assert.False(steps[1].Succeeded);
        Assert.Contains("could not connect to the Aurora writer (the cluster is failing over)", steps[1].Message);
        var after = Describe(DatabaseSecret);
        Assert.Equal(current, after.VersionWith(VersionStages.Current));
        Assert.Equal(rotation.VersionId, after.VersionWith(VersionStages.Pending));
    }

    [Fact]
    public async Task A_database_rotation_away_from_any_failover_succeeds()
    {
        _sandbox.Platform.FailoverAuroraCluster();
        _sandbox.Advance(TimeSpan.FromMinutes(3));

        var rotation = await Secrets.RotateSecretAsync(new RotateSecretRequest { SecretId = DatabaseSecret });
        _sandbox.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(rotation.VersionId, Describe(DatabaseSecret).VersionWith(VersionStages.Current));
    }

    [Fact]
    public async Task A_secret_without_a_rotation_function_cannot_be_rotated()
    {
        var error = await Assert.ThrowsAsync<SecretsManagerInvalidRequestException>(
            () => Secrets.RotateSecretAsync(new RotateSecretRequest { SecretId = PortalConnection }));

        Assert.Equal($"Rotation is not configured for {PortalConnection}: it has no rotation function. Configure rotation before rotating it.", error.Message);
    }

    [Fact]
    public async Task An_unknown_secret_and_a_malformed_token_are_the_service_errors_AWS_returns()
    {
        var missing = await Assert.ThrowsAsync<SecretsManagerResourceNotFoundException>(
            () => Secrets.DescribeSecretAsync(new DescribeSecretRequest { SecretId = "fintech/sandbox/nope" }));
        var shortToken = await Assert.ThrowsAsync<SecretsManagerInvalidParameterException>(
            () => Secrets.RotateSecretAsync(new RotateSecretRequest { SecretId = RedisToken, ClientRequestToken = "short" }));

        Assert.Equal("ResourceNotFoundException", missing.ErrorCode);
        Assert.Equal("Secrets Manager can't find the specified secret.", missing.Message);
        Assert.Equal("InvalidParameterException", shortToken.ErrorCode);
    }

    [Fact]
    public async Task No_answer_of_the_port_carries_a_secret_value()
    {
        await Secrets.RotateSecretAsync(new RotateSecretRequest { SecretId = RedisToken });
        _sandbox.Advance(TimeSpan.FromMinutes(1));

        var values = Secrets.KnownSecretValues();
        var answers = JsonSerializer.Serialize(new object[]
        {
            await Secrets.ListSecretsAsync(new ListSecretsRequest()),
            Secrets.SecretNames.Select(Describe).ToList(),
            Secrets.RotationSteps(_sandbox.Now.AddDays(-1), _sandbox.Now),
        });

        Assert.Equal(12, values.Count);
        Assert.All(values, v => Assert.Equal(40, v.Length));
        Assert.All(values, v => Assert.DoesNotContain(v, answers, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_secrets_and_versions()
    {
        var other = new SandboxTestPlatform().Platform.SecretsManager;
        var third = new SandboxTestPlatform(seed: 7).Platform.SecretsManager;
        var request = new DescribeSecretRequest { SecretId = RedisToken };

        Assert.Equal(JsonSerializer.Serialize(Describe(RedisToken)), JsonSerializer.Serialize(await other.DescribeSecretAsync(request)));
        Assert.NotEqual(Describe(RedisToken).ARN, (await third.DescribeSecretAsync(request)).ARN);
        Assert.Equal(Secrets.KnownSecretValues(), other.KnownSecretValues());
    }
}

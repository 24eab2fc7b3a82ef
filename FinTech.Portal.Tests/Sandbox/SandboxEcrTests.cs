using FinTech.Portal.Platform.Ecr;
using FinTech.Portal.Sandbox;

namespace FinTech.Portal.Tests.Sandbox;

public class SandboxEcrTests
{
    private readonly SandboxTestPlatform _sandbox = new();

    private SandboxEcr Ecr => _sandbox.Platform.Ecr;

    [Fact]
    public async Task The_API_repository_holds_its_release_train_with_digests_and_scan_findings()
    {
        var images = (await Ecr.DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = SandboxEcr.ApiRepository })).ImageDetails;

        Assert.Equal(
            ["v1.43.0", "v1.44.0", "v1.45.0", "v1.45.1", "", "v1.46.0", "v1.46.1", "v1.47.0", "v1.47.1"],
            images.Select(i => string.Join(",", i.ImageTags)));
        Assert.All(images, i => Assert.Matches("^sha256:[0-9a-f]{64}$", i.ImageDigest));
        Assert.Equal(images.Count, images.Select(i => i.ImageDigest).Distinct().Count());
        var critical = images.Single(i => i.ImageTags.Contains("v1.47.0"));
        Assert.Equal(1, critical.ImageScanFindingsSummary!.FindingSeverityCounts["CRITICAL"]);
        Assert.Equal(4, critical.ImageScanFindingsSummary.FindingSeverityCounts["HIGH"]);
        Assert.Equal("COMPLETE", critical.ImageScanStatus!.Status);
        Assert.Equal(SandboxTestPlatform.TuesdayMorning.Date.AddDays(-1).AddHours(9.5), images[^1].ImagePushedAt);
    }

    [Fact]
    public async Task One_build_crashes_on_start_and_the_platform_runs_a_good_one()
    {
        var crashing = Ecr.Images.Single(i => i.CrashesOnStart);

        Assert.Equal(["v1.46.1"], crashing.Tags);
        Assert.Equal(["v1.46.0"], Ecr.RunningApiImage.Tags);
        Assert.False(Ecr.RunningApiImage.CrashesOnStart);
        Assert.Same(crashing, Ecr.FindImage(SandboxEcr.ApiRepository, crashing.Digest));
        var byTag = await Ecr.DescribeImagesAsync(new DescribeImagesRequest
        {
            RepositoryName = SandboxEcr.ApiRepository,
            ImageIds = [new ImageIdentifier { ImageTag = "v1.46.1" }],
        });
        Assert.Equal(crashing.Digest, byTag.ImageDetails.Single().ImageDigest);
    }

    [Fact]
    public async Task Images_page_by_nextToken_and_filter_by_tag_status()
    {
        var first = await Ecr.DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = SandboxEcr.ApiRepository, MaxResults = 5 });
        var rest = await Ecr.DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = SandboxEcr.ApiRepository, MaxResults = 5, NextToken = first.NextToken });
        var untagged = await Ecr.DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = SandboxEcr.ApiRepository, TagStatus = "UNTAGGED" });

        Assert.Equal(5, first.ImageDetails.Count);
        Assert.Equal(4, rest.ImageDetails.Count);
        Assert.Null(rest.NextToken);
        Assert.Empty(Assert.Single(untagged.ImageDetails).ImageTags);
    }

    [Fact]
    public async Task Unknown_repositories_and_images_are_the_errors_ECR_returns()
    {
        var repository = await Assert.ThrowsAsync<EcrRepositoryNotFoundException>(
            () => Ecr.DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = "fintech/nope" }));
        var image = await Assert.ThrowsAsync<EcrImageNotFoundException>(() => Ecr.DescribeImagesAsync(new DescribeImagesRequest
        {
            RepositoryName = SandboxEcr.ApiRepository,
            ImageIds = [new ImageIdentifier { ImageTag = "v9.9.9" }],
        }));

        Assert.Equal("RepositoryNotFoundException", repository.ErrorCode);
        Assert.Equal("The repository with name 'fintech/nope' does not exist in the registry with id '111122223333'", repository.Message);
        Assert.Equal("ImageNotFoundException", image.ErrorCode);
    }

    [Fact]
    public async Task Repositories_have_immutable_tags_and_scan_on_push()
    {
        var repositories = (await Ecr.DescribeRepositoriesAsync(new DescribeRepositoriesRequest())).Repositories;

        Assert.Equal([SandboxEcr.ApiRepository, SandboxEcr.PortalRepository], repositories.Select(r => r.RepositoryName));
        Assert.All(repositories, r => Assert.Equal("IMMUTABLE", r.ImageTagMutability));
        Assert.All(repositories, r => Assert.True(r.ScanOnPush));
        Assert.Equal("111122223333.dkr.ecr.eu-west-1.amazonaws.com/fintech/api", repositories[0].RepositoryUri);
    }

    [Fact]
    public void The_same_seed_gives_the_same_digests()
    {
        Assert.Equal(Ecr.Images.Select(i => i.Digest), new SandboxTestPlatform().Platform.Ecr.Images.Select(i => i.Digest));
        Assert.NotEqual(Ecr.Images.Select(i => i.Digest), new SandboxTestPlatform(seed: 3).Platform.Ecr.Images.Select(i => i.Digest));
    }
}

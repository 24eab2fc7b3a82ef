using System.Net;

namespace FinTech.Portal.Platform.ElastiCache;

// ElastiCache faults, named as the AWS SDK for .NET names them; ErrorCode is the code on the wire.

/// <summary><c>ReplicationGroupNotFoundFault</c>.</summary>
public sealed class ReplicationGroupNotFoundException(string message)
    : PlatformServiceException("ReplicationGroupNotFoundFault", HttpStatusCode.NotFound, message);

/// <summary><c>NodeGroupNotFoundFault</c>.</summary>
public sealed class NodeGroupNotFoundException(string message)
    : PlatformServiceException("NodeGroupNotFoundFault", HttpStatusCode.NotFound, message);

/// <summary><c>InvalidReplicationGroupState</c>: the group is not <c>available</c>.</summary>
public sealed class InvalidReplicationGroupStateException(string message)
    : PlatformServiceException("InvalidReplicationGroupState", HttpStatusCode.BadRequest, message);

/// <summary><c>TestFailoverNotAvailableFault</c>: the test-failover quota is used up.</summary>
public sealed class TestFailoverNotAvailableException(string message)
    : PlatformServiceException("TestFailoverNotAvailableFault", HttpStatusCode.BadRequest, message);
